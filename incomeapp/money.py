"""Money: Decimal with 2 places, never float. The one place that rounds, parses and formats amounts.

Positive amounts are what a tenant owes (debits); negative amounts are credits.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")


class MoneyError(ValueError):
    """A value that cannot be read as an amount of money; the message says what was wrong in plain English."""


def to_money(value: Decimal | int | str) -> Decimal:
    """An exact amount with 2 places. Refuses floats and anything with fractions of a penny."""
    if isinstance(value, float):
        raise TypeError("Money must not be a float; pass a Decimal, int or str.")
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError) as error:
        raise MoneyError(f"'{value}' is not an amount of money.") from error
    if not amount.is_finite():
        raise MoneyError(f"'{value}' is not an amount of money.")
    if amount != amount.quantize(PENNY):
        raise MoneyError(f"{value} has fractions of a penny; give pounds and pence, like 12.50.")
    return amount.quantize(PENNY)


def parse_money(text: str) -> Decimal:
    """Reads what a person or a file writes: '£1,234.50', '1234.5', '-12', '(12.00)' for a credit."""
    cleaned = text.strip().replace("£", "").replace(",", "").replace(" ", "")
    if cleaned.startswith("(") and cleaned.endswith(")"):
        cleaned = "-" + cleaned[1:-1]
    if not cleaned:
        raise MoneyError("No amount was given; enter pounds and pence, like 12.50.")
    try:
        return to_money(cleaned)
    except MoneyError as error:
        raise MoneyError(f"'{text.strip()}' is not an amount of money; enter pounds and pence, like 12.50.") from error


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
