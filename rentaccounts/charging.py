"""Pure rules for what a charge costs in a rent period: no database, so they can be tested exhaustively.

One rule covers every case: a charge for a period is its amount × chargeable days ÷ days in the period, where a day is
chargeable when the tenancy is live, the charge is in effect and the day is not in a rent-free week. A whole period is
charged exactly (no rounding); a part period is apportioned by day (incomeapp.money.apportion, half up).

Periods: weekly, fortnightly and 4-weekly periods start on Mondays, counted from the Monday on or before the tenancy
start. Monthly periods start on the tenancy start day each month (clamped to the month end: a tenancy from 31 January
is charged on 28/29 February). Monthly rents are annual ÷ 12, so rent-free weeks do not apply to them.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from incomeapp.money import apportion
from tenancies.constants import WEEKS_IN_PERIOD, RentPeriod


@dataclass(frozen=True)
class ChargeLine:
    charge_id: int
    amount: Decimal
    effective_from: date
    effective_to: date | None


@dataclass(frozen=True)
class TenancyTerms:
    rent_period: str
    start_date: date
    end_date: date | None


@dataclass(frozen=True)
class PeriodCharge:
    charge_id: int
    amount: Decimal
    period_start: date
    period_end: date
    effective_date: date


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _add_months(day: date, months: int, anchor_day: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(anchor_day, calendar.monthrange(year, month)[1]))


def periods_starting_in_week(terms: TenancyTerms, week_commencing: date) -> list[tuple[date, date]]:
    """The rent periods (start, end inclusive) of a tenancy that start in the week Monday..Sunday given."""
    week_end = week_commencing + timedelta(days=6)
    if terms.rent_period == RentPeriod.MONTHLY:
        anchor_day = terms.start_date.day
        # A week spans at most two months, so the period starting in it (if any) starts in one of them.
        starts = {_add_months(day.replace(day=1), 0, anchor_day) for day in (week_commencing, week_end)}
        return sorted(
            (start, _add_months(start, 1, anchor_day) - timedelta(days=1))
            for start in starts
            if week_commencing <= start <= week_end and start >= terms.start_date
        )
    weeks = WEEKS_IN_PERIOD[terms.rent_period]
    anchor = monday_of(terms.start_date)
    weeks_since_anchor = (week_commencing - anchor).days // 7
    if weeks_since_anchor < 0 or weeks_since_anchor % weeks:
        return []
    return [(week_commencing, week_commencing + timedelta(days=7 * weeks - 1))]


def chargeable_days(
    period_start: date,
    period_end: date,
    terms: TenancyTerms,
    charge: ChargeLine,
    rent_free_weeks: frozenset[date],
    apply_rent_free_weeks: bool,
) -> int:
    first = max(period_start, terms.start_date, charge.effective_from)
    last = min(d for d in (period_end, terms.end_date, charge.effective_to) if d is not None)
    if last < first:
        return 0
    days = (last - first).days + 1
    if apply_rent_free_weeks:
        for monday in rent_free_weeks:
            overlap_first, overlap_last = max(first, monday), min(last, monday + timedelta(days=6))
            if overlap_last >= overlap_first:
                days -= (overlap_last - overlap_first).days + 1
    return days


def charges_due_in_week(
    terms: TenancyTerms,
    charges: list[ChargeLine],
    week_commencing: date,
    rent_free_weeks: frozenset[date] = frozenset(),
) -> list[PeriodCharge]:
    """Every charge a tenancy owes for rent periods starting in the given week (none when nothing is due)."""
    if week_commencing.weekday() != 0:
        raise ValueError(f"{week_commencing:%-d %B %Y} is not a Monday: rent weeks start on Mondays.")
    due = []
    apply_rent_free = terms.rent_period != RentPeriod.MONTHLY
    for period_start, period_end in periods_starting_in_week(terms, week_commencing):
        period_days = (period_end - period_start).days + 1
        for charge in charges:
            days = chargeable_days(period_start, period_end, terms, charge, rent_free_weeks, apply_rent_free)
            if days <= 0 or charge.amount == 0:
                continue
            amount = charge.amount if days == period_days else apportion(charge.amount, days, period_days)
            if amount == 0:
                continue
            effective = max(period_start, terms.start_date, charge.effective_from)
            due.append(PeriodCharge(charge.charge_id, amount, period_start, period_end, effective))
    return due


def weekly_to_period(weekly: Decimal, rent_period: str) -> Decimal:
    """A weekly amount (a home's charges are weekly) as the charge for one rent period: monthly is × 52 ÷ 12, rounded
    half up; the others a whole number of weeks."""
    if rent_period == RentPeriod.MONTHLY:
        return apportion(weekly, 52, 12)
    return weekly * WEEKS_IN_PERIOD[rent_period]
