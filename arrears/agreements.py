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
        return AgreementCheck("completed", expected, balance, f"Completed on {on:%-d %B %Y}")
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
            return f"Arrears cleared on {on:%-d %B %Y}: the court order's payment terms are complete"
        return f"Arrears cleared on {on:%-d %B %Y}: the agreement is complete"
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
        parts.append(f"{what} of {format_money(amount)} due on {due_on:%-d %B %Y}{unpaid}")
    if not parts:
        parts.append("Checked")
    return f"{'; '.join(parts)}: balance now {format_money(check.balance)}, {position}"[:200]


# ---- how long an agreement takes to clear the arrears (shown before it is saved) -------------------------------------

DEFAULT_AGREEMENT_MAX_WEEKS = 104  # a policy that names no limit (arrears policy `agreement_max_weeks`)


@dataclass(frozen=True)
class ClearingTime:
    """How the terms clear `arrears`: `payments` instalments, the last one on `last_payment_on`, over `weeks` weeks
    (from the first payment to the end of the period the last one pays for). `left_owing` is what a one-off payment
    leaves unpaid (then `last_payment_on` is its date and nothing more is planned)."""

    arrears: Decimal
    payments: int
    last_payment_on: date
    weeks: int
    left_owing: Decimal = ZERO

    @property
    def clears(self) -> bool:
        return self.left_owing <= 0


def payment_on(*, first_payment_on: date, frequency: str, number: int) -> date:
    """The date of payment `number` (1 for the first) of a plan whose first payment is on `first_payment_on`."""
    if frequency in CYCLE_DAYS:
        return first_payment_on + timedelta(days=CYCLE_DAYS[frequency] * (number - 1))
    return first_payment_on + relativedelta(months=number - 1)


def clearing_time(
    *,
    arrears: Decimal,
    amount: Decimal,
    frequency: str,
    first_payment_on: date,
    initial_payment: Decimal = ZERO,
) -> ClearingTime:
    """Exact Decimal arithmetic: the instalments needed are the arrears left after any lump sum divided by the amount,
    rounded up (£1,234.56 at £20.00 a week is 62 payments, the last one £14.56). The weeks run from the first payment
    to the end of the last payment's period (62 weekly payments: 62 weeks; 5 monthly payments from 31 January: to
    30 June, 22 weeks), rounded up to whole weeks."""
    if amount <= 0:
        raise ValueError("An agreement pays a positive amount each time.")
    remaining = max(arrears - initial_payment, ZERO)
    if frequency == "one_off":
        payments = 1
        left = max(remaining - amount, ZERO)
    else:
        whole, part = divmod(remaining, amount)  # exact on Decimals; rounded up: a part payment is still a payment
        payments = max(int(whole) + (1 if part else 0), 1)
        left = ZERO
    last = payment_on(first_payment_on=first_payment_on, frequency=frequency, number=payments)
    period_end = payment_on(first_payment_on=first_payment_on, frequency=frequency, number=payments + 1)
    if frequency == "one_off":
        period_end = first_payment_on + timedelta(days=1)
    weeks = ((period_end - first_payment_on).days + 6) // 7
    return ClearingTime(arrears=arrears, payments=payments, last_payment_on=last, weeks=weeks, left_owing=left)


HOW_OFTEN = {"weekly": "a week", "fortnightly": "a fortnight", "four_weekly": "every 4 weeks", "monthly": "a month"}


def clearing_sentence(*, clearing: ClearingTime, amount: Decimal, frequency: str) -> str:
    """ "At £20.00 a week on top of the rent, £1,234.56 of arrears clears in 62 weeks, by 3 February 2028"."""
    if frequency == "one_off":
        if not clearing.clears:
            return (
                f"A one-off payment of {format_money(amount)} on {clearing.last_payment_on:%-d %B %Y} towards "
                f"{format_money(clearing.arrears)} of arrears leaves {format_money(clearing.left_owing)} owing"
            )
        return (
            f"A one-off payment of {format_money(amount)} on {clearing.last_payment_on:%-d %B %Y} clears "
            f"{format_money(clearing.arrears)} of arrears"
        )
    weeks = f"{clearing.weeks} week{'s' if clearing.weeks != 1 else ''}"
    return (
        f"At {format_money(amount)} {HOW_OFTEN[frequency]} on top of the rent, {format_money(clearing.arrears)} of "
        f"arrears clears in {weeks}, by {clearing.last_payment_on:%-d %B %Y}"
    )


def over_limit_warning(*, clearing: ClearingTime, limit_weeks: int, policy_title: str) -> str:
    """The warning when the agreement runs past the policy's limit, or leaves arrears unpaid; "" when it does not."""
    if not clearing.clears:
        return (
            f"This does not clear the arrears: {format_money(clearing.left_owing)} is left owing. Agree regular "
            "payments for the rest, or a larger payment."
        )
    if clearing.weeks > limit_weeks:
        return (
            f"This takes {clearing.weeks} weeks, longer than the {limit_weeks} weeks the policy “{policy_title}” "
            "allows for an agreement. Check whether the tenant can afford more; if this is what they can afford, "
            "record why in the diary."
        )
    return ""


def pending_first_payment(terms: AgreementTerms, on: date) -> bool:
    """Before the first instalment falls due (the first payment date plus the days of grace, or the terms' own first
    date) nothing can have been kept or broken yet: the agreement is pending its first payment."""
    return on < first_due(terms)
