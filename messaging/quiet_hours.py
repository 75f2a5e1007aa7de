"""Quiet hours: no message before MESSAGING_SEND_FROM or after MESSAGING_SEND_UNTIL (UK time), none on Sundays or
bank holidays (England's, from the offline calendar) unless the settings allow them. A message made in quiet hours
waits for the next moment allowed; the sender checks again just before each message goes."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from incomeapp.workingdays import bank_holiday_name

END_OF_DAY = "24:00"  # MESSAGING_SEND_UNTIL: no quiet hours in the evening


def _clock(value: str) -> time:
    if value == END_OF_DAY:
        return time.max
    hours, _, minutes = value.partition(":")
    return time(int(hours), int(minutes or 0))


def sending_window() -> tuple[time, time]:
    return _clock(settings.MESSAGING_SEND_FROM), _clock(settings.MESSAGING_SEND_UNTIL)


def _day_allowed(day) -> bool:
    if day.weekday() == 6 and not settings.MESSAGING_SEND_ON_SUNDAYS:
        return False
    return settings.MESSAGING_SEND_ON_BANK_HOLIDAYS or bank_holiday_name(day) is None


def quiet_reason(moment: datetime) -> str:
    """Why no message may go at `moment`, in words; "" when one may."""
    local = timezone.localtime(moment)
    start, end = sending_window()
    if local.weekday() == 6 and not settings.MESSAGING_SEND_ON_SUNDAYS:
        return "no messages on Sundays"
    holiday = None if settings.MESSAGING_SEND_ON_BANK_HOLIDAYS else bank_holiday_name(local.date())
    if holiday:
        return f"no messages on bank holidays ({holiday})"
    if local.time() < start:
        return f"no messages before {start:%H:%M}"
    if end != time.max and local.time() >= end:
        return f"no messages after {end:%H:%M}"
    return ""


def next_sending_moment(moment: datetime) -> datetime:
    """`moment` itself when a message may go then, otherwise the first moment after it that one may."""
    if not quiet_reason(moment):
        return moment
    local = timezone.localtime(moment)
    start, _ = sending_window()
    day = local.date() if local.time() < start else local.date() + timedelta(days=1)
    for _ in range(30):  # Christmas and Boxing Day around a Sunday is the longest run of days without sending
        if _day_allowed(day):
            return timezone.make_aware(datetime.combine(day, start))
        day += timedelta(days=1)
    raise ValueError("The messaging settings allow no day to send on.")
