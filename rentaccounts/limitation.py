"""Which parts of an account's debt are out of time under the Limitation Act 1980, worked from its ledger lines.

A pure function: no database. The rules (docs/debts.md, "Limitation and insolvency"; legal-spec R-DP-02):

- Each debit (rent, a charge, a recharge, a sundry debt) can be recovered by action for six years from the day it fell
  due (s19 for rent; s5 for other simple debts): the last day is the sixth anniversary of its due date.
- Credits pay the oldest debits first (first in, first out), including a part already out of time: a barred debt is
  still owed and may be paid.
- A payment (a receipt: the tenant's payment, or benefit paid on their behalf) or a written acknowledgment restarts time
  for every part still owed and still in time on that day (s29(5), s30). Time can restart again and again (s29(7)), but
  a part already out of time is never revived.
- Other credits (an adjustment, a write-off, a transfer in) reduce what is owed but do not restart time.
- A reversal and the line it reverses are taken as if neither happened: a bounced payment paid nothing and restarted
  nothing; a rent debit posted in error was never owed.
- Once a bankruptcy or debt relief order is made, a payment made after it goes first to what fell due on or after that
  date (the debts the order covers are ring-fenced), then to older debts: `fences` are the orders' dates. Other credits
  (a write-off of the debts the order covered, say) still go to the oldest first.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

ZERO = Decimal("0.00")
YEARS = 6


def years_after(day: date, years: int = YEARS) -> date:
    """The same day `years` later; 29 February becomes 28 February in a year that has none."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Line:
    """A ledger line: positive amounts are debits, negative credits. `payment` marks a receipt that restarts time.
    `key` and `reverses` pair a reversal with the line it reverses (both are then left out)."""

    on: date
    amount: Decimal
    payment: bool = False
    key: int | None = None
    reverses: int | None = None


@dataclass
class Part:
    """What is still owed of one debit: when it fell due, how much, and the day time last started to run for it."""

    due: date
    amount: Decimal
    runs_from: date

    @property
    def last_day(self) -> date:
        """The last day on which action can be brought for this part."""
        return years_after(self.runs_from)

    def barred(self, on: date) -> bool:
        return on > self.last_day


@dataclass(frozen=True)
class Limitation:
    out_of_time: Decimal = ZERO  # what is owed but can no longer be recovered by action on `on`
    limitation_date: date | None = None  # the last day action can be brought for the oldest part still in time
    out_of_time_from: date | None = None  # for the part out of time: the last day time started to run
    credit: Decimal = ZERO  # credits not yet used by any debit (a credit balance)
    parts: list[Part] = field(default_factory=list)  # what is still owed, oldest first


def _without_reversed(lines: Iterable[Line]) -> list[Line]:
    lines = list(lines)
    keys = {line.key for line in lines if line.key is not None}
    paired = {line.reverses for line in lines if line.reverses is not None and line.reverses in keys}
    return [
        line
        for line in lines
        if (line.key is None or line.key not in paired) and (line.reverses is None or line.reverses not in paired)
    ]


def _pay(parts: list[Part], amount: Decimal, *, fence: date | None) -> Decimal:
    """Take `amount` (positive) from the parts, oldest first (those due on or after `fence` first). Return what is
    left over."""
    order = parts
    if fence is not None:
        order = [p for p in parts if p.due >= fence] + [p for p in parts if p.due < fence]
    for part in order:
        if amount <= ZERO:
            break
        taken = min(part.amount, amount)
        part.amount -= taken
        amount -= taken
    parts[:] = [p for p in parts if p.amount > ZERO]
    return amount


def limitation(
    lines: Iterable[Line],
    *,
    acknowledgments: Iterable[date] = (),
    on: date,
    fences: Sequence[date] = (),
) -> Limitation:
    """Work through the lines and acknowledgments up to and including `on` and say what is out of time on `on`."""
    events: list[tuple[date, int, Line | None]] = []
    for line in _without_reversed(lines):
        if line.on <= on and line.amount != ZERO:
            # On one day: debits first, then credits, then acknowledgments (which cover the debt owed that day).
            events.append((line.on, 0 if line.amount > ZERO else 1, line))
    events += [(day, 2, None) for day in acknowledgments if day <= on]
    events.sort(key=lambda event: (event[0], event[1]))
    fences = sorted(fences)

    parts: list[Part] = []
    credit = ZERO
    for day, _, line in events:
        if line is not None and line.amount > ZERO:
            amount = line.amount
            if credit > ZERO:
                used = min(credit, amount)
                credit -= used
                amount -= used
            if amount > ZERO:
                parts.append(Part(due=day, amount=amount, runs_from=day))
            continue
        if line is not None:
            fence = max((f for f in fences if f <= day), default=None) if line.payment else None
            credit += _pay(parts, -line.amount, fence=fence)
            if not line.payment:
                continue
        for part in parts:  # a payment or a written acknowledgment restarts time for each part still in time
            if not part.barred(day):
                part.runs_from = day

    barred = [p for p in parts if p.barred(on)]
    in_time = [p for p in parts if not p.barred(on)]
    return Limitation(
        out_of_time=sum((p.amount for p in barred), ZERO),
        limitation_date=min((p.last_day for p in in_time), default=None),
        out_of_time_from=max((p.runs_from for p in barred), default=None),
        credit=credit,
        parts=parts,
    )
