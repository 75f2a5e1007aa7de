"""Breathing Space (Debt Respite Scheme, SI 2020/1311; legal-spec §6): a moratorium recorded through its whole life,
held by the engine whatever the policy, kept out of letters, and shown on the case page. Dates and figures are the
spec's: a standard one lasts 60 days (R-BS-01), a crisis one until 30 days after the treatment ends (R-BS-02), the
moratorium debt is what was owed at the start (R-BS-03), new arrears after it may be acted on (R-BS-21), a review may
be asked for within 20 days (R-BS-22), a deadline inside it moves to 8 weeks after it ends (R-BS-14)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from arrears.constants import (
    AgentKind,
    BreathingSpaceEnd,
    BreathingSpaceKind,
    BreathingSpaceReviewOutcome,
    ContactKind,
    ContactOutcome,
)
from arrears.engine import evaluate, policy_check
from arrears.letters import case_letter_values, letter_requests_render
from arrears.models import ArrearsCase, BreathingSpace, Contact, LetterRequest, Recommendation
from arrears.review import review_run
from arrears.review_facts import facts_for_accounts
from arrears.services import (
    breathing_space_agent_told_record,
    breathing_space_end_record,
    breathing_space_record,
    breathing_space_review_outcome_record,
    breathing_space_review_request_record,
    breathing_space_treatment_end_record,
    letter_send,
    letters_queue,
    policies_install_shipped,
)
from arrears.signals import breathing_space_changed
from documents.models import Document
from documents.services import templates_install_shipped
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tenancies.models import TenancyTenant
from tests.arrears.conftest import TODAY, facts, tenancy_in_patch_of
from tests.factories import PersonFactory, dmy, user_with_role

D = Decimal
WEEK = "100.00"

# A policy with no blockers and no Breathing Space rule at all: it chases every balance, and sues at £500.
NO_BLOCKERS = policy_check(
    {
        "name": "no-blockers",
        "rules": [
            {
                "key": "sue",
                "when": {"fact": "balance", "op": ">=", "value": 500},
                "outcome": {"action": "issue_claim", "label": "Issue a possession claim", "mode": "approval"},
            },
            {
                "key": "chase",
                "when": {"fact": "balance", "op": ">", "value": 0},
                "outcome": {"action": "send_demand", "label": "Send a demand", "mode": "automatic", "letter": "demand"},
            },
        ],
        "otherwise": {"action": "no_action", "label": "No action", "mode": "none"},
    }
)


def ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def owing(amount: str, *, on: date, joint: bool = False, officer=None):
    """A weekly £100 tenancy whose rent account was charged `amount` on `on` (and nothing else)."""
    tenancy = tenancy_in_patch_of(officer)
    if joint:
        TenancyTenant.objects.create(tenancy=tenancy, person=PersonFactory(), is_lead=False)
    account = account_get_or_create(tenancy=tenancy)
    post(account, amount, on)
    return account


def standard_breathing_space(account, starts_on: date, officer):
    """Records a standard Breathing Space for the account's tenancy from `starts_on`."""
    return breathing_space_record(
        tenancy=account.tenancy, kind=BreathingSpaceKind.STANDARD, starts_on=starts_on, recorded_by=officer
    )


def post(account, amount: str, on: date, kind=TransactionType.RENT_DEBIT):
    transactions_post(postings=[Posting(account.pk, kind, D(amount), on, f"t:{account.pk}:{on}:{amount}:{kind}")])
    account.refresh_from_db()


@pytest.fixture(autouse=True)
def installed(db, law):
    policies_install_shipped()


# ---- R-BS-01: a standard moratorium --------------------------------------------------------------------------------


def test_r_bs_01_a_standard_moratorium_is_expected_to_end_60_days_after_it_starts(officer):
    account = owing("300.00", on=ago(30))
    start = ago(10)
    recorded = breathing_space_record(
        tenancy=account.tenancy,
        kind=BreathingSpaceKind.STANDARD,
        starts_on=start,
        notified_on=ago(9),
        reference="BS-000123",
        adviser_name="Ada Adviser",
        adviser_organisation="StepChange",
        adviser_contact="0800 138 1111",
        recorded_by=officer,
    )
    space = recorded.breathing_space
    assert space.expected_end_on == space.ends_on == start + timedelta(days=60)
    assert (space.reference, space.notified_on, space.adviser_organisation) == ("BS-000123", ago(9), "StepChange")
    assert recorded.warning == ""
    assert space.history.first().history_change_reason == f"Recorded: standard from {start:%-d %B %Y}"


