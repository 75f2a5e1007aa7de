"""The pre-action protocol gate on its own (courts.protocol is pure): each item from plain facts, no database."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from courts.protocol import MET, NOT_APPLICABLE, NOT_MET, GateFacts, gate_passes, protocol_gate

TODAY = date(2026, 12, 7)
READY = GateFacts(
    today=TODAY,
    tenants=[(1, "Ada Lead"), (2, "Ben Joint")],
    contacted_person_ids={1, 2},
    statement_sent_on=TODAY - timedelta(weeks=4),
    benefit_help_on=TODAY - timedelta(weeks=6),
    benefit_claim=True,
    direct_payment_requested_on=TODAY - timedelta(weeks=5),
    debt_advice_on=TODAY - timedelta(weeks=6),
    agreement_offered_on=TODAY - timedelta(weeks=8),
    agreement_being_kept=False,
    vulnerability_reviewed_on=TODAY - timedelta(days=30),
    pending_claim_with_evidence=False,
    breathing_space=False,
    notice_label="Notice of seeking possession",
    notice_proceedings_after=TODAY - timedelta(days=1),
    notice_lapses_on=TODAY + timedelta(weeks=40),
    mandatory_ground=False,
    part3_letter_on=None,
    assessment="Article 8 and Equality Act considered: proportionate.",
)


def items(facts: GateFacts) -> dict:
    return {item.key: item for item in protocol_gate(facts)}


def test_a_case_that_has_done_everything_passes_with_evidence_for_each_item():
    gate = items(READY)
    assert gate_passes(list(gate.values()))
    assert {item.status for item in gate.values()} == {MET}
    assert gate["statements"].evidence == f"A rent statement was made on {READY.statement_sent_on:%-d %B %Y}."
    assert "intro_review" not in gate and "part3_letter" not in gate


def test_each_named_tenant_must_be_reached_unless_an_officer_confirms_it():
    gate = items(replace(READY, contacted_person_ids={1}))
    assert gate["contact_each_tenant"].status == NOT_MET
    assert (
        "Ben Joint" in gate["contact_each_tenant"].evidence and "Ada Lead" not in gate["contact_each_tenant"].evidence
    )
    confirmed = items(replace(READY, contacted_person_ids={1}, confirmations={"contact_each_tenant": "Met at home."}))
    assert confirmed["contact_each_tenant"].status == MET
    assert confirmed["contact_each_tenant"].evidence == "Confirmed by an officer: Met at home."


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"statement_sent_on": None}, "statements"),
        ({"benefit_help_on": None}, "benefit_help"),
        ({"direct_payment_requested_on": None}, "dwp_request"),
        ({"debt_advice_on": None}, "debt_advice"),
        ({"agreement_offered_on": None}, "agreement_offered"),
        ({"vulnerability_reviewed_on": TODAY - timedelta(days=366)}, "vulnerability"),
        ({"assessment": "  "}, "assessment"),
        ({"pending_claim_with_evidence": True}, "no_pending_claim"),
        ({"agreement_being_kept": True}, "agreement_not_kept"),
        ({"breathing_space": True}, "breathing_space"),
        ({"notice_label": None}, "notice"),
    ],
)
def test_one_missing_step_stops_the_claim_and_says_which(change, key):
    gate = items(replace(READY, **change))
    assert gate[key].status == NOT_MET
    assert [k for k, item in gate.items() if not item.passed] == [key]
    assert not gate_passes(list(gate.values()))


def test_with_no_benefit_claim_the_dwp_request_does_not_apply():
    gate = items(replace(READY, benefit_claim=False, direct_payment_requested_on=None))
    assert gate["dwp_request"].status == NOT_APPLICABLE and gate_passes(list(gate.values()))


def test_the_notice_must_be_past_its_date_for_proceedings_and_not_lapsed_or_void():
    too_soon = items(replace(READY, notice_proceedings_after=TODAY))["notice"]
    assert too_soon.status == NOT_MET and f"until after {TODAY:%-d %B %Y}" in too_soon.evidence
    lapsed = items(replace(READY, notice_lapses_on=TODAY - timedelta(days=1)))["notice"]
    assert lapsed.status == NOT_MET and "lapsed" in lapsed.evidence
    void = items(replace(READY, notice_void_reason="served during a Breathing Space."))["notice"]
    assert void.status == NOT_MET and void.evidence.startswith("The notice is void")


def test_a_mandatory_ground_needs_the_part_3_letter():
    assert items(replace(READY, mandatory_ground=True))["part3_letter"].status == NOT_MET
    sent = items(replace(READY, mandatory_ground=True, part3_letter_on=TODAY - timedelta(weeks=2)))
    assert sent["part3_letter"].status == MET


def test_an_introductory_review_asked_for_in_time_must_be_upheld_before_the_notice_date():
    intro = replace(READY, review_by=TODAY - timedelta(days=20))
    assert items(intro)["intro_review"].status == NOT_APPLICABLE  # none asked for in time
    still_open = replace(READY, review_by=TODAY + timedelta(days=3))
    assert items(still_open)["intro_review"].status == NOT_MET
    asked = replace(intro, review_requested_on=TODAY - timedelta(days=25))
    assert items(asked)["intro_review"].status == NOT_MET  # not decided yet
    late_decision = replace(asked, review_decision_on=TODAY, review_upheld=True)
    assert "serve a new notice" in items(late_decision)["intro_review"].evidence
    upheld = replace(asked, review_decision_on=TODAY - timedelta(days=10), review_upheld=True)
    assert items(upheld)["intro_review"].status == MET
    overturned = replace(upheld, review_upheld=False)
    assert items(overturned)["intro_review"].status == NOT_MET
