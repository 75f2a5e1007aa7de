"""Reading one cell of an onboarding file: each reader takes the cell's stripped text and returns the value, or raises
`CellError` with what is wrong and what to do."""

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from incomeapp.money import MoneyError, parse_money
from messaging.addresses import normalise_mobile
from tenancies.references import payment_reference_normalise, payment_reference_problem
from tenancies.services_homes import POSTCODE, postcode_normalise
from tenancies.services_people import _phone_problem as phone_problem

LARGEST_WEEKLY_CHARGE = Decimal("10000.00")
LARGEST_BALANCE = Decimal("1000000.00")
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)


class CellError(ValueError):
    """A cell that cannot be read; the message says what is wrong and what to do."""


# --- cell readers: each takes the stripped text (never empty: blanks are handled by the column) -----------------


def text(max_length: int) -> Callable[[str], str]:
    """One line of text; runs of spaces inside it become one (as the screens store it)."""

    def read(value: str) -> str:
        if "  " in value or "\t" in value or "\n" in value:
            value = " ".join(value.split())
        if len(value) > max_length:
            raise CellError(f"This is {len(value)} characters long; the most it can take is {max_length}. Shorten it.")
        return value

    read.kind = f"text, up to {max_length} characters"
    read.plain_text = max_length
    return read


def multiline(max_length: int = 2000) -> Callable[[str], str]:
    """An address block or notes: lines inside a quoted cell, or separated by ' | '."""

    def read(value: str) -> str:
        lines = [line.strip() for line in re.split(r"\r\n|\r|\n|\|", value)]
        joined = "\n".join(line for line in lines if line)
        if len(joined) > max_length:
            raise CellError(f"This is {len(joined)} characters long; the most it can take is {max_length}.")
        return joined

    read.kind = "text; separate lines with | or line breaks inside quotes"
    return read


@lru_cache(maxsize=65536)
def read_date(value: str) -> date:
    """YYYY-MM-DD, or DD/MM/YYYY (day first, the UK way). Cached: a file repeats its dates."""
    try:
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            day = date.fromisoformat(value)
        else:
            day = datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        raise CellError(
            f"'{value}' is not a date. Write dates as YYYY-MM-DD (for example 2027-04-05) or DD/MM/YYYY."
        ) from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise CellError(f"{day:%-d %B %Y} is not a likely date; check the year.")
    return day


read_date.kind = "date, YYYY-MM-DD (DD/MM/YYYY also accepted)"
read_date.cacheable = True


def read_monday(value: str) -> date:
    day = read_date(value)
    if day.weekday() != 0:
        raise CellError(f"{day:%-d %B %Y} is a {day:%A}; a rent week starts on a Monday. Give the Monday.")
    return day


read_monday.kind = "date of a Monday"
read_monday.cacheable = True


@lru_cache(maxsize=65536)
def read_money(value: str) -> Decimal:
    """Pounds and pence as a plain decimal ('95.50', '-12.00'); '£1,234.50' is read too. Cached: amounts repeat.

    The product's one strict money parser (incomeapp.money.parse_money, bounded by MONEY_LIMIT); the columns then
    apply their own, tighter bounds (LARGEST_WEEKLY_CHARGE, LARGEST_BALANCE)."""
    try:
        return parse_money(value)
    except MoneyError as error:
        raise CellError(str(error)) from error


read_money.kind = "money, pounds and pence like 95.50 (negative for a credit)"
read_money.cacheable = True


def weekly_charge(value: str) -> Decimal:
    amount = read_money(value)
    if amount < 0:
        raise CellError(f"A charge cannot be negative ({value}). Give the amount due, like 95.50.")
    if amount >= LARGEST_WEEKLY_CHARGE:
        raise CellError(f"£{amount:,} is far more than any charge; check the amount.")
    return amount


weekly_charge.kind = "money, 0 or more, like 95.50"
weekly_charge.cacheable = True


def balance(value: str) -> Decimal:
    amount = read_money(value)
    if abs(amount) >= LARGEST_BALANCE:
        raise CellError(f"£{amount:,} is far more than any rent balance; check the amount.")
    return amount