def test_r_bs_01_a_second_standard_one_within_12_months_is_recorded_with_a_warning_not_refused(officer):
    account = owing("300.00", on=ago(400))
    first = standard_breathing_space(account, ago(200), officer)
    second = standard_breathing_space(account, ago(5), officer)
    assert first.warning == ""
    assert "R-BS-01" in second.warning and f"began on {ago(200):%-d %B %Y}" in second.warning
    assert BreathingSpace.objects.filter(tenancy=account.tenancy).count() == 2


def test_r_bs_01_a_standard_one_more_than_12_months_after_the_last_brings_no_warning(officer):
    account = owing("300.00", on=ago(500))
    standard_breathing_space(account, ago(400), officer)
    again = standard_breathing_space(account, ago(5), officer)
    assert again.warning == ""


def test_recording_refuses_a_notified_date_in_the_future_a_stranger_as_debtor_and_staff_without_permission(officer):
    account = owing("300.00", on=ago(30))
    with pytest.raises(ValidationError, match="in the future"):
        breathing_space_record(
            tenancy=account.tenancy,
            kind=BreathingSpaceKind.STANDARD,
            starts_on=ago(1),
            notified_on=ago(-1),
            recorded_by=officer,
        )
    stranger = PersonFactory()
    with pytest.raises(ValidationError, match=r"not a named tenant .*a joint tenant is protected for the same debt"):
        breathing_space_record(
            tenancy=account.tenancy,
            kind=BreathingSpaceKind.STANDARD,
            starts_on=ago(1),
            debtor=stranger,
            recorded_by=officer,
        )
    with pytest.raises(PermissionDenied):
        breathing_space_record(
            tenancy=account.tenancy,
            kind=BreathingSpaceKind.STANDARD,
            starts_on=ago(1),
            recorded_by=user_with_role(Role.SUPPORT_WORKER),
        )
    assert not BreathingSpace.objects.exists()


def test_every_recording_tells_the_apps_above_inside_its_transaction_with_the_end_worked_out(officer):
    account = owing("300.00", on=ago(30))
    heard = []

    def receiver(sender, breathing_space, **kwargs):
        from django.db import connection

        heard.append((breathing_space.ends_on, connection.in_atomic_block))

    breathing_space_changed.connect(receiver, dispatch_uid="test-h1")
    try:
        space = standard_breathing_space(account, ago(10), officer).breathing_space
        breathing_space_end_record(
            space=space, ended_on=ago(2), reason=BreathingSpaceEnd.ENDED_EARLY, recorded_by=officer
        )
    finally:
        breathing_space_changed.disconnect(dispatch_uid="test-h1")
    assert heard == [(ago(10) + timedelta(days=60), True), (ago(2), True)]


def test_an_early_end_or_cancellation_is_dated_and_a_date_before_the_start_is_refused(officer):
    account = owing("300.00", on=ago(30))
    space = standard_breathing_space(account, ago(10), officer).breathing_space
    with pytest.raises(ValidationError, match="before the Breathing Space began"):
        breathing_space_end_record(
            space=space, ended_on=ago(11), reason=BreathingSpaceEnd.CANCELLED, recorded_by=officer
        )
    space = breathing_space_end_record(
        space=space, ended_on=ago(3), reason=BreathingSpaceEnd.CANCELLED, recorded_by=officer
    )
    assert (space.ended_on, space.end_reason, space.ends_on) == (ago(3), "cancelled", ago(3))
    assert space.history.first().history_change_reason == f"Cancelled on {ago(3):%-d %B %Y}"


# ---- R-BS-02: a mental health crisis moratorium --------------------------------------------------------------------


