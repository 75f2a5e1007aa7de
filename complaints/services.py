"""Writes of the complaints app: record a complaint, then acknowledge, extend, answer, escalate it to stage 2 or
record its referral to the Housing Ombudsman. Each checks the person's permission and the dates it is given, and
works the stage's due dates out in working days from the rule of the Complaint Handling Code in force on the day the
stage began (`ComplaintHandlingRule`)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incomeapp.constants import Jurisdiction
from incomeapp.roles import staff_require
from incomeapp.workingdays import add_working_days
from tenancies.models import Person, Tenancy, TenancyTenant

from .constants import ComplaintAbout, ComplaintOutcome, ComplaintStageKind, ResponseClockStart
from .models import Complaint, ComplaintHandlingRule, ComplaintStage

RECORD = "complaints.add_complaint"
MANAGE = "complaints.manage_complaints"


class NoComplaintRule(LookupError):
    pass


def complaint_rule_on(*, stage: str, on: date) -> ComplaintHandlingRule:
    """The rule of the Code in force for `stage` on `on` (the day the stage began)."""
    rule = ComplaintHandlingRule.objects.filter(stage=stage, effective_from__lte=on).order_by("-effective_from").first()
    if rule is None:
        raise NoComplaintRule(
            f"No complaint handling rule for {ComplaintStageKind(stage).label.lower()} is in force on "
            f"{on:%-d %B %Y}. Add the rule under Admin."
        )
    return rule


def complaint_jurisdiction(complaint: Complaint) -> str:
    """Whose bank holidays count: the landlord's of the tenancy complained about; England when there is none."""
    if complaint.tenancy_id is None:
        return Jurisdiction.ENGLAND
    return complaint.tenancy.property.scheme.provider.jurisdiction


def _respond_by(rule: ComplaintHandlingRule, *, started_on: date, acknowledged_on: date | None, ack_by, where) -> date:
    # Before the acknowledgement the response clock of the 2024 Code is counted from the last day the
    # acknowledgement may be sent, so the date shown is the latest the Code allows; acknowledging sets it exactly.
    acknowledged = rule.respond_from == ResponseClockStart.ACKNOWLEDGED
    start = (acknowledged_on or ack_by) if acknowledged else started_on
    return add_working_days(start, rule.respond_working_days, jurisdiction=where)


def _stage_start(complaint: Complaint, *, stage: str, started_on: date, by) -> ComplaintStage:
    rule = complaint_rule_on(stage=stage, on=started_on)
    where = complaint_jurisdiction(complaint)
    ack_by = add_working_days(started_on, rule.acknowledge_working_days, jurisdiction=where)
    row = ComplaintStage(
        complaint=complaint,
        stage=stage,
        started_on=started_on,
        rule=rule,
        acknowledge_by=ack_by,
        respond_by=_respond_by(rule, started_on=started_on, acknowledged_on=None, ack_by=ack_by, where=where),
        recorded_by=by,
    )
    row.save()
    return row


def _check_day(day: date | None, *, what: str, not_before: date | None = None, before_what: str = "") -> date:
    today = timezone.localdate()
    if day is None:
        raise ValidationError(f"Enter the date {what}")
    if day > today:
        raise ValidationError(f"The date {what} must be today or in the past")
    if not_before is not None and day < not_before:
        raise ValidationError(f"The date {what} cannot be before {before_what} ({not_before:%-d %B %Y})")
    return day


def current_stage(complaint: Complaint) -> ComplaintStage:
    """The stage the complaint is at: the latest one begun."""
    order = list(ComplaintStageKind.values)
    return max(complaint.stages.all(), key=lambda row: (order.index(row.stage), row.started_on, row.pk))


def _stage_for_update(complaint: Complaint) -> ComplaintStage:
    Complaint.objects.select_for_update().filter(pk=complaint.pk).first()
    complaint.refresh_from_db()
    return current_stage(complaint)


@transaction.atomic
def complaint_record(
    *, person: Person, tenancy: Tenancy | None, about: str, summary: str, received_on: date, by
) -> Complaint:
    """A complaint from `person` (about `tenancy`, one of theirs, when given): stage 1 begins on the day it was
    received, with the dates its acknowledgement and response are due."""
    staff_require(by, RECORD, "record a complaint")
    if person.merged_into_id is not None:
        raise ValidationError("This record was merged into another: record the complaint on that person's record")
    if about not in ComplaintAbout.values:
        raise ValidationError("Choose what the complaint is about")
    if not (summary or "").strip():
        raise ValidationError("Enter what the complaint is about, in the complainant's words")
    if tenancy is not None and not TenancyTenant.every_row.filter(tenancy=tenancy, person=person).exists():
        raise ValidationError(f"{person.full_name} has never been named on tenancy {tenancy.payment_reference}")
    _check_day(received_on, what="the complaint was received")
    complaint = Complaint(
        person=person,
        tenancy=tenancy,
        about=about,
        summary=summary.strip(),
        received_on=received_on,
        recorded_by=by,
    )
    complaint.save()
    _stage_start(complaint, stage=ComplaintStageKind.STAGE_1, started_on=received_on, by=by)
    return complaint


def _open_landlord_stage(stage: ComplaintStage, action: str) -> None:
    if stage.stage == ComplaintStageKind.OMBUDSMAN:
        raise ValidationError(f"The complaint is with the Housing Ombudsman: there is nothing to {action}")
    if stage.responded_on is not None:
        raise ValidationError(
            f"{stage.get_stage_display()} was answered on {stage.responded_on:%-d %B %Y}: there is nothing to {action}"
        )


