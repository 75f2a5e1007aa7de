"""Forms for Housing Benefit overpayments a council recovered from us (docs/debts.md)."""

from django import forms

from incomeapp.forms import DateField, GdsFormMixin, MoneyField
from incomeapp.money import format_money
from tenancies.models import Tenancy
from tenancies.references import PaymentReferenceField

from .constants import OverpaymentLiability, OverpaymentRecovery, OverpaymentStatus


class HbOverpaymentForm(GdsFormMixin, forms.Form):
    submit_label = "Record the overpayment"

    council = forms.CharField(
        label="Council that recovered it",
        max_length=150,
        error_messages={"required": "Enter the council that recovered the overpayment"},
    )
    period_start = DateField(label="Overpaid period: first day", required_message="Enter the first day overpaid")
    period_end = DateField(label="Overpaid period: last day", required_message="Enter the last day overpaid")
    amount = MoneyField(
        label="Amount recovered from us",
        width=10,
        error_messages={"required": "Enter the amount the council recovered"},
    )
    recovered_on = DateField(
        label="Date the council recovered it", required_message="Enter the date the council recovered it"
    )
    recovery_method = forms.ChoiceField(
        label="How the council recovered it",
        choices=OverpaymentRecovery.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the council recovered it"},
    )
    schedule_reference = forms.CharField(
        label="Schedule or invoice reference (optional)", max_length=50, required=False
    )
    deducted_from_reference = PaymentReferenceField(
        label="Payment reference of the tenancy whose Housing Benefit was reduced (optional)",
        required=False,
        help_text="For a deduction from a schedule. Leave it empty if the council reduced this tenant's own Housing "
        "Benefit. That tenancy is credited with the full deduction: it is never their arrears.",
    )
    liability = forms.ChoiceField(
        label="Who bears it",
        choices=OverpaymentLiability.choices,
        widget=forms.RadioSelect,
        help_text="Recoverable: the tenant's rent account is charged with it. Blameless: we bear the loss and the "
        "tenant is not charged.",
        error_messages={"required": "Choose whether it is recoverable from the tenant or the landlord's loss"},
    )

    def clean(self):
        data = super().clean()
        reference = data.get("deducted_from_reference")
        data["deducted_from"] = None
        if reference:
            if data.get("recovery_method") != OverpaymentRecovery.SCHEDULE_DEDUCTION:
                self.add_error(
                    "deducted_from_reference",
                    "Only a deduction from a schedule reduces another tenancy's Housing Benefit: leave it empty.",
                )
                return data
            data["deducted_from"] = Tenancy.objects.filter(payment_reference=reference).first()
            if data["deducted_from"] is None:
                self.add_error(
                    "deducted_from_reference", f"No tenancy has the payment reference {reference}. Check it."
                )
        return data


class HbOverpaymentFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=[("", "Any"), *OverpaymentStatus.choices], required=False)
    council = forms.CharField(label="Council", required=False, max_length=150)


class HbRecoveredForm(GdsFormMixin, forms.Form):
    submit_label = "Mark as recovered"
    recovered_on = DateField(label="Date it was recovered from the tenant")


class HbWrittenOffForm(GdsFormMixin, forms.Form):
    submit_label = "Mark as written off"

    def __init__(self, *args, write_offs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["write_off"] = forms.ModelChoiceField(
            label="Approved write-off that covers it",
            queryset=write_offs,
            widget=forms.RadioSelect,
            error_messages={"required": "Choose the approved write-off"},
        )
        self.fields["write_off"].label_from_instance = lambda item: (
            f"{format_money(abs(item.amount))}, approved {item.decided_at:%-d %B %Y}: {item.reason[:60]}"
        )
