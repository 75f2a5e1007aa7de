"""UK working days: Monday to Friday less the bank holidays of England or Wales, from the offline `holidays` package.

Used for court and notice arithmetic, service deadlines and the "within 5 working days" KPI. Never fetches a calendar.
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays

from .constants import Jurisdiction

_SUBDIVISION = {Jurisdiction.ENGLAND: "ENG", Jurisdiction.WALES: "WLS"}


@lru_cache(maxsize=64)
def _bank_holidays(jurisdiction: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv=_SUBDIVISION[Jurisdiction(jurisdiction)], years=year))


def bank_holiday_name(day: date, *, jurisdiction: str = Jurisdiction.ENGLAND) -> str | None:
    names = holidays.country_holidays("GB", subdiv=_SUBDIVISION[Jurisdiction(jurisdiction)], years=day.year)
    return names.get(day)


def is_working_day(day: date, *, jurisdiction: str = Jurisdiction.ENGLAND) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(jurisdiction, day.year)


def add_working_days(start: date, days: int, *, jurisdiction: str = Jurisdiction.ENGLAND) -> date:
    """The date `days` working days after `start` (before it when negative); `start` itself is not counted."""
    step = timedelta(days=1 if days >= 0 else -1)
    remaining = abs(days)
    day = start
    while remaining:
        day += step
        if is_working_day(day, jurisdiction=jurisdiction):
            remaining -= 1
    return day


def working_days_between(start: date, end: date, *, jurisdiction: str = Jurisdiction.ENGLAND) -> int:
    """Working days after `start` up to and including `end` (0 when end ≤ start)."""
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, jurisdiction=jurisdiction):
            count += 1
    return count


def next_working_day(day: date, *, jurisdiction: str = Jurisdiction.ENGLAND) -> date:
    """`day` itself when it is a working day, otherwise the first working day after it."""
    while not is_working_day(day, jurisdiction=jurisdiction):
        day += timedelta(days=1)
    return day
