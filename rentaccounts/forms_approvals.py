"""Forms for adjustment requests and decisions, account checks and direct debits (GOV.UK layout)."""

from crispy_forms_gds.fields import DateInputField
from django import forms

from incomeapp.forms import DecisionForm as BaseDecisionForm
from incomeapp.forms import GdsFormMixin
from tenancies.constants import PaymentMethod
from tenancies.references import PaymentReferenceField

from .constants import AccountKind, RequestKind, WriteOffReason
from .direct_debit_fields import CollectionDayField, MandateAmountField
from .forms import MoneyField, tenancy_for_reference
from .models import Account
from .services.account_checks import OUTCOME_CORRECTED, OUTCOME_GENUINE
from .services.approvals import transfer_destinations

MAX_RETURN_FILE_BYTES = 5 * 1024 * 1024


class AdjustmentRequestForm(GdsFormMixin, forms.Form):
    submit_label = "Send for approval"

    payment_reference = PaymentReferenceField(
        label="Payment reference", error_messages={"required": "Enter the tenancy's payment reference"}
    )
    account_kind = forms.ChoiceField(label="Account", choices=AccountKind.choices, initial=AccountKind.RENT)
    kind = forms.ChoiceField(
        label="What do you need?",
        # A write-on is asked for from the write-off it reverses, not here.
        choices=[(value, label) for value, label in RequestKind.choices if value != RequestKind.WRITE_ON],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what you need"},
    )
    amount = MoneyField(
        label="Amount, in pounds",
        help_text="Adjustments: positive adds to what is owed, negative reduces it. Refunds and transfers: positive. "
        "Write-offs: negative.",
        error_messages={"required": "Enter the amount, like 25.00 or -25.00"},
    )
    to_payment_reference = PaymentReferenceField(
        label="Transfer to payment reference",
        required=False,
        help_text="Only for transfers. A transfer moves money in credit to the same tenancy's other accounts (use its "
        "own reference) or to another tenancy of the same tenant. Anything else, such as a payment made to the wrong "
        "household's reference, needs an Income Manager to approve it.",
    )
    to_account_kind = forms.ChoiceField(
        label="Transfer to account", choices=AccountKind.choices, initial=AccountKind.RENT, required=False
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Give the reason: the person who decides needs it"},
    )
    write_off_reason = forms.ChoiceField(
        label="Why is the debt being written off?",
        choices=[("", "Choose a reason"), *WriteOffReason.choices],
        required=False,
        help_text="Only for write-offs.",
    )
    evidence = forms.CharField(
        label="What shows this",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text="Only for write-offs. For example the death certificate or the estate's reply, the tracing "
        "agent's report, the Insolvency Register entry, or a note of why you believe it.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._say_where_transfers_may_go()

    def _say_where_transfers_may_go(self) -> None:
        """Names the other tenancies of the same tenant, when the form already knows the tenancy it starts from."""
        reference = self.data.get("payment_reference") if self.is_bound else self.initial.get("payment_reference")
        try:
            tenancy = tenancy_for_reference(reference or "")
        except forms.ValidationError:
            return
        destinations = transfer_destinations(tenancy_id=tenancy.pk)
        if destinations:
            hint = f" The same tenant's other tenancies: {', '.join(destinations)}."
            self.fields["to_payment_reference"].help_text += hint

    def _account(self, reference_field: str, kind_field: str) -> Account | None:
        try:
            tenancy = tenancy_for_reference(self.cleaned_data.get(reference_field) or "")
        except forms.ValidationError as error:
            self.add_error(reference_field, error)
            return None
        account, _ = Account.objects.get_or_create(
            tenancy=tenancy, kind=self.cleaned_data.get(kind_field) or AccountKind.RENT
        )
        return account

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("payment_reference"):
            cleaned["account"] = self._account("payment_reference", "account_kind")
        cleaned["to_account"] = None
        if cleaned.get("kind") == RequestKind.WRITE_OFF:
            if not cleaned.get("write_off_reason"):
                self.add_error("write_off_reason", "Choose why the debt is being written off")
            if not (cleaned.get("evidence") or "").strip():
                self.add_error("evidence", "Say what shows this, or add a note")
        if cleaned.get("kind") == RequestKind.TRANSFER and "to_payment_reference" not in self.errors:
            if not cleaned.get("to_payment_reference"):
                self.add_error("to_payment_reference", "Enter the payment reference to transfer to")
            else:
                cleaned["to_account"] = self._account("to_payment_reference", "to_account_kind")
        return cleaned


class DecisionForm(BaseDecisionForm):
    keeps_it = "It stays on the account with the request."


class CheckResolveForm(GdsFormMixin, forms.Form):
    submit_label = "Resolve"

    outcome = forms.ChoiceField(
        label="What did you find?",
        choices=[
            (OUTCOME_GENUINE, "Both payments are genuine"),
            (OUTCOME_CORRECTED, "One was posted in error: reverse it"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what you found"},
    )
    reverse = forms.ChoiceField(
        label="Payment to reverse", required=False, choices=[], help_text="Only if one was posted in error."
    )
    note = forms.CharField(label="What you found", max_length=255, error_messages={"required": "Say what you found"})

    def __init__(self, *args, transactions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = {str(t.pk): t for t in transactions}
        self.fields["reverse"].choices = [("", "Choose a payment")] + [
            (pk, f"{t.get_transaction_type_display()} {t.amount} on {t.effective_date:%-d %B %Y} (#{t.pk})")
            for pk, t in self.lines.items()
        ]

    def clean(self):
        cleaned = super().clean()
        cleaned["reverse_transaction"] = None
        if cleaned.get("outcome") == OUTCOME_CORRECTED:
            if not cleaned.get("reverse"):
                self.add_error("reverse", "Choose the payment that was posted in error")
            else:
                cleaned["reverse_transaction"] = self.lines[cleaned["reverse"]]
        return cleaned


class MandateForm(GdsFormMixin, forms.Form):
    submit_label = "Set up direct debit"
    submit_name = "set_up"

    payment_reference = PaymentReferenceField(
        label="Tenancy payment reference", error_messages={"required": "Enter the payment reference"}
    )
    reference = forms.CharField(
        label="Mandate reference", max_length=40, error_messages={"required": "Enter the bank's mandate reference"}
    )
    collection_day = CollectionDayField()
    amount = MandateAmountField(help_text="Leave blank if the amount changes with the rent.")
    start_date = DateInputField(label="First collection", help_text="For example, 1 12 2026.")

    def clean_payment_reference(self):
        self.cleaned_data["tenancy"] = tenancy_for_reference(self.cleaned_data["payment_reference"])
        return self.cleaned_data["tenancy"].payment_reference


class MandateCancelForm(forms.Form):
    """Posted from each active mandate's row; the page writes its small form itself."""

    new_payment_method = forms.ChoiceField(
        choices=[(value, label) for value, label in PaymentMethod.choices if value != PaymentMethod.DIRECT_DEBIT],
        error_messages={
            "required": "Choose how the tenant will pay instead",
            "invalid_choice": "Choose how the tenant will pay instead",
        },
    )


class ReturnFileForm(GdsFormMixin, forms.Form):
    submit_label = "Post returned direct debits"
    submit_name = "returns"

    return_file = forms.FileField(
        label="Bank return file (CSV)",
        help_text="Columns: mandate_reference, collection_date, amount, reason_code. Up to 5 MB.",
        error_messages={"required": "Choose the bank's return file", "empty": "The file you chose is empty"},
    )

    def clean_return_file(self):
        upload = self.cleaned_data["return_file"]
        if upload.size > MAX_RETURN_FILE_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB. Split it into smaller files and post each.")
        return upload
