from datetime import date

import pytest
from django.core.management.base import CommandError

from incomeapp.management.options import date_option


def test_a_date_option_reads_iso_dates_and_falls_back_to_its_default():
    assert date_option("2026-11-29", "--as-of", like="2026-11-29") == date(2026, 11, 29)
    assert date_option(None, "--week-ending", like="2026-11-29", default=date(2026, 11, 22)) == date(2026, 11, 22)


@pytest.mark.parametrize("given", ["29/11/2026", "", None])
def test_a_date_option_written_another_way_or_missing_stops_the_command_with_an_example(given):
    with pytest.raises(CommandError, match=r"^Give --as-of as a date like 2026-11-29\.$"):
        date_option(given, "--as-of", like="2026-11-29")