def test_r_bs_02_a_crisis_moratorium_stays_open_until_30_days_after_the_treatment_ends(officer):
    account = owing("300.00", on=ago(100))
    space = breathing_space_record(
        tenancy=account.tenancy, kind=BreathingSpaceKind.MENTAL_HEALTH_CRISIS, starts_on=ago(90), recorded_by=officer
    ).breathing_space
    assert (space.expected_end_on, space.ends_on) == (None, None)  # no maximum: open while treatment lasts
    assert space.covers(ago(-365))
    with pytest.raises(ValidationError, match="before the Breathing Space began"):
        breathing_space_treatment_end_record(space=space, treatment_ended_on=ago(91), recorded_by=officer)
    space = breathing_space_treatment_end_record(space=space, treatment_ended_on=ago(1), recorded_by=officer)
    assert space.ends_on == ago(1) + timedelta(days=30)


def test_r_bs_02_only_a_crisis_moratorium_ends_with_the_treatment(officer):
    account = owing("300.00", on=ago(30))
    space = standard_breathing_space(account, ago(10), officer).breathing_space
    with pytest.raises(
        ValidationError, match="Only a mental health crisis Breathing Space ends with the crisis treatment"
    ):
        breathing_space_treatment_end_record(space=space, treatment_ended_on=ago(1), recorded_by=officer)


# ---- R-BS-03: the moratorium debt, and joint tenants ---------------------------------------------------------------


def test_r_bs_03_the_moratorium_debt_is_what_was_owed_on_the_start_date_not_what_is_owed_now(officer):
    account = owing("300.00", on=ago(30))
    post(account, "100.00", ago(2))  # rent after the start
    space = standard_breathing_space(account, ago(5), officer).breathing_space
    assert account.balance == D("400.00") and space.debt_covered == D("300.00")


def test_r_bs_03_a_tenant_in_credit_at_the_start_has_no_moratorium_debt(officer):
    account = owing("-50.00", on=ago(30))
    space = standard_breathing_space(account, ago(5), officer).breathing_space
    assert space.debt_covered == D("0.00")


def test_r_bs_03_a_moratorium_for_one_joint_tenant_holds_the_tenancys_debt_for_both(officer):
    account = owing("900.00", on=ago(30), joint=True)
    joint = account.tenancy.tenancy_tenants.get(is_lead=False).person
    case = ArrearsCase.objects.create(account=account, opened_on=ago(30))
    Contact.objects.create(case=case, kind=ContactKind.CALL, outcome=ContactOutcome.NO_ANSWER, occurred_on=ago(1))
    space = breathing_space_record(
        tenancy=account.tenancy,
        kind=BreathingSpaceKind.STANDARD,
        starts_on=ago(3),
        debtor=joint,
        recorded_by=officer,
    ).breathing_space
    assert space.debtor == joint
    run, summary = review_run(as_of=timezone.localdate())
    recommendation = Recommendation.objects.get(account=account, run=run)
    assert (recommendation.action, recommendation.mode, recommendation.letter) == ("breathing_space_hold", "none", "")
    assert summary.letters_queued == 0 and not LetterRequest.objects.exists()


# ---- R-BS-10: the engine holds the moratorium debt, whatever the policy ---------------------------------------------


def _held_facts(**changed):
    """A case reviewed on 30 November 2026 under a standard moratorium from 20 November 2026 holding £900.00."""
    given = {
        "balance": "900.00",
        "weekly_rent": WEEK,
        "breathing_space": True,
        "moratorium_debt": "900.00",
        "moratorium_start_date": date(2026, 11, 20),
        "moratorium_end_date": date(2027, 1, 19),
    }
    return facts(**{k: v for k, v in (given | changed).items() if v is not None})


@pytest.mark.parametrize("policy_name", ["rentwise-default", "hackney-2020", "no-blockers"])
def test_r_bs_10_the_engine_holds_the_moratorium_debt_under_every_policy(shipped, policy_name):
    policy = {**shipped, "no-blockers": NO_BLOCKERS}[policy_name]
    # Without the moratorium each of these recommends a step: a NOSP, letter 1, a claim.
    given = {"last_stage_code": "final_warning", "last_stage_date": TODAY - timedelta(days=20)}
    unheld = evaluate(policy, facts(balance="900.00", weekly_rent=WEEK, **given))
    assert unheld.mode != "none"
    result = evaluate(policy, _held_facts(**given))
    assert (result.action, result.mode, result.letter, result.rule) == ("breathing_space_hold", "none", "", "R-BS-10")
    assert result.label == "Breathing Space: no contact or action about the moratorium debt"
    assert result.reasons[0] == (
        "a Breathing Space began on 20 November 2026 and protects the moratorium debt of £900.00 until 19 January 2027"
    )
    assert "no new arrears since it began" in result.reasons[1]
    assert result.blocked_by[0].startswith("breathing_space")


