from crispy_forms_gds.fields import DateInputField
from django import forms

from incomeapp.forms import GdsFormMixin
from incomeapp.money import MoneyError, parse_money
from tenancies.models import Tenancy

from .constants import AccountKind, RequestKind
from .imports.formats import FORMATS
from .models import Account

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def tenancy_for_reference(reference: str) -> Tenancy:
    """The tenancy a person typed the payment reference of, or a plain-English error saying it does not exist."""
    reference = reference.strip().upper()
    tenancy = Tenancy.objects.filter(payment_reference=reference).first()
    if tenancy is None:
        raise forms.ValidationError(f"No tenancy has the payment reference {reference}. Check it and try again.")
    return tenancy


class PaymentFileForm(GdsFormMixin, forms.Form):
    submit_label = "Import payments"

    payment_file = forms.FileField(
        label="Payment file",
        help_text="A CSV file, up to 50 MB.",
        error_messages={"required": "Choose the payment file to import", "empty": "The file you chose is empty"},
    )
    format = forms.ChoiceField(
        label="What kind of file is it?",
        choices=[(fmt.name, fmt.label) for fmt in FORMATS.values()],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of file it is"},
    )

    def clean_payment_file(self):
        upload = self.cleaned_data["payment_file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 50 MB. Split it into smaller files and import each.")
        return upload


class MoneyField(forms.CharField):
    """Pounds and pence as people write them ('£1,234.50'), read by incomeapp.money."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_money(value)
        except MoneyError as error:
            raise forms.ValidationError(str(error)) from error


class SuspenseAllocateForm(GdsFormMixin, forms.Form):
    submit_label = "Allocate payment"

    payment_reference = forms.CharField(
        label="Payment reference of the tenancy to credit",
        max_length=20,
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


class AdjustmentRequestForm(GdsFormMixin, forms.Form):
    submit_label = "Send for approval"

    payment_reference = forms.CharField(
        label="Payment reference", max_length=20, error_messages={"required": "Enter the tenancy's payment reference"}
    )
    account_kind = forms.ChoiceField(label="Account", choices=AccountKind.choices, initial=AccountKind.RENT)
    kind = forms.ChoiceField(
        label="What do you need?",
        choices=RequestKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what you need"},
    )
    amount = MoneyField(
        label="Amount, in pounds",
        help_text="Adjustments: positive adds to what is owed, negative reduces it. Refunds and transfers: positive. "
        "Write-offs: negative.",
        error_messages={"required": "Enter the amount, like 25.00 or -25.00"},
    )
    to_payment_reference = forms.CharField(
        label="Transfer to payment reference", required=False, max_length=20, help_text="Only for transfers."
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

    def _account(self, reference_field: str, kind_field: str):
        try:
            tenancy = tenancy_for_reference(self.cleaned_data.get(reference_field) or "")
        except forms.ValidationError as error:
            self.add_error(reference_field, error)
            return None
        account, _ = Account.objects.get_or_create(tenancy=tenancy, kind=self.cleaned_data.get(kind_field) or "rent")
        return account

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("payment_reference"):
            cleaned["account"] = self._account("payment_reference", "account_kind")
        cleaned["to_account"] = None
        if cleaned.get("kind") == RequestKind.TRANSFER:
            if not cleaned.get("to_payment_reference"):
                self.add_error("to_payment_reference", "Enter the payment reference to transfer to")
            else:
                cleaned["to_account"] = self._account("to_payment_reference", "to_account_kind")
        return cleaned


class DecisionForm(GdsFormMixin, forms.Form):
    reason = forms.CharField(
        label="Reason for your decision",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1000,
        help_text="Needed when you reject a request.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.inputs = []  # the page shows two buttons: approve and reject


class MandateForm(GdsFormMixin, forms.Form):
    submit_label = "Set up direct debit"
    submit_name = "set_up"

    payment_reference = forms.CharField(
        label="Tenancy payment reference", max_length=20, error_messages={"required": "Enter the payment reference"}
    )
    reference = forms.CharField(
        label="Mandate reference", max_length=40, error_messages={"required": "Enter the bank's mandate reference"}
    )
    # A text box with a numeric keypad, as the GOV.UK Design System advises, rather than <input type=number>.
    collection_day = forms.CharField(
        label="Collection day of the month",
        max_length=2,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}),
        error_messages={"required": "Enter a collection day from 1 to 28"},
    )
    start_date = DateInputField(label="First collection", help_text="For example, 1 12 2026.")

    def clean_payment_reference(self):
        self.cleaned_data["tenancy"] = tenancy_for_reference(self.cleaned_data["payment_reference"])
        return self.cleaned_data["tenancy"].payment_reference

    def clean_collection_day(self):
        day = self.cleaned_data["collection_day"].strip()
        if not day.isdigit() or not 1 <= int(day) <= 28:
            raise forms.ValidationError("Enter a collection day from 1 to 28")
        return int(day)


class ReturnFileForm(GdsFormMixin, forms.Form):
    submit_label = "Post returned direct debits"
    submit_name = "returns"

    return_file = forms.FileField(
        label="Bank return file (CSV)",
        help_text="Columns: mandate_reference, collection_date, amount, reason_code.",
        error_messages={"required": "Choose the bank's return file"},
    )


class CheckResolveForm(GdsFormMixin, forms.Form):
    submit_label = "Resolve"

    outcome = forms.ChoiceField(
        label="What did you find?",
        choices=[("genuine", "Both payments are genuine"), ("reverse", "One was posted in error: reverse it")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what you found"},
    )
    reverse = forms.ChoiceField(label="Payment to reverse", required=False, choices=[])
    note = forms.CharField(label="What you found", max_length=255, error_messages={"required": "Say what you found"})

    def __init__(self, *args, transactions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reverse"].choices = [("", "Choose a payment")] + [
            (str(t.pk), f"{t.get_transaction_type_display()} {t.amount} on {t.effective_date:%d/%m/%Y} (#{t.pk})")
            for t in transactions
        ]