balance.kind = "money; positive is owed by the tenant, negative is in credit"
balance.cacheable = True


def integer(lowest: int, highest: int) -> Callable[[str], int]:
    def read(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise CellError(f"'{value}' is not a whole number; give a number from {lowest} to {highest}.") from None
        if not lowest <= number <= highest:
            raise CellError(f"{number} is outside {lowest} to {highest}.")
        return number

    read.kind = f"whole number, {lowest} to {highest}"
    read.cacheable = True
    return read


_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


def yes_no(value: str) -> bool:
    lowered = value.lower()
    if lowered in _YES:
        return True
    if lowered in _NO:
        return False
    raise CellError(f"'{value}' is not yes or no; write yes or no.")


yes_no.kind = "yes or no"
yes_no.cacheable = True


def _normalise(value: str) -> str:
    return re.sub(r"[\s\-_/]+", " ", value.strip().lower())


def choice(choices, aliases: dict[str, str] | None = None) -> Callable[[str], str]:
    """One of a TextChoices' values, read by its code or its label, in any case; plus a few common aliases."""
    known: dict[str, str] = {}
    for value, label in choices.choices:
        known[_normalise(value)] = value
        known[_normalise(label)] = value
    for alias, value in (aliases or {}).items():
        known[_normalise(alias)] = value
    listed = ", ".join(choices.values)

    def read(value: str) -> str:
        found = known.get(_normalise(value))
        if found is None:
            raise CellError(f"'{value}' is not one of the values this column takes: {listed}.")
        return found

    read.kind = f"one of: {listed}"
    read.cacheable = True
    return read


def email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        raise CellError(f"'{value}' is not an email address; correct it or leave it blank.") from None
    if len(value) > 254:
        raise CellError("This email address is longer than 254 characters.")
    return value


email.kind = "email address"


def reference(value: str) -> str:
    """A source system's own key: kept exactly as written (spaces inside it too), up to 60 characters."""
    if len(value) > 60:
        raise CellError(f"This reference is {len(value)} characters long; the most is 60.")
    return value


reference.kind = "the source system's reference, up to 60 characters"
reference.plain_text = 60
reference.keeps_spaces = True


def payment_reference_cell(value: str) -> str:
    cleaned = payment_reference_normalise(value)
    if len(cleaned) > 20:
        raise CellError(f"This payment reference is {len(cleaned)} characters long; the most is 20.")
    problem = payment_reference_problem(cleaned)
    if problem:
        raise CellError(problem)
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9 /\-]*", cleaned):
        raise CellError(f"'{value}' has characters a payment reference cannot have; use letters, digits, - and /.")
    return cleaned


payment_reference_cell.kind = "the reference the tenant pays with, up to 20 letters and digits"


def postcode(value: str) -> str:
    cleaned = postcode_normalise(value)
    if not POSTCODE.match(cleaned):
        raise CellError(f"'{value}' is not a postcode. Give a real postcode, like BS1 6TY.")
    return cleaned


postcode.kind = "UK postcode"
postcode.cacheable = True


def phone(value: str) -> str:
    value = " ".join(value.split())
    if len(value) > 30:
        raise CellError("This phone number is longer than 30 characters.")
    problem = phone_problem(value)
    if problem:
        raise CellError(f"{problem}; or leave it blank.")
    return value


phone.kind = "UK phone number (10 or 11 digits), or +country code for overseas"


def mobile(value: str) -> str:
    """A UK mobile number, stored in +44 form so replies and delivery reports find it (messaging.addresses)."""
    try:
        return normalise_mobile(value)
    except ValidationError as error:
        raise CellError(f"{error.messages[0]} Or leave it blank.") from None


mobile.kind = "UK mobile number (07 and 9 more digits)"
mobile.cacheable = True


def uprn(value: str) -> str:
    if not value.isdigit() or len(value) > 12:
        raise CellError(f"'{value}' is not a UPRN: a UPRN is up to 12 digits.")
    return value


uprn.kind = "up to 12 digits"