def test_r_bs_10_a_crisis_moratorium_with_no_end_yet_is_held_until_its_end_is_recorded(shipped):
    result = evaluate(shipped["hackney-2020"], _held_facts(moratorium_end_date=None))
    assert result.action == "breathing_space_hold"
    assert "until its end is recorded (a crisis one: 30 days after the treatment ends)" in result.reasons[0]


def test_r_bs_10_when_the_moratorium_debt_is_not_given_the_whole_balance_is_held(shipped):
    result = evaluate(NO_BLOCKERS, facts(balance="900.00", weekly_rent=WEEK, breathing_space=True))
    assert (result.action, result.mode) == ("breathing_space_hold", "none")


def test_r_bs_10_a_balance_below_the_moratorium_debt_is_all_held_debt(shipped):
    # The tenant has paid some of the held debt: nothing is new, so nothing may be chased.
    result = evaluate(shipped["rentwise-default"], _held_facts(balance="500.00"))
    assert result.action == "breathing_space_hold"
    assert "£500.00" in result.reasons[1]


# ---- R-BS-21: new arrears may be acted on; legal steps wait ---------------------------------------------------------


def test_r_bs_21_the_policy_sees_only_new_arrears_under_every_policy(shipped):
    hackney = evaluate(shipped["hackney-2020"], _held_facts(balance="1100.00"))  # £200 new, £100 after a week's grace
    assert (hackney.action, hackney.letter) == ("send_letter_1", "letter_1")
    assert hackney.label == "New arrears since the Breathing Space: Send letter 1"
    assert hackney.reasons[0] == (
        "the policy looked only at the new arrears of £200.00 since the Breathing Space began: the moratorium debt of "
        "£900.00 is left out"
    )
    default = evaluate(shipped["rentwise-default"], _held_facts(balance="1000.00"))
    assert default.action == "contact_before_send_reminder_1"
    assert default.label.startswith("New arrears since the Breathing Space: Call or visit before")
    assert any("real arrears £100.00" in reason for reason in default.reasons)
    custom = evaluate(NO_BLOCKERS, _held_facts(balance="1000.00"))  # £1,000 would be sued for; £100 is not
    assert (custom.action, custom.mode, custom.letter) == ("send_demand", "automatic", "demand")


def test_r_bs_21_a_legal_step_on_new_arrears_waits_until_the_moratorium_ends(shipped):
    given = {"last_stage_code": "final_warning", "last_stage_date": TODAY - timedelta(days=20)}
    default = evaluate(shipped["rentwise-default"], _held_facts(balance="1400.00", **given))  # £500 new: 5 weeks
    assert (default.action, default.mode, default.rule) == ("breathing_space_hold", "none", "R-BS-12, R-BS-13")
    assert any("Recommend serving a notice" in line and "Breathing Space" in line for line in default.reasons)
    custom = evaluate(NO_BLOCKERS, _held_facts(balance="1500.00"))  # £600 new: the claim rule holds
    assert (custom.action, custom.mode) == ("breathing_space_hold", "none")
    assert any(line.startswith("breathing_space: Issue a possession claim") for line in custom.blocked_by)


def test_r_bs_21_a_crisis_moratorium_splits_the_balance_the_same_way(shipped):
    result = evaluate(shipped["hackney-2020"], _held_facts(balance="1100.00", moratorium_end_date=None))
    assert result.label == "New arrears since the Breathing Space: Send letter 1"


# ---- R-BS-20 and the weekly review --------------------------------------------------------------------------------


def test_r_bs_20_rent_keeps_falling_due_and_what_is_unpaid_after_the_start_is_new_arrears(officer):
    account = owing("250.00", on=ago(30))
    standard_breathing_space(account, ago(10), officer)
    post(account, "100.00", ago(3))  # this week's rent, unpaid
    review_run(as_of=timezone.localdate())
    recommendation = Recommendation.objects.filter(account=account).latest("id")
    assert recommendation.facts["moratorium_debt"] == "250.00" and recommendation.facts["balance"] == "350.00"
    assert recommendation.label.startswith("New arrears since the Breathing Space: ")
    assert recommendation.reasons[0].startswith("the policy looked only at the new arrears of £100.00")


