"""Mobile numbers and email addresses in one form, so a reply, a STOP and a wrong-number report find the same
number however it was typed (07700 900123, +44 7700 900123, 0044 7700 900123). A UK mobile number is 07 and nine
more digits, as GOV.UK Notify checks it (Notify's test numbers, 07700 900000 and 07700 900111, are in Ofcom's drama
range, which stricter libraries refuse)."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

_PUNCTUATION = re.compile(r"[\s\-().]")


def normalise_mobile(raw: str) -> str:
    """The number in +447… form; raises ValidationError, in plain words, when it is not a UK mobile number."""
    digits = _PUNCTUATION.sub("", raw or "")
    for prefix in ("+44", "0044", "44"):
        if digits.startswith(prefix):
            digits = "0" + digits[len(prefix) :]
            break
    if not (digits.isdigit() and len(digits) == 11 and digits.startswith("07")):
        raise ValidationError(f"“{raw}” is not a UK mobile number. Enter one like 07700 900123.")
    return "+44" + digits[1:]


def mobile_or_blank(raw: str) -> str:
    """The number in +44 form, or "" when it is missing or not a mobile number (for reading stored records)."""
    try:
        return normalise_mobile(raw)
    except ValidationError:
        return ""


def normalise_email(raw: str) -> str:
    value = (raw or "").strip()
    validate_email(value)
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"
