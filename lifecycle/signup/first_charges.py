"""The first rent period a new tenancy is charged, worked out by day exactly as the rent run will charge it (a
part period by day), where a migrated tenancy's charges begin (the first period after its opening balance), the
rent-free weeks that can come first, and whether the rent run has already run a week (so sign-up posts it at once)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from incomeapp.money import ZERO, format_money
from lifecycle.charges import CHARGE_LABELS, PERIOD_PHRASES
from rentaccounts.charging import ChargeLine, TenancyTerms, charges_due_in_week, monday_of, periods_starting_in_week
from rentaccounts.models import RentRun
from tenancies.models import Property, RentFreeWeek
from tenancies.specs import ChargeSpec

_FIRST_PERIOD_SEARCH_WEEKS = 10  # a rent-free week or two can come first: the first payment is the first non-zero


@dataclass(frozen=True)
class FirstPeriodLine:
    charge_type: str
    full_amount: Decimal  # the charge for a whole period
    amount: Decimal  # what is due for the first period (by day when it is a part period)

    @property
    def label(self) -> str:
        return CHARGE_LABELS.get(self.charge_type, self.charge_type)


@dataclass(frozen=True)
class FirstPeriod:
    """The first rent period charged, worked out by day, exactly as the rent run will charge it."""

    period_start: date
    period_end: date
    first_day: date  # the first day charged (the start date in a part period)
    lines: tuple[FirstPeriodLine, ...]
    rent_period: str

    @property
    def days(self) -> int:
        return (self.period_end - self.first_day).days + 1

    @property
    def period_days(self) -> int:
        return (self.period_end - self.period_start).days + 1

    @property
    def is_part_period(self) -> bool:
        return self.first_day > self.period_start

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def full_total(self) -> Decimal:
        return sum((line.full_amount for line in self.lines), ZERO)

    @property
    def description(self) -> str:
        """'£57.14 for Thursday 8 April to Sunday 11 April 2027 (4 of 7 days of £100.00 a week)'."""
        span = f"{self.first_day:%A %-d %B} to {self.period_end:%A %-d %B %Y}"
        text = f"{format_money(self.total)} for {span}"
        if self.is_part_period:
            phrase = PERIOD_PHRASES.get(self.rent_period, "a period")
            text += f" ({self.days} of {self.period_days} days of {format_money(self.full_total)} {phrase})"
        return text

    def as_dict(self) -> dict:
        return {
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "first_day": self.first_day.isoformat(),
            "days": self.days,
            "period_days": self.period_days,
            "total": str(self.total),
            "lines": [
                {"charge_type": line.charge_type, "full_amount": str(line.full_amount), "amount": str(line.amount)}
                for line in self.lines
            ],
        }


def first_period_after(*, start_date: date, rent_period: str, day: date) -> date:
    """The first day of the first rent period that starts after `day` (periods counted from the start date, as the
    rent run counts them): where a migrated tenancy's charges in Rentwise begin."""
    terms = TenancyTerms(rent_period, start_date, None)
    week = monday_of(max(day, start_date))
    for _ in range(60):
        for period_start, _end in periods_starting_in_week(terms, week):
            if period_start > day:
                return period_start
        week += timedelta(weeks=1)
    raise ValueError(f"No rent period starts within a year of {day:%-d %B %Y}.")  # not reachable for valid periods


def first_period(
    *,
    start_date: date,
    rent_period: str,
    charges: list[ChargeSpec],
    charges_from: date | None = None,
    rent_free_weeks: frozenset[date] = frozenset(),
) -> FirstPeriod | None:
    """The first rent period with something to pay, by the same rule the rent run applies (a part period by day).
    `charges_from` is the day the charges begin (a migrated tenancy's first period after its opening balance).
    None when nothing is ever due."""
    charges_from = charges_from or start_date
    terms = TenancyTerms(rent_period, start_date, None)
    lines = [ChargeLine(index, spec.amount, charges_from, None) for index, spec in enumerate(charges)]
    week = monday_of(charges_from)
    for _ in range(_FIRST_PERIOD_SEARCH_WEEKS):
        due = charges_due_in_week(terms, lines, week, rent_free_weeks)
        if due and sum((line.amount for line in due), ZERO) > 0:
            first = due[0]
            by_charge = {line.charge_id: line.amount for line in due}
            return FirstPeriod(
                period_start=first.period_start,
                period_end=first.period_end,
                first_day=max(first.period_start, start_date, charges_from),
                lines=tuple(
                    FirstPeriodLine(spec.charge_type, spec.amount, by_charge[index])
                    for index, spec in enumerate(charges)
                    if index in by_charge
                ),
                rent_period=rent_period,
            )
        week += timedelta(weeks=1)
    return None


def rent_free_weeks_near(*, property: Property, day: date) -> frozenset[date]:
    """The home's scheme's rent-free weeks in the weeks after `day` (enough for the first period to be found)."""
    start = monday_of(day)
    return frozenset(
        RentFreeWeek.objects.filter(
            scheme_id=property.scheme_id,
            week_commencing__gte=start,
            week_commencing__lte=start + timedelta(weeks=_FIRST_PERIOD_SEARCH_WEEKS + 5),
        ).values_list("week_commencing", flat=True)
    )


def rent_run_has_charged(period_start: date) -> bool:
    """Whether the rent run has already run the week this period starts in (so sign-up posts it at once)."""
    return RentRun.objects.filter(week_commencing=monday_of(period_start)).exists()
