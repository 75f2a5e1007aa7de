"""POST /api/v1/contacts/: a contact from the landlord's CRM for a tenancy's arrears diary, and the answer
(docs/api.md)."""

import re
from decimal import Decimal

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from arrears.constants import RECORDABLE_OUTCOMES, ContactKind, ContactOutcome, NonPaymentReason

_AMOUNT = re.compile(r"[0-9]{1,7}(?:\.[0-9]{1,2})?", re.ASCII)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NOTES_LONGEST = 10_000
OUTCOMES = [(value, ContactOutcome(value).label) for value in RECORDABLE_OUTCOMES]


def _choice(choices, what: str, *, required: bool = True, allow_blank: bool = False, help_text: str = ""):
    values = [value for value, _ in choices]
    allowed = ", ".join(values)
    return serializers.ChoiceField(
        choices=choices,
        required=required,
        allow_blank=allow_blank,
        help_text=help_text or f"One of: {allowed}.",
        error_messages={
            "invalid_choice": f"'{{input}}' is not {what} we know. Send one of: {allowed}.",
            "required": f"Send {what}: one of {allowed}.",
        },
    )


class _Text(serializers.CharField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("Send this as text (a JSON string).")
        value = super().to_internal_value(data)
        if _CONTROL.search(value):
            raise serializers.ValidationError(
                "This contains a control character (such as a NUL); send the text without it."
            )
        return value


@extend_schema_field({"type": "string", "pattern": r"^(?!0+(\.0+)?$)[0-9]{1,7}(\.[0-9]{1,2})?$", "example": "25.00"})
class ContactMoneyField(serializers.Field):
    default_error_messages = {
        "invalid": 'Send the amount promised as a string of pounds and pence, such as "25.00", more than 0.00.',
    }

    def to_internal_value(self, data) -> Decimal:
        if not isinstance(data, str) or not _AMOUNT.fullmatch(data.strip()):
            self.fail("invalid")
        value = Decimal(data.strip()).quantize(Decimal("0.01"))
        if value <= 0:
            self.fail("invalid")
        return value

    def to_representation(self, value) -> str:
        return f"{Decimal(value):.2f}"


class _IsoDate(serializers.DateField):
    default_error_messages = {"invalid": "Send the date as YYYY-MM-DD, for example 2026-11-23."}

    def __init__(self, **kwargs):
        super().__init__(input_formats=["iso-8601"], **kwargs)

    def to_internal_value(self, value):
        if not isinstance(value, str):
            self.fail("invalid")
        return super().to_internal_value(value)


class ContactIn(serializers.Serializer):
    payment_reference = _Text(
        max_length=20,
        help_text="The tenancy's payment reference. The contact goes in the diary of its open arrears case.",
        error_messages={"required": "Send the payment reference of the tenancy the contact was about."},
    )
    kind = _choice(ContactKind.choices, "a kind of contact")
    outcome = _choice(OUTCOMES, "an outcome a person can record")
    occurred_on = _IsoDate(help_text="The day it happened (YYYY-MM-DD); not in the future.")
    notes = _Text(required=False, allow_blank=True, max_length=NOTES_LONGEST, default="")
    person = _Text(
        required=False,
        allow_blank=True,
        max_length=60,
        default="",
        help_text="Who it was with: the named tenant's source_reference (their key in your housing management "
        "system). Leave out if not one person.",
    )
    promise_amount = ContactMoneyField(
        required=False, allow_null=True, default=None, help_text='A promise to pay: how much, "25.00".'
    )
    promise_on = _IsoDate(required=False, allow_null=True, default=None, help_text="A promise to pay: by when.")
    non_payment_reason = _choice(NonPaymentReason.choices, "a reason for not paying", required=False, allow_blank=True)

    def validate_occurred_on(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError(
                f"The date {value.isoformat()} is in the future. Send the date the contact happened."
            )
        return value

    def validate_payment_reference(self, value: str) -> str:
        return value.strip().upper()

    def validate(self, attrs):
        amount, on = attrs.get("promise_amount"), attrs.get("promise_on")
        if (amount is None) != (on is None):
            missing = "promise_on" if on is None else "promise_amount"
            raise serializers.ValidationError(
                {missing: ["A promise to pay needs both an amount (promise_amount) and a date (promise_on)."]}
            )
        return attrs


class ContactRecommendationOut(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField(help_text="The recommended next step's code.")
    label = serializers.CharField(help_text="The recommended next step, in words.")


class ContactRecordedOut(serializers.Serializer):
    id = serializers.IntegerField(help_text="The contact's id in the diary.")
    case_id = serializers.IntegerField(help_text="The arrears case whose diary it is in.")
    payment_reference = serializers.CharField()
    kind = serializers.CharField()
    outcome = serializers.CharField()
    occurred_on = serializers.DateField()
    person = serializers.CharField(allow_null=True, help_text="The named tenant's source_reference, if given.")
    notes = serializers.CharField()
    promise_amount = serializers.CharField(allow_null=True)
    promise_on = serializers.DateField(allow_null=True)
    non_payment_reason = serializers.CharField()
    recorded_by = serializers.CharField(help_text="Your client's service user: the diary shows it as the recorder.")
    re_review_requested = serializers.BooleanField(
        help_text="A contact asks for the case's recommended next step to be worked out again."
    )
    recommendation = ContactRecommendationOut(
        allow_null=True, help_text="The case's recommended next step after the contact (null if none yet)."
    )