@transaction.atomic
def complaint_acknowledge(*, complaint: Complaint, acknowledged_on: date, by) -> ComplaintStage:
    """Records the acknowledgement of the current stage; when the rule counts the response from the acknowledgement,
    the response is now due that many working days after it."""
    staff_require(by, MANAGE, "acknowledge a complaint")
    stage = _stage_for_update(complaint)
    _open_landlord_stage(stage, "acknowledge")
    if stage.acknowledged_on is not None:
        raise ValidationError(
            f"{stage.get_stage_display()} was already acknowledged on {stage.acknowledged_on:%-d %B %Y}"
        )
    _check_day(acknowledged_on, what="it was acknowledged", not_before=stage.started_on, before_what="the day it began")
    stage.acknowledged_on = acknowledged_on
    if stage.rule is not None and stage.rule.respond_from == ResponseClockStart.ACKNOWLEDGED:
        stage.respond_by = _respond_by(
            stage.rule,
            started_on=stage.started_on,
            acknowledged_on=acknowledged_on,
            ack_by=stage.acknowledge_by,
            where=complaint_jurisdiction(complaint),
        )
    stage.save()
    return stage


def extension_limit(stage: ComplaintStage, *, jurisdiction: str) -> date | None:
    """The latest date the response may be put back to under the stage's rule."""
    if stage.rule is None or stage.respond_by is None:
        return None
    return add_working_days(stage.respond_by, stage.rule.extension_working_days, jurisdiction=jurisdiction)


@transaction.atomic
def complaint_extend(*, complaint: Complaint, extended_to: date, reason: str, by) -> ComplaintStage:
    """Puts the current stage's response back to `extended_to`, no later than the rule's extension allows, with the
    reason the complainant is told."""
    staff_require(by, MANAGE, "extend the time to answer a complaint")
    stage = _stage_for_update(complaint)
    _open_landlord_stage(stage, "extend")
    if not (reason or "").strip():
        raise ValidationError("Enter the reason for the extension: the complainant must be told why")
    if extended_to is None:
        raise ValidationError("Enter the new date the response is due")
    if extended_to <= stage.respond_by:
        raise ValidationError(
            f"The new date must be after the date the response is due now ({stage.respond_by:%-d %B %Y})"
        )
    limit = extension_limit(stage, jurisdiction=complaint_jurisdiction(complaint))
    if extended_to > limit:
        raise ValidationError(
            f"The Complaint Handling Code allows no more than {stage.rule.extension_working_days} working days more: "
            f"the latest date is {limit:%-d %B %Y}"
        )
    stage.extended_to = extended_to
    stage.extension_reason = reason.strip()
    stage.save()
    return stage


@transaction.atomic
def complaint_respond(
    *, complaint: Complaint, responded_on: date, outcome: str, response_summary: str, by
) -> ComplaintStage:
    """Records the answer to the current stage (or, once referred, the Ombudsman's decision); the complaint closes
    until the complainant asks to escalate it."""
    staff_require(by, MANAGE, "record the answer to a complaint")
    stage = _stage_for_update(complaint)
    if stage.responded_on is not None:
        raise ValidationError(f"{stage.get_stage_display()} was already answered on {stage.responded_on:%-d %B %Y}")
    if outcome not in ComplaintOutcome.values:
        raise ValidationError("Choose the outcome")
    if not (response_summary or "").strip():
        raise ValidationError("Enter a summary of the response")
    _check_day(
        responded_on,
        what="of the response",
        not_before=stage.acknowledged_on or stage.started_on,
        before_what="the acknowledgement" if stage.acknowledged_on else "the day the stage began",
    )
    stage.responded_on = responded_on
    stage.outcome = outcome
    stage.response_summary = response_summary.strip()
    stage.save()
    complaint.closed_on = responded_on
    complaint.save(update_fields=["closed_on"])
    return stage


@transaction.atomic
def complaint_escalate(*, complaint: Complaint, requested_on: date, by) -> ComplaintStage:
    """The complainant asked, on `requested_on`, for stage 2: it begins that day with its own due dates, and the
    complaint is open again."""
    staff_require(by, MANAGE, "escalate a complaint")
    stage = _stage_for_update(complaint)
    if stage.stage != ComplaintStageKind.STAGE_1:
        raise ValidationError("Only a stage 1 complaint can be escalated to stage 2")
    if stage.responded_on is None:
        raise ValidationError("Record the stage 1 response first: a complaint is escalated once stage 1 is answered")
    _check_day(
        requested_on, what="the complainant asked", not_before=stage.responded_on, before_what="the stage 1 response"
    )
    row = _stage_start(complaint, stage=ComplaintStageKind.STAGE_2, started_on=requested_on, by=by)
    complaint.closed_on = None
    complaint.save(update_fields=["closed_on"])
    return row


@transaction.atomic
def complaint_refer(*, complaint: Complaint, referred_on: date, by) -> ComplaintStage:
    """The complainant took the complaint to the Housing Ombudsman on `referred_on`: the landlord's own deadlines end
    (the row has no rule and no due dates) and it stays open, "with the Ombudsman", until the decision is recorded."""
    staff_require(by, MANAGE, "record a referral to the Housing Ombudsman")
    stage = _stage_for_update(complaint)
    if stage.stage == ComplaintStageKind.OMBUDSMAN:
        raise ValidationError(f"The complaint was already referred on {stage.started_on:%-d %B %Y}")
    _check_day(referred_on, what="of the referral", not_before=complaint.received_on, before_what="the complaint")
    row = ComplaintStage(
        complaint=complaint, stage=ComplaintStageKind.OMBUDSMAN, started_on=referred_on, rule=None, recorded_by=by
    )
    row.save()
    complaint.closed_on = None
    complaint.save(update_fields=["closed_on"])
    return row
