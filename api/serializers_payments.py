"""POST /api/v1/payments/: what a payment provider sends, checked in full before anything is posted, and the answer
(each payment's outcome, in request order, with totals). See docs/api.md."""

import re
from decimal import Decimal

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rentaccounts.imports.services import LARGEST_AMOUNT, METHOD_ALIASES

MOST_PAYMENTS = 1000
_AMOUNT = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,2})?", re.ASCII)
_METHODS = ", ".join(sorted(METHOD_ALIASES))


class _PlainText(serializers.CharField):
    """Text on one line: no control characters (a payment line in the file must stay one line)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("Send this as text (a JSON string).")
        value = super().to_internal_value(data)
        if not value.isprintable():
            raise serializers.ValidationError(
                "This contains a control character (such as a line break or a NUL); send the value without it."
            )
        return value


@extend_schema_field({"type": "string", "enum": sorted(METHOD_ALIASES)})
class PaymentMethodField(serializers.CharField):
    """One of the generic payment file's method names (any case): the schema lists them."""


@extend_schema_field({"type": "string", "pattern": r"^(?!0+(\.0+)?$)[0-9]{1,6}(\.[0-9]{1,2})?$", "example": "12.50"})
class PaymentAmountField(serializers.Field):
    """Pounds and pence as a JSON string, "12.50": positive, at most 2 decimal places, never a float."""

    default_error_messages = {
        "not_text": 'Send the amount as a string of pounds and pence, such as "12.50", not a number.',
        "not_money": '{shown} is not an amount of money; send pounds and pence, such as "12.50".',
        "places": '{shown} has more than 2 decimal places; send pounds and pence, such as "12.50".',
        "not_positive": "The amount must be more than 0.00. A returned payment is reversed on the account by an "
        "officer, not sent as a payment.",
        "too_large": "£{value:,} is far more than any rent payment; check the amount (it is in pounds, not pence).",
    }

    def to_internal_value(self, data) -> Decimal:
        if not isinstance(data, str):
            self.fail("not_text")
        text = data.strip()
        shown = f"'{text}'" if len(text) <= 24 and text.isprintable() else "The amount"
        if text.startswith("-"):
            self.fail("not_positive")
        if re.fullmatch(r"[0-9]+\.[0-9]{3,}", text, re.ASCII):
            self.fail("places", shown=shown)
        if not _AMOUNT.fullmatch(text):
            self.fail("not_money", shown=shown)
        value = Decimal(text).quantize(Decimal("0.01"))
        if value <= 0:
            self.fail("not_positive")
        if value >= LARGEST_AMOUNT:
            self.fail("too_large", value=value)
        return value

    def to_representation(self, value) -> str:
        return f"{Decimal(value):.2f}"


class PaymentDateField(serializers.DateField):
    default_error_messages = {
        "invalid": "Send the date the payment was made as YYYY-MM-DD, for example 2026-11-23.",
        "future": "The date {value} is in the future. Send the date the payment was made.",
    }

    def __init__(self, **kwargs):
        super().__init__(input_formats=["iso-8601"], **kwargs)

    def to_internal_value(self, value):
        if not isinstance(value, str):
            self.fail("invalid")
        day = super().to_internal_value(value)
        if day > timezone.localdate():
            self.fail("future", value=day.isoformat())
        return day


class PaymentIn(serializers.Serializer):
    payment_reference = _PlainText(
        max_length=50,
        help_text="The tenancy's payment reference, as the tenant quoted it. One no tenancy has is held in suspense.",
        error_messages={"required": "Send the payment reference the tenant quoted.", "blank": "Send the payment "
                        "reference the tenant quoted; it is blank."},
    )  # fmt: skip
    amount = PaymentAmountField(help_text='Pounds and pence received, as a string: "12.50". More than 0.00.')
    date = PaymentDateField(help_text="The day the payment was made (YYYY-MM-DD); not in the future.")
    method = PaymentMethodField(
        required=False,
        allow_blank=True,
        max_length=30,
        help_text=f"How it was paid, one of: {_METHODS} (any case). Leave out if not known.",
    )
    transaction_id = _PlainText(
        max_length=100,
        help_text="Your own id for the payment (the provider's). A payment whose id was posted before is never "
        "posted again.",
        error_messages={
            "required": "Send your own id for this payment (transaction_id), so a repeat is never posted twice.",
            "blank": "The transaction_id is blank; send your own id for this payment, so a repeat is never posted "
            "twice.",
            "max_length": "The transaction_id is longer than 100 characters; send a shorter id.",
        },
    )

    def validate_method(self, value: str) -> str:
        value = value.strip()
        if value and value.lower() not in METHOD_ALIASES:
            raise serializers.ValidationError(
                f"'{value[:30]}' is not a payment method we know. Send one of: {_METHODS}; or leave it out."
            )
        return value.lower()


