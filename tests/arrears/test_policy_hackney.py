"""hackney-2020, scenario by scenario from the published rule table (income-management.md §3).

Review date Monday 30/11/2026; weekly gross rent £100.00 unless said otherwise. With nothing posted this week the grace
is a full week's rent, so arrears after grace = balance − £100.00.
"""

from datetime import date, timedelta

import pytest

from tests.arrears.conftest import TODAY

WEEK = "100.00"
P = "hackney-2020"


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


# ---- grace and the first steps --------------------------------------------------------------------------------------


def test_no_arrears_no_action(classify):
    assert classify(P, balance="0.00", weekly_rent=WEEK).action == "no_action"


def test_letter_1_needs_ten_pounds_after_a_weeks_grace(classify):
    assert classify(P, balance="109.99", weekly_rent=WEEK).action != "send_letter_1"
    result = classify(P, balance="110.00", weekly_rent=WEEK)
    assert result.action == "send_letter_1"
    assert "arrears after grace £10.00 ≥ £10.00" in result.reasons


def test_a_payment_this_week_shrinks_the_grace(classify):
    # Paid £60 since Monday: grace £40; collectable = 80 − |−60| = 20; after grace −20: no letter.
    assert classify(P, balance="80.00", net_since_monday="-60.00", paid_this_week="60.00", weekly_rent=WEEK).action == (
        "no_action"
    )
    # Paid the whole week: no grace left, collectable 150 − 100 = 50 ≥ 10.
    result = classify(P, balance="150.00", net_since_monday="-100.00", paid_this_week="100.00", weekly_rent=WEEK)
    assert result.action == "send_letter_1"


def test_first_sms_between_five_and_ten_pounds_collectable(classify):
    result = classify(P, balance="7.50", weekly_rent=WEEK)
    assert result.action == "send_first_sms"
    assert classify(P, balance="4.99", weekly_rent=WEEK).action == "no_action"


def test_sms_staleness_eight_days_after_an_sms_three_months_after_anything_else(classify):
    sms = {"balance": "7.50", "weekly_rent": WEEK, "last_contact_code": "sms"}
    assert classify(P, **sms, last_contact_date=days_ago(7)).action == "no_action"
    assert classify(P, **sms, last_contact_date=days_ago(8)).action == "send_first_sms"
    call = {"balance": "7.50", "weekly_rent": WEEK, "last_contact_code": "call"}
    assert classify(P, **call, last_contact_date=date(2026, 8, 31)).action == "no_action"  # under 3 months
    assert classify(P, **call, last_contact_date=date(2026, 8, 30)).action == "send_first_sms"  # exactly 3 months


def test_letter_1_is_not_repeated_within_three_months_and_is_after(classify):
    base = {"balance": "250.00", "weekly_rent": WEEK, "last_contact_code": "letter_1"}
    assert classify(P, **base, last_contact_date=days_ago(10)).action == "no_action"
    assert classify(P, **base, last_contact_date=date(2026, 8, 30)).action == "send_letter_1"  # staleness reset


def test_letter_2_from_fourteen_days_after_letter_1(classify):
    base = {"balance": "250.00", "weekly_rent": WEEK, "last_contact_code": "letter_1"}
    assert classify(P, **base, last_contact_date=days_ago(13)).action == "no_action"
    result = classify(P, **base, last_contact_date=days_ago(14))
    assert result.action == "send_letter_2"
    assert any("(14 days ago) is at least 14 days old" in reason for reason in result.reasons)


def test_nosp_at_four_weeks_gross_rent_seven_days_after_letter_2(classify):
    base = {"weekly_rent": WEEK, "last_contact_code": "letter_2", "last_contact_date": days_ago(7)}
    assert classify(P, balance="499.99", **base).action == "no_action"  # after grace 399.99 < 400
    result = classify(P, balance="500.00", **base)
    assert result.action == "send_nosp"
    assert result.mode == "approval"
    assert "arrears after grace £400.00 ≥ 4 × weekly rent (£100.00) = £400.00" in result.reasons
    assert classify(P, balance="500.00", **{**base, "last_contact_date": days_ago(6)}).action == "no_action"


def test_after_a_lapsed_nosp_no_letter_is_needed_for_a_new_one(classify):
    served = date(2025, 1, 6)  # cool-off ends 06/04/2025, valid to 05/04/2026 + … lapsed by now
    result = classify(P, balance="600.00", weekly_rent=WEEK, nosp_served_date=served)
    assert result.action == "send_nosp"