# ---- R-BS-14: the notice's lapse date moves in the review's facts ----------------------------------------------------


def test_r_bs_14_a_nosp_lapse_date_inside_a_moratorium_moves_to_8_weeks_after_it_ends(officer):
    account = owing("900.00", on=ago(400))
    ArrearsCase.objects.create(account=account, opened_on=ago(400), nosp_served_on=ago(380), nosp_expires_on=ago(-10))
    space = standard_breathing_space(account, ago(5), officer).breathing_space
    today = timezone.localdate()
    found = facts_for_accounts(account_ids=[account.pk], as_of=today)[account.pk]
    assert found["nosp_expiry_date"] == space.ends_on + timedelta(weeks=8)
    assert (found["breathing_space"], found["moratorium_debt"]) == (True, D("900.00"))
    assert (found["moratorium_start_date"], found["moratorium_end_date"]) == (ago(5), space.ends_on)


def test_r_bs_14_a_lapse_date_outside_any_moratorium_does_not_move_and_an_open_crisis_one_keeps_the_notice_alive(
    officer,
):
    today = timezone.localdate()
    outside = owing("900.00", on=ago(400))
    ArrearsCase.objects.create(account=outside, opened_on=ago(400), nosp_served_on=ago(380), nosp_expires_on=ago(6))
    standard_breathing_space(outside, ago(5), officer)
    crisis = owing("900.00", on=ago(400))
    ArrearsCase.objects.create(account=crisis, opened_on=ago(400), nosp_served_on=ago(380), nosp_expires_on=ago(1))
    breathing_space_record(
        tenancy=crisis.tenancy, kind=BreathingSpaceKind.MENTAL_HEALTH_CRISIS, starts_on=ago(5), recorded_by=officer
    )
    found = facts_for_accounts(account_ids=[outside.pk, crisis.pk], as_of=today)
    assert found[outside.pk]["nosp_expiry_date"] == ago(6)
    assert found[crisis.pk]["nosp_expiry_date"] == today + timedelta(weeks=8)  # the earliest it can now be
    assert found[crisis.pk]["moratorium_end_date"] is None


# ---- R-BS-11: letters ------------------------------------------------------------------------------------------------


@pytest.fixture
def queued(settings, tmp_path):
    """A tenancy owing £250 whose reminder the review has just queued (a call was made first)."""
    settings.MEDIA_ROOT = tmp_path
    account = owing("250.00", on=ago(9), joint=True)
    case = ArrearsCase.objects.create(account=account, opened_on=ago(9))
    Contact.objects.create(
        case=case, kind=ContactKind.CALL, outcome=ContactOutcome.NO_ANSWER, occurred_on=timezone.localdate()
    )
    review_run(as_of=timezone.localdate())
    return LetterRequest.objects.get(case=case)


def test_r_bs_11_a_letter_queued_before_the_moratorium_was_recorded_is_withheld_not_sent(queued, officer):
    templates_install_shipped()
    tenancy = queued.case.account.tenancy
    breathing_space_record(tenancy=tenancy, kind=BreathingSpaceKind.STANDARD, starts_on=ago(1), recorded_by=officer)
    assert letter_requests_render(request_ids=[queued.pk]) == {"withheld": 1}
    queued.contact.refresh_from_db()
    assert queued.contact.outcome == ContactOutcome.WITHHELD
    assert "R-BS-11" not in queued.contact.notes and f"began on {ago(1):%-d %B %Y}" in queued.contact.notes
    assert not Document.objects.filter(reference=tenancy.payment_reference).exists()


def test_r_bs_11_the_letters_queue_never_queues_a_letter_on_held_debt_whatever_was_recommended(queued, officer):
    case = queued.case
    standard_breathing_space(case.account, ago(1), officer)
    next_week = timezone.localdate() + timedelta(days=7)
    made = letters_queue(
        recommendations=[queued.recommendation], case_ids={case.account_id: case.pk}, on=next_week, run_label="officer"
    )
    assert made == []
    assert LetterRequest.objects.filter(case=case).count() == 1
    assert Contact.objects.filter(case=case, kind=ContactKind.LETTER).count() == 1