class PaymentsIn(serializers.Serializer):
    payments = PaymentIn(
        many=True,
        allow_empty=False,
        max_length=MOST_PAYMENTS,
        help_text=f"1 to {MOST_PAYMENTS} payments. If any has a problem, none is posted.",
    )

    def validate(self, attrs):
        first_at: dict[str, int] = {}
        errors: list[dict] = []
        for index, payment in enumerate(attrs["payments"]):
            seen = first_at.setdefault(payment["transaction_id"], index)
            errors.append(
                {}
                if seen == index
                else {
                    "transaction_id": [
                        f"The transaction_id '{payment['transaction_id']}' is also in payment {seen} of this "
                        f"request; send each payment once."
                    ]
                }
            )
        if any(errors):
            raise serializers.ValidationError({"payments": errors})
        return attrs

    def to_internal_value(self, data):
        if isinstance(data, dict) and isinstance(data.get("payments"), list):
            count = len(data["payments"])
            if count > MOST_PAYMENTS:
                raise serializers.ValidationError(
                    {"payments": [f"{count} payments is more than {MOST_PAYMENTS}; send them in several requests."]}
                )
            if count == 0:
                raise serializers.ValidationError({"payments": ["Send at least one payment."]})
        return super().to_internal_value(data)


# ---- the answer ------------------------------------------------------------------------------------------------------


class PaymentLedgerLineOut(serializers.Serializer):
    id = serializers.IntegerField(help_text="The ledger line (transaction) id.")
    account_id = serializers.IntegerField(help_text="The rent account (or sub-account) it was posted to.")
    account_kind = serializers.CharField(help_text="rent, or a sub-account such as court_costs.")
    amount = serializers.CharField(help_text='As on the ledger: negative is a credit to the tenant, "-12.50".')
    effective_date = serializers.DateField()


class PaymentOutcomeOut(serializers.Serializer):
    transaction_id = serializers.CharField()
    payment_reference = serializers.CharField()
    amount = serializers.CharField(help_text='The amount sent, "12.50".')
    outcome = serializers.ChoiceField(
        choices=[
            ("posted", "Posted to the tenancy's account"),
            ("suspense", "Held in suspense for an officer, with the reason"),
            ("already_posted", "Posted before (same transaction_id): not posted again"),
            ("rejected", "Not posted, with the reason"),
        ]
    )
    reason = serializers.CharField(help_text="Why it was not posted, in plain English; blank when posted.")
    transactions = PaymentLedgerLineOut(
        many=True,
        help_text="Posted: the ledger lines this request made (a payment can clear a sub-account first, so more than "
        "one). Already posted: the ledger lines of the earlier posting.",
    )
    suspense_item_id = serializers.IntegerField(allow_null=True, help_text="The suspense item, when held.")


class PaymentTotalsOut(serializers.Serializer):
    payments = serializers.IntegerField()
    posted = serializers.IntegerField()
    posted_amount = serializers.CharField(help_text='The sum of the payments posted, "12.50".')
    suspense = serializers.IntegerField()
    suspense_amount = serializers.CharField()
    already_posted = serializers.IntegerField()
    rejected = serializers.IntegerField()


class PaymentsPostedOut(serializers.Serializer):
    batch_id = serializers.IntegerField(help_text="The import batch (shown on the Payments page as 'API ...').")
    payments = PaymentOutcomeOut(many=True, help_text="Each payment's outcome, in the order sent.")
    totals = PaymentTotalsOut()
