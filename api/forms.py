"""Forms for the administrators' API client pages (GOV.UK Design System, crispy-forms-gds)."""

from crispy_forms_gds.choices import Choice
from django import forms

from incomeapp.forms import DecisionForm, GdsFormMixin

from .constants import Scope

SENSITIVE_HINT = (
    "Warning: this shows the client vulnerability and health notes and Breathing Space details. "
    "Only give it to a system that must have them."
)
RATE_LIMIT_MAX = 100_000


def _scope_choices():
    return [
        Choice(value, f"{label} ({value})", hint=SENSITIVE_HINT) if value == Scope.SENSITIVE_READ else
        Choice(value, f"{label} ({value})")
        for value, label in Scope.choices
    ]  # fmt: skip


class _ScopesAndLimit(GdsFormMixin, forms.Form):
    scopes = forms.MultipleChoiceField(
        label="What may the client do?",
        help_text="Select all that apply. Give only what the system needs.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one thing the client may do"},
    )
    rate_limit_per_minute = forms.IntegerField(
        label="Rate limit, in calls a minute",
        help_text="Calls beyond this in a minute are told to wait (429). 600 suits most systems.",
        min_value=1,
        max_value=RATE_LIMIT_MAX,
        initial=600,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-5", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the rate limit, like 600",
            "invalid": "Enter the rate limit as a whole number, like 600",
            "min_value": "Enter a rate limit of 1 or more calls a minute",
            "max_value": f"Enter a rate limit of {RATE_LIMIT_MAX:,} calls a minute or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = _scope_choices()


class ApiClientNewForm(_ScopesAndLimit):
    submit_label = "Set up client"
    field_order = ["name", "scopes", "rate_limit_per_minute"]

    name = forms.CharField(
        label="Name of the system",
        help_text="For example, Housing management system or Data warehouse.",
        max_length=100,
        error_messages={
            "required": "Enter the name of the system that will use the key",
            "max_length": "Enter a name of 100 characters or fewer",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class ApiClientChangeForm(_ScopesAndLimit):
    submit_label = "Save changes"


class ApiClientRefuseForm(DecisionForm):
    keeps_it = "The administrator who asked sees it, and it is kept in the client's history."
    submit_name = "refuse"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = "Why are you refusing?"
        self.fields["reason"].error_messages["required"] = "Give the reason for refusing"
