"""Complaints under the Housing Ombudsman's Complaint Handling Code: due dates in working days (bank holidays
skipped), the rule in force on the day a stage began, acknowledgement moving the response date, extension limits,
escalation, referral to the Ombudsman, dates checked in plain words, and permissions."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from complaints.constants import ComplaintAbout, ComplaintOutcome, ComplaintStageKind, ResponseClockStart
from complaints.handling_code import COMPLAINT_HANDLING_RULES, complaint_rules_install
from complaints.models import ComplaintHandlingRule
from complaints.selectors import open_complaints
from complaints.services import (
    complaint_acknowledge,
    complaint_escalate,
    complaint_extend,
    complaint_record,
    complaint_refer,
    complaint_respond,
    current_stage,
)
from incomeapp.constants import Role
from tests.factories import PersonFactory, TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenancy():
    return TenancyFactory()


def record(tenancy, by, received_on, about=ComplaintAbout.ARREARS_ACTION):
    return complaint_record(
        person=tenancy.named_tenants()[0],
        tenancy=tenancy,
        about=about,
        summary="Three calls in one day about the arrears.",
        received_on=received_on,
        by=by,
    )


def test_the_shipped_rules_are_dated_with_their_sources():
    assert ComplaintHandlingRule.objects.count() == len(COMPLAINT_HANDLING_RULES) == 4
    for rule in ComplaintHandlingRule.objects.all():
        assert "housing-ombudsman.org.uk" in rule.source
    code_2024 = ComplaintHandlingRule.objects.get(stage=ComplaintStageKind.STAGE_2, effective_from=date(2024, 4, 1))
    assert (code_2024.acknowledge_working_days, code_2024.respond_working_days) == (5, 20)
    assert code_2024.respond_from == ResponseClockStart.ACKNOWLEDGED
    assert complaint_rules_install() == 0  # safe to repeat


@time_machine.travel(date(2027, 2, 1))
def test_due_dates_skip_christmas_boxing_day_and_new_year(tenancy, officer, manager):
    # Thursday 24 December 2026. Not working days: Fri 25 (Christmas), the weekend, Mon 28 (Boxing Day, substitute
    # for Saturday 26), Fri 1 January 2027 (New Year's Day) and that weekend. Five working days: 29, 30, 31 December,
    # 4 and 5 January.
    complaint = record(tenancy, officer, date(2026, 12, 24))
    stage = current_stage(complaint)
    assert stage.stage == ComplaintStageKind.STAGE_1
    assert stage.rule.effective_from == date(2024, 4, 1)
    assert stage.acknowledge_by == date(2027, 1, 5)
    # Before the acknowledgement: 10 working days from the last day it may be sent (6-8, 11-15, 18, 19 January).
    assert stage.respond_by == date(2027, 1, 19)

    # Acknowledged on Wednesday 30 December: 10 working days from then are 31 December, 4-8 and 11-14 January.
    stage = complaint_acknowledge(complaint=complaint, acknowledged_on=date(2026, 12, 30), by=manager)
    assert stage.respond_by == date(2027, 1, 14)


@time_machine.travel(date(2024, 2, 1))
def test_a_complaint_received_in_2023_uses_the_2022_code(tenancy, officer, manager):
    # Friday 22 December 2023: 25 and 26 December and 1 January 2024 are bank holidays.
    complaint = record(tenancy, officer, date(2023, 12, 22))
    stage = current_stage(complaint)
    assert stage.rule.effective_from == date(2022, 4, 1)
    assert stage.rule.respond_from == ResponseClockStart.RECEIVED
    assert stage.acknowledge_by == date(2024, 1, 3)  # 27, 28, 29 December, 2, 3 January
    assert stage.respond_by == date(2024, 1, 10)  # ... 4, 5, 8, 9, 10 January: counted from receipt
    # Under the 2022 code the acknowledgement does not move the response date.
    stage = complaint_acknowledge(complaint=complaint, acknowledged_on=date(2024, 1, 2), by=manager)
    assert stage.respond_by == date(2024, 1, 10)


@time_machine.travel(date(2027, 2, 1))
def test_an_extension_needs_a_reason_and_goes_no_further_than_the_code_allows(tenancy, officer, manager):
    complaint = record(tenancy, officer, date(2026, 12, 24))
    complaint_acknowledge(complaint=complaint, acknowledged_on=date(2026, 12, 30), by=manager)  # respond by 14 Jan
    with pytest.raises(ValidationError, match="the latest date is 28 January 2027"):
        complaint_extend(
            complaint=complaint, extended_to=date(2027, 1, 29), reason="Waiting for call records", by=manager
        )
    with pytest.raises(ValidationError, match="reason"):
        complaint_extend(complaint=complaint, extended_to=date(2027, 1, 28), reason="  ", by=manager)
    with pytest.raises(ValidationError, match="after the date the response is due now"):
        complaint_extend(complaint=complaint, extended_to=date(2027, 1, 14), reason="More time", by=manager)
    stage = complaint_extend(complaint=complaint, extended_to=date(2027, 1, 28), reason="Call records", by=manager)
    assert (stage.respond_by, stage.extended_to, stage.extension_reason) == (
        date(2027, 1, 14),
        date(2027, 1, 28),
        "Call records",
    )


@time_machine.travel(date(2027, 3, 1))
def test_respond_closes_escalate_opens_stage_2_with_its_own_dates(tenancy, officer, manager):
    complaint = record(tenancy, officer, date(2027, 1, 4))
    with pytest.raises(ValidationError, match="Record the stage 1 response first"):
        complaint_escalate(complaint=complaint, requested_on=date(2027, 1, 20), by=manager)
    complaint_acknowledge(complaint=complaint, acknowledged_on=date(2027, 1, 5), by=manager)
    complaint_respond(
        complaint=complaint,
        responded_on=date(2027, 1, 15),
        outcome=ComplaintOutcome.NOT_UPHELD,
        response_summary="The calls followed the policy.",
        by=manager,
    )
    complaint.refresh_from_db()
    assert complaint.closed_on == date(2027, 1, 15)
    assert open_complaints(user=manager, today=date(2027, 3, 1)).rows == []

    with pytest.raises(ValidationError, match="cannot be before the stage 1 response"):
        complaint_escalate(complaint=complaint, requested_on=date(2027, 1, 14), by=manager)
    stage = complaint_escalate(complaint=complaint, requested_on=date(2027, 1, 20), by=manager)
    complaint.refresh_from_db()
    assert complaint.closed_on is None
    assert stage.stage == ComplaintStageKind.STAGE_2
    assert stage.acknowledge_by == date(2027, 1, 27)  # Wednesday 20 January + 5 working days
    assert stage.respond_by == date(2027, 2, 24)  # + 20 working days from that
    stage = complaint_acknowledge(complaint=complaint, acknowledged_on=date(2027, 1, 21), by=manager)
    assert stage.respond_by == date(2027, 2, 18)
    assert [s.stage for s in complaint.stages.all()] == [ComplaintStageKind.STAGE_1, ComplaintStageKind.STAGE_2]
    with pytest.raises(ValidationError, match="Only a stage 1 complaint"):
        complaint_escalate(complaint=complaint, requested_on=date(2027, 1, 22), by=manager)


@time_machine.travel(date(2027, 3, 1))
def test_referral_to_the_ombudsman_has_no_landlord_deadline(tenancy, officer, manager):
    complaint = record(tenancy, officer, date(2027, 1, 4))
    stage = complaint_refer(complaint=complaint, referred_on=date(2027, 2, 10), by=manager)
    assert stage.stage == ComplaintStageKind.OMBUDSMAN
    assert (stage.rule, stage.acknowledge_by, stage.respond_by) == (None, None, None)
    rows = open_complaints(user=manager, today=date(2027, 3, 1)).rows
    assert [(row.complaint, row.due, row.with_ombudsman) for row in rows] == [(complaint, None, True)]
    with pytest.raises(ValidationError, match="with the Housing Ombudsman"):
        complaint_acknowledge(complaint=complaint, acknowledged_on=date(2027, 2, 11), by=manager)
    with pytest.raises(ValidationError, match="already referred"):
        complaint_refer(complaint=complaint, referred_on=date(2027, 2, 11), by=manager)
    complaint_respond(
        complaint=complaint,
        responded_on=date(2027, 2, 26),
        outcome=ComplaintOutcome.PARTLY_UPHELD,
        response_summary="Service failure; £50 compensation.",
        by=manager,
    )
    complaint.refresh_from_db()
    assert complaint.closed_on == date(2027, 2, 26)


@time_machine.travel(date(2027, 3, 1))
def test_dates_are_checked_in_plain_words(tenancy, officer, manager):
    with pytest.raises(ValidationError, match="must be today or in the past"):
        record(tenancy, officer, date(2027, 3, 2))
    complaint = record(tenancy, officer, date(2027, 2, 10))
    with pytest.raises(ValidationError, match=r"cannot be before the day it began \(10 February 2027\)"):
        complaint_acknowledge(complaint=complaint, acknowledged_on=date(2027, 2, 9), by=manager)
    with pytest.raises(ValidationError, match="never been named"):
        complaint_record(
            person=PersonFactory(),
            tenancy=tenancy,
            about="other",
            summary="x",
            received_on=date(2027, 2, 1),
            by=officer,
        )


@time_machine.travel(date(2027, 3, 1))
def test_officers_record_only_managers_answer(tenancy, officer, manager):
    support = user_with_role(Role.SUPPORT_WORKER)
    with pytest.raises(PermissionDenied, match="record a complaint"):
        record(tenancy, support, date(2027, 2, 10))
    complaint = record(tenancy, officer, date(2027, 2, 10))
    day = date(2027, 2, 11)
    for refused in (
        lambda: complaint_acknowledge(complaint=complaint, acknowledged_on=day, by=officer),
        lambda: complaint_extend(complaint=complaint, extended_to=date(2027, 3, 1), reason="r", by=officer),
        lambda: complaint_respond(
            complaint=complaint, responded_on=day, outcome="upheld", response_summary="s", by=officer
        ),
        lambda: complaint_escalate(complaint=complaint, requested_on=day, by=officer),
        lambda: complaint_refer(complaint=complaint, referred_on=day, by=officer),
    ):
        with pytest.raises(PermissionDenied):
            refused()
    assert current_stage(complaint).acknowledged_on is None


@time_machine.travel(date(2027, 3, 1))
def test_the_open_list_puts_overdue_first_then_by_next_due_date(officer, manager):
    today = date(2027, 3, 1)
    late = record(TenancyFactory(), officer, date(2027, 2, 1))  # acknowledgement due 8 February: overdue
    later_due = record(TenancyFactory(), officer, date(2027, 2, 26))  # acknowledgement due 5 March
    sooner_due = record(TenancyFactory(), officer, date(2027, 2, 24))  # acknowledgement due 3 March
    acknowledged = record(TenancyFactory(), officer, date(2027, 2, 22))
    complaint_acknowledge(complaint=acknowledged, acknowledged_on=date(2027, 2, 23), by=manager)  # respond by 9 March
    referred = record(TenancyFactory(), officer, date(2027, 1, 4))
    complaint_refer(complaint=referred, referred_on=date(2027, 2, 1), by=manager)
    closed = record(TenancyFactory(), officer, date(2027, 2, 1))
    complaint_respond(
        complaint=closed, responded_on=date(2027, 2, 5), outcome="upheld", response_summary="s", by=manager
    )
    escalated = record(TenancyFactory(), officer, date(2027, 1, 4))
    complaint_respond(
        complaint=escalated, responded_on=date(2027, 1, 8), outcome="upheld", response_summary="s", by=manager
    )
    complaint_escalate(complaint=escalated, requested_on=date(2027, 2, 25), by=manager)  # acknowledge by 4 March

    listing = open_complaints(user=manager, today=today)
    assert [row.complaint for row in listing.rows] == [late, sooner_due, escalated, later_due, acknowledged, referred]
    assert listing.rows[0].due.overdue_by == 15  # 9 February to 1 March
    assert listing.rows[0].due.what == "acknowledge"
    assert listing.rows[4].due.what == "respond"
    assert listing.overdue == 1
    assert listing.counts == {"stage_1": 4, "stage_2": 1, "ombudsman": 1}
    stage_2 = open_complaints(user=manager, today=today, stage=ComplaintStageKind.STAGE_2)
    assert [row.complaint for row in stage_2.rows] == [escalated]
