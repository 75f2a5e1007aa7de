"""Sending a run for approval, cancelling it, and a second person approving or rejecting it (maker and checker)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incomeapp.roles import staff_require
from lifecycle.constants import RentChangeStatus
from lifecycle.models import RentChangeRun

from .applying import rent_change_run_dispatch
from .preparing import notice_problem

# ---- submitting and deciding -----------------------------------------------------------------------------------------


def _locked(run: RentChangeRun) -> RentChangeRun:
    return RentChangeRun.objects.select_for_update().get(pk=run.pk)


@transaction.atomic
def rent_change_run_submit(*, by, run: RentChangeRun, today: date | None = None) -> RentChangeRun:
    """Sends a draft for approval by someone else. The date is checked against the notice period again."""
    staff_require(by, "lifecycle.add_rentchangerun", "send rent changes for approval")
    run = _locked(run)
    if run.status != RentChangeStatus.DRAFT:
        raise ValidationError(f"This rent change is {run.get_status_display().lower()}, so it cannot be sent again.")
    problem = notice_problem(
        effective_from=run.effective_from, notice_weeks=run.notice_weeks, today=today or timezone.localdate()
    )
    if problem:
        raise ValidationError(f"{problem} Prepare it again with a later date.")
    run._history_user = by
    run.status, run.submitted_at = RentChangeStatus.AWAITING_APPROVAL, timezone.now()
    run.save(update_fields=["status", "submitted_at", "updated_at"])
    return run


@transaction.atomic
def rent_change_run_cancel(*, by, run: RentChangeRun) -> RentChangeRun:
    staff_require(by, "lifecycle.change_rentchangerun", "cancel rent changes")
    run = _locked(run)
    if run.status not in (RentChangeStatus.DRAFT, RentChangeStatus.AWAITING_APPROVAL):
        raise ValidationError(f"This rent change is {run.get_status_display().lower()}, so it cannot be cancelled.")
    run._history_user = by
    run.status = RentChangeStatus.CANCELLED
    run.save(update_fields=["status", "updated_at"])
    return run


def _decision_check(by, run: RentChangeRun) -> None:
    staff_require(by, "lifecycle.approve_rentchangerun", "approve or reject rent changes")
    if by is None:
        raise ValidationError("A rent change is approved or rejected by a person.")
    if run.status == RentChangeStatus.APPROVED:
        who = run.decided_by.get_full_name() or run.decided_by.get_username()
        raise ValidationError(
            f"This rent change was already approved by {who} on {timezone.localtime(run.decided_at):%-d %B %Y}. "
            "Nothing was changed again and no letter was sent again."
        )
    if run.status != RentChangeStatus.AWAITING_APPROVAL:
        raise ValidationError(f"This rent change is {run.get_status_display().lower()}: there is nothing to decide.")
    if run.prepared_by_id == by.pk:
        raise ValidationError("You prepared this rent change, so someone else must approve or reject it.")


@transaction.atomic
def rent_change_run_approve(*, by, run: RentChangeRun, reason: str = "", today: date | None = None) -> RentChangeRun:
    """Approves a run prepared by someone else. The charges change and the letters are made by Celery once this
    commits (in chunks; the run's page shows progress). Approving again is refused and changes nothing."""
    run = _locked(run)
    _decision_check(by, run)
    problem = notice_problem(
        effective_from=run.effective_from, notice_weeks=run.notice_weeks, today=today or timezone.localdate()
    )
    if problem:
        raise ValidationError(
            f"It is too late to approve this rent change: {problem[0].lower()}{problem[1:]} Reject it and prepare it "
            "again with a later date."
        )
    run._history_user = by
    run.status, run.decided_by, run.decided_at = RentChangeStatus.APPROVED, by, timezone.now()
    run.decision_reason = (reason or "").strip()
    run.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"])
    transaction.on_commit(lambda: rent_change_run_dispatch(run=run))
    return run


@transaction.atomic
def rent_change_run_reject(*, by, run: RentChangeRun, reason: str) -> RentChangeRun:
    run = _locked(run)
    _decision_check(by, run)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give the reason for rejecting it, so the person who prepared it knows what to change.")
    run._history_user = by
    run.status, run.decided_by, run.decided_at, run.decision_reason = (
        RentChangeStatus.REJECTED,
        by,
        timezone.now(),
        reason,
    )
    run.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"])
    return run
