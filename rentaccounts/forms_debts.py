from crispy_forms_gds.fields import DateInputField
from django import forms

from incomeapp.forms import GdsFormMixin
from rentaccounts.constants import InsolvencyKind

__all__ = ["AcknowledgmentForm", "InsolvencyDischargeForm", "InsolvencyOrderForm"]


class AcknowledgmentForm(GdsFormMixin, forms.Form):
    submit_label = "Record the acknowledgment"

    acknowledged_on = DateInputField(
        label="Date it was signed",
        help_text="For example, 3 3 2025.",
    )
    description = forms.CharField(
        label="What did the tenant sign or write?",
        max_length=255,
        help_text="For example: signed letter agreeing the arrears of £1,240.00. Keep the document on file.",
        error_messages={"required": "Say what the tenant signed or wrote"},
    )


class InsolvencyOrderForm(GdsFormMixin, forms.Form):
    submit_label = "Record the order"

    kind = forms.ChoiceField(
        label="What kind of order is it?",
        choices=InsolvencyKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose bankruptcy order or debt relief order"},
    )
    made_on = DateInputField(
        label="Date the order was made",
        help_text="As shown on the Individual Insolvency Register. For example, 1 5 2026.",
    )
    reference = forms.CharField(label="Insolvency Register reference (optional)", max_length=50, required=False)
    notes = forms.CharField(label="Notes (optional)", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class InsolvencyDischargeForm(GdsFormMixin, forms.Form):
    submit_label = "Record the discharge"

    discharged_on = DateInputField(
        label="Date of discharge",
        help_text="For example, 1 5 2027.",
    )
