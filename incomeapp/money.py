"""Money: Decimal with 2 places, never float. The one place that rounds, parses and formats amounts.

Positive amounts are what a tenant owes (debits); negative amounts are credits.

Every amount a person types or a file carries is read by `parse_money`, one strict reader with an upper bound
(`MONEY_LIMIT` unless the caller passes its own `limit`): a form field (`incomeapp.forms.MoneyField`), the payment
import, the onboarding import, the rent change file and the direct debit return file all use it, so an absurd value is
a plain error where it was typed, never a server error or a corrupt posting.
"""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")

# The largest amount a person or a file may write: just under £10 million. Far beyond any rent, payment, balance,
# agreement or write-off in social housing, and a thousand times inside the ledger's 12 digits (`LEDGER_LIMIT`), so no
# typed or imported amount, nor the sum of many, can overflow a column. A caller with a tighter sense of "absurd"
# passes its own `limit` (the payment import keeps £1,000,000, the onboarding import £10,000 for a weekly charge).
MONEY_LIMIT = Decimal("9999999.99")
# What a money column (max_digits=12, decimal_places=2) can hold.
LEDGER_LIMIT = Decimal("9999999999.99")
# Text longer than this is not an amount ("-£9,999,999,999.99" is 18 characters); refused before it is looked at.
_LONGEST_TEXT = 40
# Digits before the decimal point beyond which a value is "too many digits" whatever the limit (internal sums too).
_MOST_DIGITS = 15
# How far a floating-point SUM of pounds and pence (SQLite) may be from a whole penny: far less than a penny.
_SUM_ERROR = Decimal("0.000001")
_EXAMPLE = "enter pounds and pence, like 12.50"

_PLAIN = re.compile(r"-?[0-9]{1,9}(?:\.[0-9]{1,2})?", re.ASCII)  # the hot path of an import: '12.50', '-3'
_NUMBER = re.compile(r"(?P<pounds>[0-9,]*)(?:\.(?P<pence>[0-9]*))?", re.ASCII)
_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:,[0-9]{3})*", re.ASCII)
_EXPONENT = re.compile(r"[0-9.]\s*[eE]\s*[-+]?\s*[0-9]")
_NOT_FINITE = {"nan", "snan", "qnan", "inf", "infinity"}
# Control, format (zero-width, bidi overrides), surrogate, private-use and unassigned characters.
_HIDDEN = {"Cc", "Cf", "Cs", "Co", "Cn"}


class MoneyError(ValueError):
    """A value that cannot be read as an amount of money; the message says what was wrong in plain English."""


def _shown(text: str) -> str:
    """The value quoted back to the person, or 'The amount' when quoting it would not help (too long, hidden
    characters)."""
    if len(text) <= 24 and text.isprintable():
        return f"'{text}'"
    return "The amount"


def _not_money(text: str) -> MoneyError:
    return MoneyError(f"{_shown(text)} is not an amount of money; {_EXAMPLE}.")


def parse_money(text: str, *, limit: Decimal | None = MONEY_LIMIT) -> Decimal:
    """Reads what a person or a file writes, strictly, and returns an exact amount with 2 places.

    Accepted: '1234.5', '£1,234.50', '-12', '+12', '£-12', '-£12', '(12.00)' or '(£12.00)' for a negative (a credit),
    spaces around the figure. Thousands commas only in groups of three ('1,234.50'; '1,0,0' is refused). At most two
    decimal places. The digits 0 to 9 only.

    Refused, each with a plain message (MoneyError): nothing given, scientific notation ('1e3', '1e308'), NaN and
    Infinity, hidden characters (NUL and other control characters, zero-width spaces, direction overrides), digits
    other than 0 to 9 (Arabic-Indic, full-width, superscripts), more than two decimal places, more than 15 digits,
    text over 40 characters, and an amount above `limit` either way (MONEY_LIMIT unless given; None for no bound
    beyond the digit count, for internal figures).
    """
    if not isinstance(text, str):
        raise TypeError("parse_money reads text; pass a str (use to_money for a Decimal or int).")
    if _PLAIN.fullmatch(text):
        return _bounded(Decimal(text).quantize(PENNY), text, limit)
    if len(text) > _LONGEST_TEXT:
        raise MoneyError(f"The amount is {len(text)} characters long, too long to be an amount of money; {_EXAMPLE}.")
    stripped = text.strip()
    if not stripped:
        raise MoneyError(f"No amount was given; {_EXAMPLE}.")
    if any(unicodedata.category(char) in _HIDDEN for char in stripped):
        raise MoneyError(
            "The amount contains a hidden character (such as a NUL, a control character or a zero-width space); "
            "type it again, like 12.50."
        )
    if any(char.isnumeric() and not "0" <= char <= "9" for char in stripped):
        raise MoneyError("The amount uses digits other than 0 to 9; type it with the digits 0 to 9, like 12.50.")
    if _EXPONENT.search(stripped):
        raise MoneyError(
            f"{_shown(stripped)} is not an amount of money: it is written as a power of ten (scientific notation); "
            "write the amount in full, like 1250.00."
        )
    body, negative = stripped, False
    if body.startswith("(") and body.endswith(")"):
        body, negative = body[1:-1].strip(), True
    signs = 0
    while body[:1] in ("-", "+", "£"):
        if body[0] == "£":
            if "£" in body[1:]:
                raise _not_money(stripped)
        else:
            signs += 1
            negative ^= body[0] == "-"
        body = body[1:].lstrip()
    if signs > 1 or (signs and stripped.startswith("(")) or body.lower() in _NOT_FINITE:
        raise _not_money(stripped)
    match = _NUMBER.fullmatch(body)
    if match is None or not (match["pounds"].replace(",", "") or match["pence"]):
        raise _not_money(stripped)
    pounds, pence = match["pounds"], match["pence"]
    if "," in pounds and not _GROUPED.fullmatch(pounds):
        raise MoneyError(
            f"{_shown(stripped)} is not an amount of money: its commas are in the wrong places; write thousands like "
            "1,234.50, or leave the commas out (1234.50)."
        )
    if pence is not None and len(pence) > 2:
        raise MoneyError(
            f"{_shown(stripped)} is not an amount of money: it has more than two decimal places (fractions of a "
            f"penny); {_EXAMPLE}."
        )
    if pence == "":
        raise _not_money(stripped)  # '12.' : a dot with nothing after it
    digits = pounds.replace(",", "").lstrip("0")
    if len(digits) > _MOST_DIGITS:
        raise MoneyError(f"The amount has too many digits ({len(digits)}) to be an amount of money; check it.")
    amount = Decimal(f"{digits or '0'}.{pence or '0'}").quantize(PENNY)
    if negative and amount:
        amount = -amount
    return _bounded(amount, stripped, limit)


