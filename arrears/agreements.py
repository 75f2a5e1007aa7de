"""Agreement monitoring, pure: is an arrangement to pay being kept on a given day, and why did its figures change?

The rule is the published breach check (income-management.md §3): with a tolerance of T days (5 by default), the first
instalment is due T days after the start, unless the terms give their own first date (a court order's first payment,
`first_due_on`), when it is due on that date. Expected balance = starting balance − the initial lump sum (once its
date + T has arrived) − instalments due so far × amount, where instalments = whole cycles since the first due date + 1
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
    first_due_on: date | None = None  # the terms' own first date (a court order's); else start + tolerance
    court_order: bool = False  # the terms of a suspended or postponed order (or an adjournment on terms)


@dataclass(frozen=True)
class AgreementCheck:
    state: str  # live, breached, completed
    expected_balance: Decimal
    balance: Decimal
    note: str


def first_due(terms: AgreementTerms) -> date:
    """When the first instalment is due: the terms' own date, else the start plus the tolerance."""
    if terms.first_due_on is not None:
        return terms.first_due_on
    return terms.starts_on + timedelta(days=terms.tolerance_days)


def instalment_due_on(terms: AgreementTerms, number: int) -> date:
    """The date instalment `number` (1 for the first) falls due."""
    start = first_due(terms)
    if terms.frequency in CYCLE_DAYS:
        return start + timedelta(days=CYCLE_DAYS[terms.frequency] * (number - 1))
    return start + relativedelta(months=number - 1)


def instalments_due(terms: AgreementTerms, on: date) -> int:
    start = first_due(terms)
    if on < start:
        return 0
    if terms.frequency in CYCLE_DAYS:
        return (on - start).days // CYCLE_DAYS[terms.frequency] + 1
    months = relativedelta(on, start)
    return months.years * 12 + months.months + 1


def _lump_sum_counts(terms: AgreementTerms, on: date) -> bool:
    return bool(
        terms.initial_payment
        and terms.initial_payment_on is not None
        and on >= terms.initial_payment_on + timedelta(days=terms.tolerance_days)
    )


def expected_balance(terms: AgreementTerms, on: date) -> Decimal:
    expected = terms.starting_balance
    if _lump_sum_counts(terms, on):
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


def latest_due(terms: AgreementTerms, on: date) -> tuple[str, Decimal, date] | None:
    """The newest payment the terms made due on or before `on`: ("Instalment" or "Lump sum", amount, due date)."""
    found = []
    count = instalments_due(terms, on)
    if count:
        found.append(("Instalment", terms.amount, instalment_due_on(terms, count)))
    if _lump_sum_counts(terms, on):
        found.append(("Lump sum", terms.initial_payment, terms.initial_payment_on))
    return max(found, key=lambda item: item[2]) if found else None


def change_reason(
    terms: AgreementTerms, check: AgreementCheck, *, on: date, previous: tuple[str, Decimal, Decimal] | None
) -> str:
    """Why the agreement's state or figures changed since the last state row (`previous`: its state, expected balance
    and balance), in words the history can show: "Payment of £20.00: balance now £270.00, £10.00 ahead of plan";
    "Instalment of £10.00 due on 07/11/2026 not paid: breached by £10.00"."""
    if check.state == "completed":
        if terms.court_order:
            return f"Arrears cleared on {on:%d/%m/%Y}: the court order's payment terms are complete"
        return f"Arrears cleared on {on:%d/%m/%Y}: the agreement is complete"
    difference = check.balance - check.expected_balance
    position = (
        f"breached by {format_money(difference)}"
        if difference > 0
        else (f"{format_money(-difference)} ahead of plan" if difference < 0 else "on plan")
    )
    due = latest_due(terms, on)
    balance_was = previous[2] if previous else terms.starting_balance
    expected_was = previous[1] if previous else terms.starting_balance
    parts = []
    if check.balance < balance_was:
        parts.append(f"Payment of {format_money(balance_was - check.balance)}")
    elif check.balance > balance_was:
        parts.append(f"Balance up {format_money(check.balance - balance_was)} (charges)")
    if check.expected_balance != expected_was and due is not None:
        what, amount, due_on = due
        unpaid = " not paid" if check.state == "breached" and check.balance >= balance_was else ""
        parts.append(f"{what} of {format_money(amount)} due on {due_on:%d/%m/%Y}{unpaid}")
    if not parts:
        parts.append("Checked")
    return f"{'; '.join(parts)}: balance now {format_money(check.balance)}, {position}"[:200]
