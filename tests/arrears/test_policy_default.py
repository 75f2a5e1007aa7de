"""rentwise-default: contact before letters, real arrears in weeks of rent, and everything that holds the ladder."""

from datetime import date, timedelta

import pytest

from tests.arrears.conftest import TODAY

P = "rentwise-default"
WEEK = "100.00"


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def test_a_call_comes_before_the_first_reminder(classify):
    result = classify(P, balance="120.00", weekly_rent=WEEK)
    assert result.action == "contact_before_send_reminder_1"
    assert result.mode == "officer" and result.letter == ""
    assert "call or visit attempt in the 14 days before the letter (none recorded)" in result.reasons[-1]
    after_call = classify(P, balance="120.00", weekly_rent=WEEK, last_contact_attempt_date=days_ago(3))
    assert (after_call.action, after_call.letter, after_call.mode) == ("send_reminder_1", "reminder_1", "automatic")
    stale_call = classify(P, balance="120.00", weekly_rent=WEEK, last_contact_attempt_date=days_ago(15))
    assert stale_call.action == "contact_before_send_reminder_1"


def test_the_first_reminder_needs_a_weeks_rent_or_ten_pounds_whichever_is_greater(classify):
    assert classify(P, balance="99.99", weekly_rent=WEEK).action == "no_action"
    assert classify(P, balance="9.99", weekly_rent="5.00").action == "no_action"  # a week is only £5: £10 applies
    assert classify(P, balance="10.00", weekly_rent="5.00").action == "contact_before_send_reminder_1"


def test_a_missed_payment_below_the_first_reminder_gets_a_text_first_when_a_tenant_can_be_messaged(classify):
    """Issue 17: the early text (or email) before any letter, once per arrears episode, to tenants who agreed."""
    result = classify(P, balance="40.00", weekly_rent=WEEK, can_message=True)
    assert (result.action, result.mode, result.letter) == ("send_payment_missed_text", "automatic", "")
    assert result.message == "payment_missed_text,payment_missed_email"
    assert classify(P, balance="40.00", weekly_rent=WEEK).action == "no_action"  # nobody can be messaged
    assert classify(P, balance="40.00", weekly_rent=WEEK, can_message=False).action == "no_action"
    texted = classify(
        P,
        balance="40.00",
        weekly_rent=WEEK,
        can_message=True,
        last_stage_code="payment_missed_text",
        last_stage_date=days_ago(7),
    )
    assert texted.action == "no_action"  # once per arrears episode
    assert classify(P, balance="120.00", weekly_rent=WEEK, can_message=True).action == "contact_before_send_reminder_1"
    paused = classify(P, balance="40.00", weekly_rent=WEEK, can_message=True, pause_end_date=TODAY + timedelta(days=7))
    assert paused.action == "no_action" and paused.message == ""
    held = classify(P, balance="40.00", weekly_rent=WEEK, can_message=True, breathing_space=True)
    assert held.mode == "none" and held.message == ""


def test_the_ladder_climbs_a_step_every_fourteen_days_with_arrears_growing(classify):
    called = {"weekly_rent": WEEK, "last_contact_attempt_date": days_ago(2)}
    step2 = classify(P, balance="200.00", last_stage_code="reminder_1", last_stage_date=days_ago(14), **called)
    assert step2.action == "send_reminder_2"
    step3 = classify(P, balance="300.00", last_stage_code="reminder_2", last_stage_date=days_ago(14), **called)
    assert step3.action == "send_final_warning"
    nosp = classify(P, balance="400.00", last_stage_code="final_warning", last_stage_date=days_ago(14), **called)
    assert (nosp.action, nosp.mode) == ("recommend_nosp", "approval")


def test_a_vulnerability_review_comes_before_a_nosp(classify):
    result = classify(
        P,
        balance="400.00",
        weekly_rent=WEEK,
        last_stage_code="final_warning",
        last_stage_date=days_ago(20),
        vulnerability_review_due=True,
    )
    assert result.action == "vulnerability_review"


