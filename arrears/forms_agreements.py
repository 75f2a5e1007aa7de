"""The forms that change or cancel an arrangement to pay, each asking why (kept in the agreement's history)."""

from crispy_forms_gds.layout import Submit
from django import forms

from incomeapp.forms import DateField, GdsFormMixin, MoneyField

from .constants import AgreementFrequency

REASON_HELP = "Kept in the agreement's history and shown in the case diary."


def amount_above_zero(form, name: str = "amount") -> None:
    """An instalment of £0.00 or less pays nothing towards the arrears: an error beside the field."""
    amount = form.cleaned_data.get(name)
    if amount is not None and amount <= 0:
        form.add_error(name, "Enter an amount above £0.00 to pay towards the arrears, like 20.00")


class AgreementChangeForm(GdsFormMixin, forms.Form):
    submit_label = "Continue"
    submit_name = "check_change"

    amount = MoneyField(
        label="Amount towards the arrears (£)",
        help_text="Paid on top of the rent each time.",
        width=10,
        error_messages={"required": "Enter the amount to pay towards the arrears"},
    )
    frequency = forms.ChoiceField(
        label="How often", choices=AgreementFrequency.choices, error_messages={"required": "Choose how often"}
    )
    starts_on = DateField(
        label="First payment date under the new terms",
        example="4 12 2026",
        required_message="Enter the date of the first payment under the new terms",
    )
    reason = forms.CharField(
        label="Why the agreement is changing",
        help_text=REASON_HELP,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Enter why the agreement is changing"},
    )

    def clean(self):
        data = super().clean()
        amount_above_zero(self)
        if data.get("reason") is not None and not data["reason"].strip():
            self.add_error("reason", "Enter why the agreement is changing")
        return data


class AgreementCancelForm(GdsFormMixin, forms.Form):
    submit_label = "Cancel the agreement"
    submit_name = "cancel_agreement"

    reason = forms.CharField(
        label="Why the agreement is being cancelled",
        help_text=REASON_HELP,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Enter why the agreement is being cancelled"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.inputs = [Submit(self.submit_name, self.submit_label, css_class="govuk-button--warning")]

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Enter why the agreement is being cancelled")
        return reason
