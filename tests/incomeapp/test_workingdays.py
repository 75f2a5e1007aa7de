from datetime import date

from incomeapp.constants import Jurisdiction
from incomeapp.workingdays import (
    add_working_days,
    bank_holiday_name,
    is_working_day,
    next_working_day,
    working_days_between,
)


def test_weekends_and_bank_holidays_are_not_working_days():
    assert is_working_day(date(2026, 11, 24))  # a Tuesday
    assert not is_working_day(date(2026, 11, 28))  # a Saturday
    assert not is_working_day(date(2026, 12, 25))  # Christmas Day
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day substitute (26th is a Saturday)
    assert bank_holiday_name(date(2026, 8, 31)) == "Late Summer Bank Holiday"


def test_add_working_days_skips_christmas_and_new_year():
    # Wed 23 Dec 2026 + 5 working days: 24, 29, 30, 31 Dec, 4 Jan (25, 28 Dec and 1 Jan are bank holidays).
    assert add_working_days(date(2026, 12, 23), 5) == date(2027, 1, 4)
    assert add_working_days(date(2027, 1, 4), -5) == date(2026, 12, 23)
    assert add_working_days(date(2026, 11, 24), 0) == date(2026, 11, 24)


def test_working_days_between_counts_after_start_up_to_end():
    assert working_days_between(date(2026, 11, 23), date(2026, 11, 30)) == 5
    assert working_days_between(date(2026, 11, 30), date(2026, 11, 23)) == 0


def test_next_working_day():
    assert next_working_day(date(2026, 12, 25)) == date(2026, 12, 29)
    assert next_working_day(date(2026, 11, 24)) == date(2026, 11, 24)


def test_england_and_wales_share_bank_holidays_unlike_scotland():
    # St Andrew's Day substitute (Mon 30 Nov 2026) is Scottish only.
    assert is_working_day(date(2026, 11, 30), jurisdiction=Jurisdiction.ENGLAND)
    assert is_working_day(date(2026, 11, 30), jurisdiction=Jurisdiction.WALES)