def _bounded(amount: Decimal, text: str, limit: Decimal | None) -> Decimal:
    if limit is not None and abs(amount) > limit:
        raise MoneyError(
            f"{format_money(amount)} is more than the largest amount allowed here ({format_money(limit)}); "
            "check the amount."
        )
    if not amount:
        return ZERO  # never '-0.00'
    return amount


def to_money(value: Decimal | int | str) -> Decimal:
    """An exact amount with 2 places. Refuses floats and anything with fractions of a penny.

    Text is read by `parse_money` (strictly, with no upper bound but the digit count: internal figures such as
    totals pass through here); a Decimal or int must be finite and have whole pence.
    """
    if isinstance(value, float):
        raise TypeError("Money must not be a float; pass a Decimal, int or str.")
    if isinstance(value, str):
        return parse_money(value, limit=None)
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError) as error:
        raise MoneyError(f"'{value}' is not an amount of money.") from error
    if not amount.is_finite():
        raise MoneyError(f"'{value}' is not an amount of money.")
    if amount and amount.adjusted() >= _MOST_DIGITS:
        raise MoneyError("The amount has too many digits to be an amount of money; check it.")
    if amount != amount.quantize(PENNY):
        raise MoneyError(f"{value} has fractions of a penny; give pounds and pence, like 12.50.")
    return amount.quantize(PENNY)


def money_from_sum(value) -> Decimal:
    """A database SUM as exact money. PostgreSQL sums NUMERIC exactly. SQLite (the demo) sums as floating point, and
    Django hands that back as a float or as a Decimal of its 15 significant digits, so a sum of nothing may come back
    as 2.84217094304040E-14: an error far below half a penny, rounded to the penny here and nowhere else. A sum more
    than a millionth of a pound from a whole penny is no sum of pounds and pence, and is refused. A whole sum comes
    back from SQLite without its places (100 for 100.00): it is given them."""
    if value is None:
        return ZERO
    amount = value if isinstance(value, Decimal) else Decimal(value)
    if amount.is_finite() and amount.adjusted() < _MOST_DIGITS:
        penny = amount.quantize(PENNY)
        if abs(amount - penny) <= _SUM_ERROR:
            amount = penny
    return to_money(amount)


def parse_percentage(text: str, *, places: int = 3, limit: Decimal = Decimal("1000")) -> Decimal:
    """A percentage as a person writes it ('2.7', '-1', '2.7%'), with the same strictness as `parse_money`: the
    digits 0 to 9, no scientific notation or hidden characters, at most `places` decimal places, no more than
    `limit` either way. The caller checks its own range."""
    if not isinstance(text, str):
        raise TypeError("parse_percentage reads text.")
    stripped = text.strip().removesuffix("%").strip()
    example = "enter the percentage as a number, like 2.7"
    if len(text) > _LONGEST_TEXT or not stripped:
        raise MoneyError(f"No percentage was given; {example}." if not stripped else f"That is too long; {example}.")
    if any(unicodedata.category(char) in _HIDDEN for char in stripped) or any(
        char.isnumeric() and not "0" <= char <= "9" for char in stripped
    ):
        raise MoneyError(f"The percentage contains characters other than the digits 0 to 9; {example}.")
    match = re.fullmatch(r"([-+]?)([0-9]*)(?:\.([0-9]*))?", stripped, re.ASCII)
    if match is None or not (match[2] or match[3]):
        raise MoneyError(f"{_shown(stripped)} is not a number; {example}.")
    if match[3] is not None and len(match[3]) > places:
        raise MoneyError(f"Give the percentage with up to {places} decimal places, like 2.7.")
    whole = match[2].lstrip("0")
    if len(whole) > _MOST_DIGITS:
        raise MoneyError(f"The percentage has too many digits; {example}.")
    value = Decimal(f"{match[1]}{whole or '0'}.{match[3] or '0'}")
    if abs(value) > limit:
        raise MoneyError(f"{value.normalize():f}% is far outside any rent change; {example}.")
    return value


def apportion(amount: Decimal, part: int | Decimal, whole: int | Decimal) -> Decimal:
    """amount × part ÷ whole, rounded half up to the penny: the only rounding in the product.

    Used for monthly ↔ weekly conversion (apportion(monthly, 12, 52)) and part periods (apportion(weekly, days, 7)).
    """
    if whole == 0:
        raise ZeroDivisionError("Cannot apportion over a whole of zero.")
    return (Decimal(amount) * Decimal(part) / Decimal(whole)).quantize(PENNY, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal | None) -> str:
    """'£1,234.56', '-£12.00' for a credit, '' for no amount. Only at the edge: templates, PDFs, exports."""
    if amount is None:
        return ""
    amount = to_money(amount)
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"
