from crispy_forms_gds.choices import Choice
from crispy_forms_gds.fields import DateInputField
from django import forms
from django.core.exceptions import ValidationError

from incomeapp.forms import GdsFormMixin, MoneyField
from tenancies.models import Tenancy
from tenancies.references import PaymentReferenceField, payment_reference_check, payment_reference_normalise

from .imports.formats import FORMATS

MAX_UPLOAD_BYTES = 50 * 1024 * 1024

__all__ = ["PaymentFileForm", "SuspenseAllocateForm", "SuspenseRejectForm", "tenancy_for_reference"]


def tenancy_for_reference(reference: str) -> Tenancy:
    """The tenancy a person typed the payment reference of, or a plain-English error saying it does not exist (or,
    for one of our references, that its check digit is wrong)."""
    reference = payment_reference_normalise(reference)
    try:
        payment_reference_check(reference)
    except ValidationError as error:
        raise forms.ValidationError(error.messages[0], code="check_digit") from error
    tenancy = Tenancy.objects.filter(payment_reference=reference).first()
    if tenancy is None:
        raise forms.ValidationError(f"No tenancy has the payment reference {reference}. Check it and try again.")
    return tenancy


class PaymentFileForm(GdsFormMixin, forms.Form):
    submit_label = "Upload and check"

    payment_file = forms.FileField(
        label="Payment file",
        help_text="A CSV file, up to 50 MB.",
        error_messages={"required": "Choose the payment file to import", "empty": "The file you chose is empty"},
    )
    format = forms.ChoiceField(
        label="What kind of file is it?",
        choices=[Choice(fmt.name, fmt.label, hint=fmt.description) for fmt in FORMATS.values()],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of file it is"},
    )

    def clean_payment_file(self):
        upload = self.cleaned_data["payment_file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 50 MB. Split it into smaller files and import each.")
        return upload


class SuspenseAllocateForm(GdsFormMixin, forms.Form):
    submit_label = "Allocate payment"

    payment_reference = PaymentReferenceField(
        label="Payment reference of the tenancy to credit",
        error_messages={"required": "Enter the payment reference of the tenancy this payment is for"},
    )
    amount = MoneyField(label="Amount received, in pounds", required=False, help_text="Only if the file's was wrong.")
    received_on = DateInputField(
        label="Date received", required=False, help_text="Only if the file's was wrong. For example, 23 11 2026."
    )

    def __init__(self, *args, needs_amount=False, needs_date=False, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_amount:
            self.fields["amount"].required = True
            self.fields["amount"].help_text = "The file did not give an amount we could read."
            self.fields["amount"].error_messages["required"] = "Enter the amount received, like 12.50"
        if needs_date:
            self.fields["received_on"].required = True
            self.fields["received_on"].help_text = "The file did not give a date we could read."

    def clean_payment_reference(self):
        self.cleaned_data["tenancy"] = tenancy_for_reference(self.cleaned_data["payment_reference"])
        return self.cleaned_data["tenancy"].payment_reference

    def clean_amount(self):
        amount = self.cleaned_data.get("amount")
        if amount is not None and amount <= 0:
            raise forms.ValidationError("Enter the amount received as a positive number, like 12.50")
        return amount


class SuspenseRejectForm(GdsFormMixin, forms.Form):
    submit_label = "Reject payment"
    submit_name = "reject"

    reason = forms.CharField(
        label="Why is this payment rejected?",
        max_length=255,
        help_text="For example: returned to the payer's bank.",
        error_messages={"required": "Say why this payment is rejected"},
    )
