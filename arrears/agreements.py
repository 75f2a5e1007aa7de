"""Agreement monitoring, pure: is an arrangement to pay being kept on a given day?

The rule is the published breach check (income-management.md §3): with a tolerance of T days (5 by default), the first
instalment is due T days after the start. Expected balance = starting balance − the initial lump sum (once its date +
T has arrived) − instalments due so far × amount, where instalments = whole cycles since the first due date + 1
(cycles of 7, 14 or 28 days; whole calendar months for monthly and one-off), none before the first due date; floored
at zero. The state is *completed* when the balance is at or below zero, *breached* when the balance is above the
expected balance, otherwise *live*.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from incomeapp.money import ZERO, format_money

CYCLE_DAYS = {"weekly": 7, "fortnightly": 14, "four_weekly": 28}


@dataclass(frozen=True)
class AgreementTerms:
    starts_on: date
    frequency: str  # weekly, fortnightly, four_weekly, monthly, one_off
    amount: Decimal
    starting_balance: Decimal
    initial_payment: Decimal = ZERO
    initial_payment_on: date | None = None
    tolerance_days: int = 5


@dataclass(frozen=True)
class AgreementCheck:
    state: str  # live, breached, completed
    expected_balance: Decimal
    balance: Decimal
    note: str


def instalments_due(terms: AgreementTerms, on: date) -> int:
    first_due = terms.starts_on + timedelta(days=terms.tolerance_days)
    if on < first_due:
        return 0
    if terms.frequency in CYCLE_DAYS:
        return (on - first_due).days // CYCLE_DAYS[terms.frequency] + 1
    months = relativedelta(on, first_due)
    return months.years * 12 + months.months + 1


def expected_balance(terms: AgreementTerms, on: date) -> Decimal:
    expected = terms.starting_balance
    if (
        terms.initial_payment
        and terms.initial_payment_on is not None
        and on >= terms.initial_payment_on + timedelta(days=terms.tolerance_days)
    ):
        expected -= terms.initial_payment
    expected -= instalments_due(terms, on) * terms.amount
    return max(expected, ZERO)


def agreement_check(terms: AgreementTerms, *, balance: Decimal, on: date) -> AgreementCheck:
    expected = expected_balance(terms, on)
    if balance <= 0:
        return AgreementCheck("completed", expected, balance, f"Completed on {on:%d/%m/%Y}")
    if balance > expected:
        return AgreementCheck("breached", expected, balance, f"Breached by {format_money(balance - expected)}")
    ahead = expected - balance
    return AgreementCheck("live", expected, balance, f"Kept: {format_money(ahead)} ahead" if ahead else "Kept: on plan")