def test_r_bs_11_an_officer_cannot_send_a_letter_on_held_debt_but_may_about_new_arrears(queued, officer):
    case = queued.case
    standard_breathing_space(case.account, ago(1), officer)
    case = ArrearsCase.objects.select_related("latest_recommendation", "account__tenancy").get(pk=case.pk)
    # Whatever the policy recommends, the service itself refuses a letter on the held debt.
    Recommendation.objects.filter(pk=case.latest_recommendation_id).update(letter="final_warning", mode="officer")
    case.refresh_from_db()
    with pytest.raises(ValidationError, match=r"No letter can be sent while the Breathing Space .* lasts"):
        letter_send(case=case, sent_by=officer)
    post(case.account, "100.00", timezone.localdate())  # rent due since the start, unpaid: new arrears
    request = letter_send(case=case, sent_by=officer)
    assert request.letter == "final_warning"


def test_r_bs_11_a_letter_names_only_the_new_arrears_never_the_moratorium_debt(queued, officer):
    case = queued.case
    standard_breathing_space(case.account, ago(1), officer)
    post(case.account, "100.00", timezone.localdate())
    people = case.account.tenancy.named_tenants()
    values = case_letter_values(case, people, case.latest_recommendation)
    assert values["balance"] == "£100.00"  # not £350.00
    assert "£250.00 the Breathing Space covers" in values["moratorium_note"]
    assert (
        case_letter_values(ArrearsCase.objects.create(account=owing("5.00", on=ago(3)), opened_on=ago(3)), [])[
            "moratorium_note"
        ]
        == ""
    )


# ---- R-BS-15: agents -------------------------------------------------------------------------------------------------


def test_r_bs_15_an_agent_told_of_the_moratorium_is_recorded_as_evidence(officer):
    account = owing("300.00", on=ago(30))
    space = breathing_space_record(
        tenancy=account.tenancy,
        kind=BreathingSpaceKind.STANDARD,
        starts_on=ago(10),
        notified_on=ago(9),
        recorded_by=officer,
    ).breathing_space
    with pytest.raises(ValidationError, match="before we knew of the Breathing Space"):
        breathing_space_agent_told_record(
            space=space, agent_kind=AgentKind.SOLICITOR, agent_name="Brief & Co", told_on=ago(11), recorded_by=officer
        )
    with pytest.raises(ValidationError, match="agent's name"):
        breathing_space_agent_told_record(
            space=space, agent_kind=AgentKind.SOLICITOR, agent_name=" ", told_on=ago(8), recorded_by=officer
        )
    notice = breathing_space_agent_told_record(
        space=space,
        agent_kind=AgentKind.SOLICITOR,
        agent_name="Brief & Co",
        told_on=ago(8),
        how="Email",
        recorded_by=officer,
    )
    assert (notice.breathing_space, notice.told_on, notice.recorded_by) == (space, ago(8), officer)
    assert space.history.first().history_change_reason == f"Agent told: Brief & Co on {ago(8):%-d %B %Y}"


# ---- R-BS-22: the review request ------------------------------------------------------------------------------------


def test_r_bs_22_a_review_may_be_asked_for_on_the_20th_day_counting_the_start_but_not_after(officer):
    account = owing("300.00", on=ago(60))
    start = ago(25)
    on_time = breathing_space_record(
        tenancy=account.tenancy, kind=BreathingSpaceKind.STANDARD, starts_on=start, recorded_by=officer
    ).breathing_space
    late = breathing_space_record(
        tenancy=owing("300.00", on=ago(60)).tenancy,
        kind=BreathingSpaceKind.STANDARD,
        starts_on=start,
        recorded_by=officer,
    ).breathing_space
    last_day = start + timedelta(days=19)
    with pytest.raises(ValidationError, match=rf"last day was {last_day:%-d %B %Y}"):
        breathing_space_review_request_record(
            space=late, requested_on=start + timedelta(days=20), grounds="Unfair prejudice", recorded_by=officer
        )
    space = breathing_space_review_request_record(
        space=on_time, requested_on=last_day, grounds="The tenant has savings to pay the debt", recorded_by=officer
    )
    assert (space.review_requested_on, space.review_outcome) == (last_day, BreathingSpaceReviewOutcome.AWAITING)
    with pytest.raises(ValidationError, match="already asked for"):
        breathing_space_review_request_record(space=space, requested_on=last_day, grounds="Again", recorded_by=officer)


