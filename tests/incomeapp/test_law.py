"""Legal figures are effective-dated data with sources, read by date."""

from datetime import date
from decimal import Decimal

import pytest

from incomeapp.law import LAW_THRESHOLDS, NoThreshold, threshold
from incomeapp.models import LawThreshold


def test_the_shipped_figures_in_force_today(law):
    on = date(2026, 11, 30)
    assert threshold("hb_direct_payment_arrears_weeks", on) == Decimal("8")
    assert threshold("uc_managed_payment_arrears_months", on) == Decimal("2")
    assert (
        threshold("uc_third_party_deduction_min_percent", on),
        threshold("uc_third_party_deduction_max_percent", on),
    ) == (
        Decimal("10"),
        Decimal("20"),
    )
    assert all(row[5] for row in LAW_THRESHOLDS), "every figure cites its source"


def test_a_change_in_the_law_is_a_new_row_and_old_dates_keep_the_old_figure(law):
    LawThreshold.objects.create(
        key="hb_direct_payment_arrears_weeks",
        value=Decimal("6"),
        unit="weeks",
        effective_from=date(2027, 4, 1),
        meaning="(a test change)",
        source="(a test)",
    )
    assert threshold("hb_direct_payment_arrears_weeks", date(2027, 3, 31)) == Decimal("8")
    assert threshold("hb_direct_payment_arrears_weeks", date(2027, 4, 1)) == Decimal("6")


def test_a_date_before_any_figure_says_what_is_missing(law):
    with pytest.raises(NoThreshold, match="No 'uc_request_objection_window_days' is in force on 1 January 2020"):
        threshold("uc_request_objection_window_days", date(2020, 1, 1))
