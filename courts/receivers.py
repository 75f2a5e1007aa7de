"""What the courts app does when the arrears app records a Breathing Space or changes its dates
(`arrears.signals.breathing_space_changed`, sent inside the recording transaction, so these writes stand or fall with
it). Deadlines need no write here: a notice keeps its statutory lapse date and `courts.selectors.notice_lapse` moves
it each time it is read (R-BS-14)."""

from django.utils import timezone

from arrears.constants import CaseStatus
from arrears.models import ArrearsCase, BreathingSpace
from arrears.services import legal_milestone_record

from .models import LegalCase, Notice
from .selectors import notice_for_arrears


def notices_void_for_moratorium(*, breathing_space: BreathingSpace, recorded_by=None) -> list[Notice]:
    """R-BS-12: a notice on rent-arrears grounds served while a moratorium protects the tenancy's debt is void, for
    every named tenant (R-BS-03: a joint tenant's moratorium protects the joint debt). Cautious: void when either the
    day it was served or the day it counts as served falls inside. A notice found void stays void even if the
    moratorium's dates change later so that it no longer covers that day. When the void notice is the one recorded on
    the arrears case, that milestone is cleared (with a diary note), so the review no longer counts on it; a claim
    being prepared on it (not yet issued) is closed with the reason. Returns the notices marked void."""
    space = breathing_space
    today = timezone.localdate()
    until = f"{space.ends_on:%-d %B %Y}" if space.ends_on else "an end not yet known"
    voided = []
    notices = Notice.objects.filter(tenancy_id=space.tenancy_id, voided_on__isnull=True).select_for_update()
    for notice in notices.order_by("served_on", "id"):
        if not (space.covers(notice.served_on) or space.covers(notice.deemed_served_on)):
            continue
        if not notice_for_arrears(notice):  # a section 21 notice may be served during a moratorium
            continue
        notice.voided_on = today
        notice.void_reason = (
            f"it was served on {notice.served_on:%-d %B %Y}"
            + (
                f" (counting as served on {notice.deemed_served_on:%-d %B %Y})"
                if notice.deemed_served_on != notice.served_on
                else ""
            )
            + f", during the {space.get_kind_display().lower()} Breathing Space from {space.starts_on:%-d %B %Y} to "
            f"{until}: a notice on rent-arrears grounds served during a moratorium is void (SI 2020/1311, R-BS-12)."
        )
        notice.save(update_fields=["voided_on", "void_reason"])
        voided.append(notice)
        # A claim being prepared on it cannot go ahead: closed, with the reason. One already issued is the court's to
        # decide, so it stays open (its page shows the notice as void).
        for legal_case in LegalCase.objects.filter(notice=notice, claim_issued_on__isnull=True).exclude(
            status=LegalCase.Status.CLOSED
        ):
            legal_case.status, legal_case.closed_on = LegalCase.Status.CLOSED, today
            legal_case.closed_reason = f"The notice of {notice.served_on:%-d %B %Y} is void"
            legal_case._change_reason = legal_case.closed_reason
            legal_case.save(update_fields=["status", "closed_on", "closed_reason"])
        case = ArrearsCase.objects.filter(
            account__tenancy_id=space.tenancy_id, status=CaseStatus.OPEN, nosp_served_on=notice.deemed_served_on
        ).first()
        if case is not None:
            legal_milestone_record(
                account=case.account,
                recorded_by=recorded_by,
                note=f"{notice.label} of {notice.served_on:%-d %B %Y} is void: {notice.void_reason} The notice "
                "milestone is cleared; serve a new notice once the Breathing Space has ended.",
                nosp_served_on=None,
                nosp_expires_on=None,
            )
    return voided


def breathing_space_changed_receiver(sender, breathing_space: BreathingSpace, **kwargs) -> None:
    # The system acts on the law here (recorded_by None), whoever recorded the moratorium.
    notices_void_for_moratorium(breathing_space=breathing_space)
