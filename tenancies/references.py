"""Payment references: the number a tenant quotes with every payment, and the key every payment file is matched by.

Rentwise makes references of one shape: the prefix from settings `PAYMENT_REFERENCE_PREFIX` (default "RW"), seven
digits and a check digit, for example RW00000018. The check digit is the Luhn (mod 10) digit over the eight digits: it
catches every single mistyped digit and every swap of two neighbouring digits except 0 and 9 (09 ↔ 90), so a slip of
the keyboard gives a reference that is refused, never another tenant's.

A reference of any other shape (a landlord's own references loaded from its old system, the demo's RW000001) is
accepted as it is: a landlord keeps the references its tenants already pay with. Only a reference that looks like ours
(the prefix and exactly eight digits) is checked. A landlord whose own references happen to look like that should
choose another prefix before going live.

`payment_reference_check` and `payment_reference_problem` are pure; `payment_reference_next` reads the database and,
on PostgreSQL, takes the next number from a sequence, so two officers never get the same reference and a number once
given out (even on a page that was then abandoned) is never given again.
"""

import re
from functools import lru_cache

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction

DEFAULT_PREFIX = "RW"
SERIAL_DIGITS = 7
_SEQUENCE = "tenancies_payment_reference_seq"
_SEQUENCE_LOCK = 7_340_101  # advisory lock key: one session creates the sequence


def payment_reference_prefix() -> str:
    return str(getattr(settings, "PAYMENT_REFERENCE_PREFIX", DEFAULT_PREFIX) or DEFAULT_PREFIX).strip().upper()


def luhn_check_digit(digits: str) -> str:
    """The digit that makes `digits` + it pass the Luhn check: from the right, every second digit (starting with the
    rightmost of `digits`) is doubled, less 9 when above 9; the check digit brings the sum to a multiple of 10."""
    if not digits.isdigit():
        raise ValueError(f"{digits!r} is not all digits.")
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def luhn_valid(digits: str) -> bool:
    """Whether the last digit of `digits` is the Luhn check digit of the ones before it."""
    return len(digits) >= 2 and digits.isdigit() and luhn_check_digit(digits[:-1]) == digits[-1]


@lru_cache(maxsize=16)
def _shape(prefix: str) -> re.Pattern:
    return re.compile(rf"^{re.escape(prefix)}(\d{{{SERIAL_DIGITS + 1}}})$")


def payment_reference_for(serial: int, *, prefix: str | None = None) -> str:
    """The reference for a serial number: the prefix, the serial as seven digits, and its check digit."""
    if not 0 < serial < 10**SERIAL_DIGITS:
        raise ValueError(f"A payment reference serial runs from 1 to {10**SERIAL_DIGITS - 1}, not {serial}.")
    digits = f"{serial:0{SERIAL_DIGITS}d}"
    return f"{prefix if prefix is not None else payment_reference_prefix()}{digits}{luhn_check_digit(digits)}"


def payment_reference_normalise(text: str, *, prefix: str | None = None) -> str:
    """A reference as a person typed it, tidied: no surrounding spaces, capitals; spaces inside are dropped only when
    what is left has our shape ('rw 0000 0018' → 'RW00000018'), since a landlord's own references may contain them."""
    reference = (text or "").strip().upper()
    compact = re.sub(r"\s+", "", reference)
    if compact != reference and is_our_shape(compact, prefix=prefix):
        return compact
    return reference


def is_our_shape(reference: str, *, prefix: str | None = None) -> bool:
    """Whether the reference looks like one Rentwise makes: the prefix and exactly eight digits."""
    return bool(_shape(prefix if prefix is not None else payment_reference_prefix()).match(reference))


def payment_reference_problem(reference: str, *, prefix: str | None = None) -> str | None:
    """The plain-English reason a reference cannot be right, or None. Only references in our shape are checked."""
    prefix = prefix if prefix is not None else payment_reference_prefix()
    match = _shape(prefix).match(reference)
    if match is None or luhn_valid(match.group(1)):
        return None
    return (
        f"{reference} is not a valid payment reference: its last digit (the check digit) does not match. "
        "Check the reference on the tenant's rent card or letter."
    )


def payment_reference_check(reference: str) -> None:
    """Raises ValidationError (code "check_digit") when a reference in our shape has a wrong check digit. References
    of any other shape are accepted as they are."""
    problem = payment_reference_problem(reference)
    if problem:
        raise ValidationError(problem, code="check_digit")


def payment_reference_validator(value: str) -> None:
    """For model and form fields: the check on the tidied value."""
    payment_reference_check(payment_reference_normalise(value))


class PaymentReferenceField(forms.CharField):
    """Every form where a person types a payment reference uses this field: it tidies what was typed (capitals, no
    stray spaces) and refuses a reference in our shape whose check digit is wrong, before anything is looked up."""

    default_validators = [payment_reference_validator]

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("label", "Payment reference")
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("spellcheck", "false")
        self.widget.attrs.setdefault("autocomplete", "off")

    def to_python(self, value):
        value = super().to_python(value)
        return payment_reference_normalise(value) if value else value


# ---- the next reference ---------------------------------------------------------------------------------------------


def _highest_serial(prefix: str) -> int:
    """The highest serial among tenancies' references in our shape (they sort as their numbers: fixed length)."""
    from .models import Tenancy

    pattern = rf"^{re.escape(prefix)}[0-9]{{{SERIAL_DIGITS + 1}}}$"
    highest = (
        Tenancy.objects.filter(payment_reference__regex=pattern)
        .order_by("-payment_reference")
        .values_list("payment_reference", flat=True)
        .first()
    )
    return int(highest[len(prefix) : len(prefix) + SERIAL_DIGITS]) if highest else 0


def _next_serial_postgres(prefix: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [_SEQUENCE])
        if cursor.fetchone()[0] is None:
            # Made on first use, started after any reference already held. The lock lasts to the end of the
            # transaction, so one session at a time makes it and the others then find it.
            with transaction.atomic():
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEQUENCE_LOCK])
                cursor.execute(
                    f"CREATE SEQUENCE IF NOT EXISTS {_SEQUENCE} MINVALUE 1 MAXVALUE {10**SERIAL_DIGITS - 1} "
                    f"START WITH {_highest_serial(prefix) + 1}"
                )
        cursor.execute("SELECT nextval(%s)", [_SEQUENCE])
        return int(cursor.fetchone()[0])


def payment_reference_next() -> str:
    """The next unused reference. On PostgreSQL a sequence hands out the numbers, so two sign-ups at once never get
    the same one and a number is never given out twice; a number already held by a loaded tenancy is skipped.
    Elsewhere (the SQLite demo) it is one more than the highest in use."""
    from .models import Tenancy

    prefix = payment_reference_prefix()
    postgres = connection.vendor == "postgresql"
    serial = _next_serial_postgres(prefix) if postgres else _highest_serial(prefix) + 1
    while True:
        reference = payment_reference_for(serial, prefix=prefix)
        if not Tenancy.objects.filter(payment_reference=reference).exists():
            return reference
        serial = _next_serial_postgres(prefix) if postgres else serial + 1