def test_technical_arrears_are_kept_off_the_worklist(classify):
    # £380 owed, but £380 of Housing Benefit is due for past weeks: nothing to chase.
    result = classify(P, balance="380.00", weekly_rent=WEEK, expected_benefit="380.00")
    assert (result.action, result.mode) == ("technical_arrears_only", "none")
    # Only £200 expected: £180 is real arrears, and the ladder starts on that.
    partly = classify(P, balance="380.00", weekly_rent=WEEK, expected_benefit="200.00")
    assert partly.action == "contact_before_send_reminder_1"
    assert partly.reasons[0].startswith("real arrears £180.00 ≥")


def test_breathing_space_stops_every_arrears_step_and_says_why(classify):
    result = classify(
        P,
        balance="900.00",
        weekly_rent=WEEK,
        breathing_space=True,
        last_stage_code="final_warning",
        last_stage_date=days_ago(30),
    )
    assert (result.action, result.mode, result.letter) == ("breathing_space_hold", "none", "")
    assert any(line.startswith("breathing_space") for line in result.blocked_by)


def test_a_pending_benefit_claim_holds_legal_steps_but_not_reminders(classify):
    legal = classify(
        P,
        balance="400.00",
        weekly_rent=WEEK,
        last_stage_code="final_warning",
        last_stage_date=days_ago(20),
        benefit_claim_pending=True,
    )
    assert legal.action == "no_action"
    assert any("Recommend serving a notice" in line for line in legal.blocked_by)
    reminder = classify(P, balance="150.00", weekly_rent=WEEK, benefit_claim_pending=True)
    assert reminder.action == "contact_before_send_reminder_1"


def test_a_kept_agreement_holds_and_a_broken_one_gets_a_call_then_a_letter(classify):
    kept = classify(P, balance="500.00", weekly_rent=WEEK, agreement_state="live")
    assert (kept.action, kept.mode) == ("agreement_kept", "none")
    broken = classify(P, balance="500.00", weekly_rent=WEEK, agreement_state="breached")
    assert broken.action == "contact_before_agreement_breach_letter"
    called = classify(
        P, balance="500.00", weekly_rent=WEEK, agreement_state="breached", last_contact_attempt_date=TODAY
    )
    assert called.action == "agreement_breach_letter"
    later = classify(
        P,
        balance="500.00",
        weekly_rent=WEEK,
        agreement_state="breached",
        last_stage_code="agreement_breach_letter",
        last_stage_date=days_ago(14),
    )
    assert later.action == "review_broken_agreement"


@pytest.mark.parametrize("policy", ["rentwise-default", "hackney-2020"])
def test_every_shipped_rule_can_fire_or_is_reached_in_a_test(policy, shipped):
    """Guards against a rule that can never be reached: each rule key appears in this file's or Hackney's tests."""
    import inspect

    from tests.arrears import test_policy_default, test_policy_hackney

    text = inspect.getsource(test_policy_default) + inspect.getsource(test_policy_hackney)
    actions = [rule["outcome"]["action"] for rule in shipped[policy]["rules"]]
    assert [action for action in actions if action not in text] == []


def test_court_only_at_eight_weeks_after_an_active_notice_and_a_court_warning(classify):
    served = {"weekly_rent": WEEK, "nosp_served_date": date(2026, 7, 1), "last_contact_attempt_date": days_ago(1)}
    assert classify(P, balance="799.99", **served).action != "send_court_warning_letter"
    assert classify(P, balance="800.00", **served).action == "send_court_warning_letter"
    warned = {**served, "last_stage_code": "court_warning_letter", "last_stage_date": days_ago(14)}
    result = classify(P, balance="800.00", **warned)
    assert (result.action, result.mode) == ("recommend_court", "approval")


def test_a_call_after_a_letter_does_not_put_the_ladder_back_to_the_first_rung(classify):
    result = classify(
        P,
        balance="200.00",
        weekly_rent=WEEK,
        last_stage_code="reminder_1",
        last_stage_date=days_ago(15),
        last_contact_code="call",
        last_contact_date=days_ago(1),
        last_contact_attempt_date=days_ago(1),
    )
    assert result.action == "send_reminder_2"
