"""The campaign form: the list (the worklist's filters), the published template, and a title."""

from django import forms

from incomeapp.forms import GdsFormMixin, MoneyField
from tenancies.models import Patch, Provider, Scheme

from .selectors import officers_with_open_cases, worklist_action_choices
from .selectors_campaigns import CAMPAIGN_LISTS, campaign_templates
from .stages import stage_choices

ANY = [("", "Any")]


def _choices(rows, label=lambda row: row.name) -> list[tuple[str, str]]:
    return ANY + [(str(row.pk), label(row)) for row in rows]


class CampaignForm(GdsFormMixin, forms.Form):
    submit_label = "Preview the campaign"
    submit_name = "preview"

    title = forms.CharField(
        label="Title",
        help_text="What the campaign is, for the list of campaigns (tenants do not see it). For example, "
        "“Patch North: bank holiday reminder”.",
        max_length=150,
        error_messages={"required": "Enter a title for the campaign"},
    )
    template = forms.ChoiceField(
        label="Message",
        help_text="A published message template. Each tenant's own details are merged into it.",
        error_messages={"required": "Choose the message to send", "invalid_choice": "Choose a published message"},
    )
    tab = forms.ChoiceField(label="Which cases", choices=list(CAMPAIGN_LISTS.items()), initial="patch")
    patch = forms.TypedChoiceField(label="Patch", required=False, coerce=int, empty_value=None)
    officer = forms.TypedChoiceField(label="Officer", required=False, coerce=int, empty_value=None)
    provider = forms.TypedChoiceField(label="Landlord", required=False, coerce=int, empty_value=None)
    scheme = forms.TypedChoiceField(label="Scheme", required=False, coerce=int, empty_value=None)
    stage = forms.ChoiceField(label="Stage", required=False)
    action = forms.ChoiceField(label="Recommended action", required=False)
    min_balance = MoneyField(
        label="Balance at least (£)",
        help_text="Leave blank for every balance.",
        required=False,
        width=10,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [("", "Choose a message")] + [
            (template.key, f"{template.title} ({template.get_channel_display().lower()})")
            for template in campaign_templates()
        ]
        self.fields["patch"].choices = _choices(Patch.objects.order_by("name"))
        self.fields["officer"].choices = _choices(
            officers_with_open_cases(), label=lambda user: user.get_full_name() or user.username
        )
        self.fields["provider"].choices = _choices(Provider.objects.order_by("name"))
        self.fields["scheme"].choices = _choices(Scheme.objects.order_by("name"))
        self.fields["stage"].choices = ANY + stage_choices()
        self.fields["action"].choices = ANY + worklist_action_choices()

    def clean_min_balance(self):
        amount = self.cleaned_data.get("min_balance")
        if amount is not None and amount < 0:
            raise forms.ValidationError("Enter a balance of £0.00 or more, like 100.00")
        return amount

    def criteria(self) -> dict:
        """The list's filters as the campaign keeps them."""
        data = self.cleaned_data
        keys = ("tab", "patch", "officer", "provider", "scheme", "stage", "action", "min_balance")
        return {key: data.get(key) for key in keys if data.get(key) not in (None, "")}