def test_court_warning_once_the_nosp_is_active_then_court_date_fourteen_days_later(classify):
    served = date(2026, 7, 1)  # cool-off ends 01/10/2026
    base = {"balance": "600.00", "weekly_rent": WEEK, "nosp_served_date": served}
    assert classify(P, **base, last_contact_code="call", last_contact_date=days_ago(30)).action == (
        "send_court_warning_letter"
    )
    in_cool_off = {**base, "nosp_served_date": date(2026, 9, 1)}
    assert classify(P, **in_cool_off).action == "no_action"
    warned = {**base, "last_contact_code": "court_warning_letter"}
    assert classify(P, **warned, last_contact_date=days_ago(13)).action == "no_action"
    assert classify(P, **warned, last_contact_date=days_ago(14)).action == "apply_for_court_date"


def test_update_court_outcome_after_a_hearing_with_none_recorded(classify):
    result = classify(P, balance="600.00", weekly_rent=WEEK, court_date=days_ago(1), nosp_served_date=date(2026, 1, 5))
    assert result.action == "update_court_outcome"


def test_outright_possession_warrant_within_three_months_of_the_hearing(classify):
    base = {"balance": "900.00", "weekly_rent": WEEK, "court_outcome": "outright_possession_forthwith"}
    assert classify(P, **base, court_date=date(2026, 8, 30)).action == "apply_for_outright_possession_warrant"
    assert classify(P, **base, court_date=date(2026, 8, 29)).action != "apply_for_outright_possession_warrant"
    applied = {**base, "court_date": days_ago(10), "last_contact_code": "warrant_applied_for"}
    assert classify(P, **applied).action != "apply_for_outright_possession_warrant"


# ---- agreements -----------------------------------------------------------------------------------------------------


def test_a_live_agreement_stops_letters(classify):
    result = classify(P, balance="300.00", weekly_rent=WEEK, agreement_state="live", agreement_start_date=days_ago(20))
    assert result.action == "no_action"


def test_informal_breach_letter_then_still_breached_after_seven_days(classify):
    base = {"balance": "300.00", "weekly_rent": WEEK, "agreement_state": "breached", "agreement_type": "informal"}
    base["agreement_start_date"] = days_ago(40)
    assert classify(P, **base).action == "send_informal_breach_letter"
    letter = {**base, "last_contact_code": "informal_breach_letter"}
    assert classify(P, **letter, last_contact_date=days_ago(6)).action == "no_action"
    assert classify(P, **letter, last_contact_date=days_ago(7)).action == "informal_breached_after_letter"


def test_court_breach_letter_visit_and_no_payment(classify):
    base = {
        "balance": "800.00",
        "weekly_rent": WEEK,
        "agreement_state": "breached",
        "agreement_type": "court",
        "court_date": date(2026, 6, 1),
        "court_outcome": "suspended_possession",
        "agreement_start_date": date(2026, 6, 1),  # the same day as the hearing counts
    }
    assert classify(P, **base).action == "address_court_agreement_breach"
    letter = {**base, "last_contact_code": "court_breach_letter", "last_contact_date": days_ago(7)}
    assert classify(P, **letter).action == "court_breach_visit"
    visit = {**base, "last_contact_code": "court_breach_visit", "last_contact_date": days_ago(7)}
    assert classify(P, **visit, last_payment_date=days_ago(8)).action == "court_breach_no_payment"
    assert classify(P, **visit, last_payment_date=days_ago(7)).action != "court_breach_no_payment"


# ---- blockers -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "blocker",
    [
        {"eviction_date": date(2026, 10, 1)},
        {"court_date": date(2027, 1, 10)},
        {"pause_end_date": date(2026, 12, 14)},
    ],
    ids=["eviction date recorded", "court date in future", "paused"],
)
def test_every_blocker_stops_the_ladder_and_says_so(classify, blocker):
    result = classify(P, balance="250.00", weekly_rent=WEEK, **blocker)
    assert result.action == "no_action"
    assert result.blocked_by


def test_a_pause_that_ended_today_no_longer_blocks(classify):
    assert classify(P, balance="250.00", weekly_rent=WEEK, pause_end_date=TODAY).action == "send_letter_1"


def test_review_failed_letter_ignores_blockers(classify):
    result = classify(P, balance="250.00", weekly_rent=WEEK, pause_end_date=date(2027, 1, 1), last_letter_failed=True)
    assert result.action == "review_failed_letter"


def test_check_data_is_stopped_only_by_a_pause(classify):
    odd = {"balance": "250.00", "weekly_rent": WEEK, "court_outcome": "suspended_possession"}  # outcome, no date
    assert classify(P, **odd).action == "send_letter_1"  # earlier rules win
    assert classify(P, **{**odd, "balance": "2.00"}).action == "check_data"
    assert classify(P, **odd, eviction_date=date(2026, 1, 1)).action == "check_data"
    assert classify(P, **odd, pause_end_date=date(2027, 1, 1)).action == "no_action"