def test_r_bs_22_a_cancellation_after_review_ends_the_moratorium_on_its_date(officer):
    account = owing("300.00", on=ago(60))
    space = standard_breathing_space(account, ago(25), officer).breathing_space
    with pytest.raises(ValidationError, match="Record the request first"):
        breathing_space_review_outcome_record(
            space=space, outcome=BreathingSpaceReviewOutcome.UPHELD, recorded_by=officer
        )
    space = breathing_space_review_request_record(
        space=space, requested_on=ago(20), grounds="Material irregularity", recorded_by=officer
    )
    with pytest.raises(ValidationError, match="date the debt adviser cancelled"):
        breathing_space_review_outcome_record(
            space=space, outcome=BreathingSpaceReviewOutcome.CANCELLED, recorded_by=officer
        )
    space = breathing_space_review_outcome_record(
        space=space, outcome=BreathingSpaceReviewOutcome.CANCELLED, cancelled_on=ago(4), recorded_by=officer
    )
    assert (space.ends_on, space.end_reason, space.review_outcome) == (ago(4), "cancelled", "cancelled")


# ---- the case page ---------------------------------------------------------------------------------------------------


@pytest.fixture
def case(officer):
    account = owing("250.00", on=ago(14), joint=True, officer=officer)
    review_run(as_of=timezone.localdate())
    return ArrearsCase.objects.get(account=account)


