"""The forms that raise a rechargeable repair or a sundry debt (GOV.UK layout)."""

import uuid

from django import forms

from incomeapp.forms import DateField, GdsFormMixin, MoneyField

from .constants import SundryKind


class _InvoiceForm(GdsFormMixin, forms.Form):
    submit_label = "Raise the invoice and make the letters"

    # A one-time token: the same form sent twice raises one invoice (rentaccounts.services.invoices.invoice_raise).
    request_key = forms.CharField(widget=forms.HiddenInput)
    description = forms.CharField(
        label="What is it for?",
        help_text="In plain words: the tenants read this in their letter.",
        max_length=255,
        error_messages={"required": "Say what the invoice is for: the tenant reads it in the letter"},
    )
    amount = MoneyField(
        label="Amount, in pounds", width=10, error_messages={"required": "Enter the amount, like 85.00"}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("request_key", uuid.uuid4().hex)


class RechargeForm(_InvoiceForm):
    job_reference = forms.CharField(
        label="Repair job reference",
        max_length=50,
        help_text="From the repairs system, for example JOB-4471.",
        error_messages={"required": "Enter the repair job's reference"},
    )
    dated = DateField(label="When was the repair done?", required_message="Enter the date the repair was done")
    field_order = ["job_reference", "description", "amount", "dated", "request_key"]


class SundryForm(_InvoiceForm):
    sundry_kind = forms.ChoiceField(
        label="What kind of debt is it?",
        choices=SundryKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of debt this is"},
    )
    dated = DateField(label="When did it fall due?", required_message="Enter the date it fell due")
    field_order = ["sundry_kind", "description", "amount", "dated", "request_key"]
