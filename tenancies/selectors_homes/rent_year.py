"""The rent year (first Monday of April to the day before the next one) and the financial year to date."""

from datetime import date, timedelta

from django.utils import timezone

ONE_DAY = timedelta(days=1)


def _first_monday_of_april(year: int) -> date:
    first = date(year, 4, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7)


def rent_year_start(day: date) -> date:
    """The first Monday of April on or before `day`'s rent year: when rents change and the rent year begins."""
    start = _first_monday_of_april(day.year)
    return start if day >= start else _first_monday_of_april(day.year - 1)


def rent_year_end(start: date) -> date:
    """The last day (a Sunday) of the rent year that starts on `start`."""
    return _first_monday_of_april(rent_year_start(start).year + 1) - ONE_DAY


def rent_year_weeks(start: date) -> int:
    """52 or 53: the Mondays in the rent year starting on `start`."""
    return ((rent_year_end(start) - rent_year_start(start)).days + 1) // 7


def financial_year_to_date(today: date | None = None) -> tuple[date, date]:
    """1 April of the financial year `today` is in, and `today`: the default range for void figures."""
    today = today or timezone.localdate()
    return date(today.year if today.month >= 4 else today.year - 1, 4, 1), today
