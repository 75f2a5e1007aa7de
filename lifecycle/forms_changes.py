"""Forms for one tenancy's charge change and for preparing and deciding rent change runs (GOV.UK layout)."""

from crispy_forms_gds.fields import DateInputField
from django import forms

from incomeapp.forms import GdsFormMixin, MoneyField
from incomeapp.money import MoneyError, parse_percentage
from tenancies.constants import ChargeType
from tenancies.models import Scheme
from tenancies.specs import ChargeSpec

from .charges import COUNTS_AS_RENT_BY_DEFAULT, PERIOD_PHRASES

MAX_CSV_BYTES = 50 * 1024 * 1024


class ChargesChangeForm(GdsFormMixin, forms.Form):
    """A tenancy's charges from a date: one amount per charge type (empty or £0.00 stops it), which count as rent, and
    why."""

    submit_label = "Continue"

    def __init__(self, *args, tenancy, earliest=None, **kwargs):
        super().__init__(*args, **kwargs)
        period = PERIOD_PHRASES.get(tenancy.rent_period, "a period")
        hint = "For example, 6 4 2027."
        if earliest is not None:
            hint = f"The earliest date allowed is {earliest:%-d %B %Y}. For example, {earliest:%-d %-m %Y}."
        fields = {
            "effective_from": DateInputField(label="Date the new charges start", help_text=hint),
        }
        for choice in ChargeType:
            fields[f"amount_{choice.value}"] = MoneyField(
                label=f"{choice.label}, in pounds {period}",
                required=False,
                help_text="Leave empty to have no such charge." if choice == ChargeType.RENT else "",
            )
            fields[f"amount_{choice.value}"].widget.attrs.update(
                {"class": "govuk-input--width-10", "inputmode": "decimal"}
            )
        fields["counts_as_rent"] = forms.MultipleChoiceField(
            label="Which of these count as rent?",
            help_text="Rent and benefit-eligible service charges usually do; support and other charges usually do not.",
            choices=ChargeType.choices,
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )
        fields["reason"] = forms.CharField(
            label="Reason for the change",
            help_text="It is kept in the tenancy's history.",
            widget=forms.Textarea(attrs={"rows": 3}),
            max_length=1000,
            error_messages={"required": "Give the reason for the change"},
        )
        self.fields.update(fields)

    @staticmethod
    def initial_from(charges, effective_from=None, reason: str = "") -> dict:
        initial = {f"amount_{c.charge_type}": f"{c.amount:.2f}" for c in charges}
        initial["counts_as_rent"] = [c.charge_type for c in charges if c.counts_as_rent] or [
            t for t, counts in COUNTS_AS_RENT_BY_DEFAULT.items() if counts
        ]
        if effective_from is not None:
            initial["effective_from"] = effective_from
        if reason:
            initial["reason"] = reason
        return initial

    def charge_specs(self) -> list[ChargeSpec]:
        counts = set(self.cleaned_data.get("counts_as_rent") or [])
        specs = []
        for choice in ChargeType:
            amount = self.cleaned_data.get(f"amount_{choice.value}")
            if amount is not None and amount != 0:
                specs.append(ChargeSpec(choice.value, amount, choice.value in counts))
        return specs

    def clean(self):
        cleaned = super().clean()
        for choice in ChargeType:
            amount = cleaned.get(f"amount_{choice.value}")
            if amount is not None and amount < 0:
                self.add_error(f"amount_{choice.value}", f"{choice.label} cannot be less than £0.00")
        return cleaned


class RentChangeBasicsMixin(forms.Form):
    name = forms.CharField(
        label="Name",
        help_text="For example, April 2027 rent change. It is shown on the list of rent changes.",
        max_length=200,
        error_messages={"required": "Give the rent change a name"},
    )
    effective_from = DateInputField(
        label="Date the new charges start",
        help_text="Usually the first Monday of April. For example, 5 4 2027.",
    )
    notice_weeks = forms.IntegerField(
        label="Notice period, in weeks",
        help_text="The letters go out when the change is approved, which must be at least this long before the date.",
        min_value=1,
        max_value=52,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the notice period in weeks",
            "invalid": "Enter the notice period as a whole number of weeks, like 4",
            "min_value": "The notice period must be at least 1 week",
            "max_value": "The notice period must be 52 weeks or fewer",
        },
    )


class RentChangeRuleForm(GdsFormMixin, RentChangeBasicsMixin):
    submit_label = "Prepare and check the changes"

    schemes = forms.ModelMultipleChoiceField(
        label="Schemes",
        help_text="Every current tenancy and every home in these schemes is included.",
        queryset=Scheme.objects.filter(retired_on__isnull=True).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one scheme"},
    )
    charge_types = forms.MultipleChoiceField(
        label="Charges to change",
        choices=ChargeType.choices,
        initial=[ChargeType.RENT],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one charge to change"},
    )
    percentage = forms.CharField(
        label="Percentage change",
        help_text="For example, 2.7 for a 2.7% rise, or -1 for a 1% cut. Each charge is rounded to the nearest penny.",
        max_length=10,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "decimal"}),
        error_messages={"required": "Enter the percentage change, like 2.7"},
    )
    weekly_cap = MoneyField(
        label="Most any one charge may rise by each week, in pounds (optional)",
        help_text="For example, 5.00. Leave empty for no cap. Monthly tenancies get the same cap as a monthly amount.",
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "decimal"}),
    )

    def clean_percentage(self):
        # The same strict reading as money (no '1e308', hidden characters or other digits), so the service's range
        # check never meets a number it cannot compare.
        try:
            return parse_percentage(self.cleaned_data["percentage"])
        except MoneyError as error:
            raise forms.ValidationError(str(error)) from error


class RentChangeCsvForm(GdsFormMixin, RentChangeBasicsMixin):
    submit_label = "Check the file and prepare the changes"

    new_charges = forms.FileField(
        label="CSV file of new charges",
        help_text="Columns: uprn, property_reference, payment_reference or tenancy_reference (one per row), "
        "charge_type and new_weekly_amount. Up to 50 MB.",
        error_messages={"required": "Choose the CSV file of new charges", "empty": "The file you chose is empty"},
    )

    def clean_new_charges(self):
        upload = self.cleaned_data["new_charges"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError("The file is larger than 50 MB. Split it into smaller files.")
        return upload


class RentChangeDecisionForm(GdsFormMixin, forms.Form):
    reason = forms.CharField(
        label="Reason or comment",
        help_text="Needed to reject it, so the person who prepared it knows what to change.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.inputs = []  # the template writes the two buttons (approve, reject)
