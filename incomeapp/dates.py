"""Dates and times written the GOV.UK way, the one style on every screen and letter: 4 December 2026, and with the
time where it matters, 4 December 2026 at 2:30pm (midday, midnight). Times are shown in UK local time."""

from datetime import date, datetime

from django.utils import timezone


def govuk_date(day: date | None) -> str:
    """4 December 2026 ("" for none)."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = timezone.localtime(day) if timezone.is_aware(day) else day
    return f"{day.day} {day:%B %Y}"


def govuk_time(moment: datetime | None) -> str:
    """2:30pm, 6am, midday, midnight, in local time."""
    if moment is None:
        return ""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    if (local.hour, local.minute) == (0, 0):
        return "midnight"
    if (local.hour, local.minute) == (12, 0):
        return "midday"
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"


def govuk_datetime(moment: datetime | None) -> str:
    """4 December 2026 at 2:30pm."""
    if moment is None:
        return ""
    return f"{govuk_date(moment)} at {govuk_time(moment)}"
