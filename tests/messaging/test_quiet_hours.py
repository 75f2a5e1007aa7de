"""Quiet hours at the edges of the day: MESSAGING_SEND_UNTIL "24:00" leaves no quiet hours in the evening (the last
minute of the day included), while "23:59" keeps that minute quiet."""

from datetime import datetime
from zoneinfo import ZoneInfo

from messaging.quiet_hours import next_sending_moment, quiet_reason

LONDON = ZoneInfo("Europe/London")
LAST_MINUTE = datetime(2026, 12, 8, 23, 59, 30, tzinfo=LONDON)  # a Tuesday


def test_until_24_00_the_last_minute_of_the_day_may_send(settings):
    settings.MESSAGING_SEND_FROM, settings.MESSAGING_SEND_UNTIL = "00:00", "24:00"
    assert quiet_reason(LAST_MINUTE) == ""
    assert next_sending_moment(LAST_MINUTE) == LAST_MINUTE


def test_until_23_59_the_last_minute_is_quiet_and_waits_for_the_next_day(settings):
    settings.MESSAGING_SEND_FROM, settings.MESSAGING_SEND_UNTIL = "00:00", "23:59"
    assert quiet_reason(LAST_MINUTE) == "no messages after 23:59"
    assert next_sending_moment(LAST_MINUTE) == datetime(2026, 12, 9, 0, 0, tzinfo=LONDON)
