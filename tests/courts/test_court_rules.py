"""The court timetable and enforcement rules (legal-spec §4, §12 rules 8-10), pure."""

from datetime import date

from courts.constants import CourtOutcome
from courts.court_rules import hearing_warnings, order_problems, warrant_check


def test_hearing_warnings_at_28_days_8_weeks_and_21_days_for_service():
    issued = date(2026, 1, 5)
    assert hearing_warnings(issued_on=issued, hearing_on=date(2026, 2, 2), papers_served_on=date(2026, 1, 12)) == []
    [early] = hearing_warnings(issued_on=issued, hearing_on=date(2026, 2, 1), papers_served_on=None)
    assert "27 days after the claim was issued: it should be at least 28" in early
    [late] = hearing_warnings(issued_on=issued, hearing_on=date(2026, 3, 3), papers_served_on=None)
    assert "more than 8 weeks after issue" in late
    assert hearing_warnings(issued_on=issued, hearing_on=date(2026, 3, 2), papers_served_on=None) == []  # 8 weeks
    [served] = hearing_warnings(issued_on=issued, hearing_on=date(2026, 2, 20), papers_served_on=date(2026, 2, 1))
    assert "served 19 days before the hearing" in served


def test_mandatory_ground_orders_are_outright_within_14_days_or_42_for_exceptional_hardship():
    made = date(2026, 3, 2)
    ok = {"outcome": CourtOutcome.OUTRIGHT_ON_DATE, "made_on": made, "mandatory_ground": True}
    assert order_problems(**ok, possession_on=date(2026, 3, 16), exceptional_hardship=False) == []
    [too_late] = order_problems(**ok, possession_on=date(2026, 3, 17), exceptional_hardship=False)
    assert "at most 14 days (42 for exceptional hardship)" in too_late
    assert order_problems(**ok, possession_on=date(2026, 4, 13), exceptional_hardship=True) == []
    assert order_problems(**ok, possession_on=date(2026, 4, 14), exceptional_hardship=True)
    [suspended] = order_problems(outcome=CourtOutcome.SUSPENDED, made_on=made, possession_on=None,
                                 mandatory_ground=True, exceptional_hardship=False)  # fmt: skip
    assert "cannot suspend or postpone possession on terms" in suspended
    assert order_problems(outcome=CourtOutcome.SUSPENDED, made_on=made, possession_on=None, mandatory_ground=False,
                          exceptional_hardship=False) == []  # fmt: skip
    assert order_problems(outcome=CourtOutcome.OUTRIGHT_ON_DATE, made_on=made, possession_on=None,
                          mandatory_ground=False, exceptional_hardship=False)  # fmt: skip


def _check(**overrides):
    values = {
        "outcome": CourtOutcome.OUTRIGHT_ON_DATE, "made_on": date(2026, 3, 2), "possession_on": date(2026, 3, 30),
        "terms_broken": False, "date_fixed_after_postponement": None, "breathing_space": False,
        "today": date(2026, 4, 1),
    }  # fmt: skip
    return warrant_check(**{**values, **overrides})


def test_warrants_wait_for_the_possession_date_and_use_n325a_after_a_broken_suspended_order():
    assert _check().allowed and _check().form == "N325"
    early = _check(today=date(2026, 3, 30))
    assert not early.allowed and "before the date for possession (30 March 2026)" in early.reasons[0]
    kept = _check(outcome=CourtOutcome.SUSPENDED, possession_on=None)
    assert not kept.allowed and kept.form == "N325A" and "being kept" in kept.reasons[0]
    broken = _check(outcome=CourtOutcome.SUSPENDED, possession_on=None, terms_broken=True)
    assert broken.allowed and broken.form == "N325A"


def test_a_broken_postponed_order_needs_a_date_fixed_first():
    ppo = _check(outcome=CourtOutcome.POSTPONED, possession_on=None, terms_broken=True)
    assert not ppo.allowed and "apply to the court to fix a date" in ppo.reasons[0]
    fixed = _check(outcome=CourtOutcome.POSTPONED, possession_on=None, date_fixed_after_postponement=date(2026, 3, 20))
    assert fixed.allowed


def test_six_year_old_orders_need_permission_and_breathing_space_blocks_warrants():
    old = _check(made_on=date(2020, 4, 1), possession_on=date(2020, 4, 29), today=date(2026, 4, 1))
    assert not old.allowed and "six years old or more" in old.reasons[0]
    assert _check(made_on=date(2020, 4, 2), possession_on=date(2020, 4, 29), today=date(2026, 4, 1)).allowed
    blocked = _check(breathing_space=True)
    assert not blocked.allowed and "Breathing Space" in blocked.reasons[0]
    assert not _check(outcome=CourtOutcome.DISMISSED).allowed