def test_the_case_page_records_a_breathing_space_and_its_life_through_its_forms(client, officer, case):
    client.force_login(officer)
    url = f"/worklist/cases/{case.pk}/breathing-space/"
    joint = case.account.tenancy.tenancy_tenants.get(is_lead=False).person
    # A missing start date is explained, and what was typed is kept.
    response = client.post(url, {"moratorium_type": "standard", "reference": "BS-777", "debtor": str(joint.pk)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and 'value="BS-777"' in html
    assert not BreathingSpace.objects.exists()
    start = ago(3)
    response = client.post(
        url,
        {
            "moratorium_type": "standard",
            "reference": "BS-777",
            "debtor": str(joint.pk),
            "adviser_name": "Ada Adviser",
            "adviser_organisation": "StepChange",
            **dmy(start, "starts_on"),
            **dmy(ago(2), "notified_on"),
        },
        follow=True,
    )
    html = response.content.decode()
    ends = start + timedelta(days=60)
    assert f"Arrears letters and legal steps on the moratorium debt of £250.00 are held until {ends:%-d %B %Y}" in html
    assert "moves to 8 weeks after it ends" in html
    space = BreathingSpace.objects.get()
    assert (space.debtor, space.reference, space.adviser_organisation) == (joint, "BS-777", "StepChange")
    last_day = start + timedelta(days=19)
    assert f"{last_day:%-d %B %Y} (20 days from the start)" in html and "Open" in html
    assert f"Around {start + timedelta(days=30):%-d %B %Y}" in html  # the adviser's midway review
    assert "£250.00 still held" in html and "Every joint tenant is protected for the same debt" in html
    assert "None recorded. If solicitors, enforcement agents" in html
    case.refresh_from_db()
    assert case.latest_recommendation.action == "breathing_space_hold"

    # A review request with no grounds is refused with the typed date kept; then recorded.
    response = client.post(
        f"/worklist/cases/{case.pk}/breathing-space/review-request/", dmy(ago(1), "review_requested_on")
    )
    assert response.status_code == 400 and "Enter the grounds for the review" in response.content.decode()
    response = client.post(
        f"/worklist/cases/{case.pk}/breathing-space/review-request/",
        {"review_grounds": "Unfair prejudice", **dmy(ago(1), "review_requested_on")},
        follow=True,
    )
    assert "Review request recorded" in response.content.decode()
    response = client.post(
        f"/worklist/cases/{case.pk}/breathing-space/agents/",
        {"agent_kind": "solicitor", "agent_name": "Brief & Co", "how": "Email", **dmy(ago(1), "told_on")},
        follow=True,
    )
    html = response.content.decode()
    assert "Brief &amp; Co told of the Breathing Space" in html and "Brief &amp; Co (solicitors)" in html
    response = client.post(
        f"/worklist/cases/{case.pk}/breathing-space/end/",
        {"end_reason": "ended_early", **dmy(ago(4), "ended_on")},
    )
    assert response.status_code == 400 and "before the Breathing Space began" in response.content.decode()
    response = client.post(
        f"/worklist/cases/{case.pk}/breathing-space/end/",
        {"end_reason": "ended_early", **dmy(ago(1), "ended_on")},
        follow=True,
    )
    assert "may start again" in response.content.decode()
    assert BreathingSpace.objects.get().ends_on == ago(1)


def test_the_case_page_with_a_breathing_space_has_no_duplicate_ids_and_shows_the_moved_lapse_date(
    client, officer, case
):
    import re
    from collections import Counter

    ArrearsCase.objects.filter(pk=case.pk).update(nosp_served_on=ago(380), nosp_expires_on=ago(-10))
    space = breathing_space_record(
        tenancy=case.account.tenancy,
        kind=BreathingSpaceKind.MENTAL_HEALTH_CRISIS,
        starts_on=ago(40),
        recorded_by=officer,
    ).breathing_space
    client.force_login(officer)
    html = client.get(f"/worklist/cases/{case.pk}/").content.decode()
    assert [i for i, n in Counter(re.findall(r'\bid="([^"]+)"', html)).items() if n > 1] == []
    assert "Record the end of the crisis treatment" in html and "Closed" in html  # the review window has passed
    assert "8 weeks after the Breathing Space ends (not known yet)" in html
    breathing_space_treatment_end_record(space=space, treatment_ended_on=ago(1), recorded_by=officer)
    html = client.get(f"/worklist/cases/{case.pk}/").content.decode()
    moved = ago(1) + timedelta(days=30) + timedelta(weeks=8)
    assert f"{moved:%-d %B %Y}" in html


def test_the_forms_to_change_a_breathing_space_need_the_change_permission(client, case):
    from django.contrib.auth.models import Permission

    clerk = user_with_role(Role.INCOME_OFFICER)
    clerk.groups.first().permissions.remove(Permission.objects.get(codename="change_breathingspace"))
    clerk = type(clerk).objects.get(pk=clerk.pk)
    client.force_login(clerk)
    response = client.post(f"/worklist/cases/{case.pk}/breathing-space/end/", {"end_reason": "ended_early"})
    assert response.status_code == 403


def test_the_case_page_records_a_crisis_treatment_end_and_a_review_outcome(client, officer, case):
    space = breathing_space_record(
        tenancy=case.account.tenancy,
        kind=BreathingSpaceKind.MENTAL_HEALTH_CRISIS,
        starts_on=ago(10),
        recorded_by=officer,
    ).breathing_space
    breathing_space_review_request_record(space=space, requested_on=ago(9), grounds="Irregular", recorded_by=officer)
    client.force_login(officer)
    response = client.post(
        f"/worklist/cases/{case.pk}/breathing-space/review-outcome/", {"review_outcome": "upheld"}, follow=True
    )
    assert "Outcome recorded: the Breathing Space stays in force." in response.content.decode()
    response = client.post(
        f"/worklist/cases/{case.pk}/breathing-space/treatment-end/", dmy(ago(1), "treatment_ended_on"), follow=True
    )
    ends = ago(1) + timedelta(days=30)
    assert f"the Breathing Space ends on {ends:%-d %B %Y}" in response.content.decode()
    space.refresh_from_db()
    assert (space.review_outcome, space.ends_on) == ("upheld", ends)


def test_the_case_page_says_what_held_a_step_back_in_words_not_keys():
    """ "Held back" reads as a sentence for the officer ("Breathing space: ..."), not the policy's internal key."""
    from types import SimpleNamespace

    from arrears.views import held_back_lines

    recommendation = SimpleNamespace(
        blocked_by=["breathing_space: a Breathing Space began on 3 December 2026", "Send letter 1: stopped by paused"]
    )
    assert held_back_lines(recommendation) == [
        "Breathing space: a Breathing Space began on 3 December 2026",
        "Send letter 1: stopped by paused",
    ]
    assert held_back_lines(None) == []
