"""Evictions: booked from the court's notice of eviction (N54) on a warrant, or, for an excluded licence, once its
notice has run out (no court order is needed); never booked during a Breathing Space nor for a day inside one; and
the outcome, which closes the legal case when the tenant has gone."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from arrears.constants import CaseStatus
from arrears.models import ArrearsCase
from arrears.services import legal_milestone_record, moratorium_hold
from courts.constants import EvictionOutcome, WarrantStatus
from courts.models import Eviction, LegalCase, Notice, Warrant
from incomeapp.roles import staff_require

from .hearings import _account


@transaction.atomic
def eviction_book(*, scheduled_on: date, recorded_by, warrant: Warrant | None = None, notice: Notice | None = None):
    """An eviction date: from the court's notice of eviction (N54) on a warrant, or, for an excluded licence, after its
    notice has run out (no court order is needed)."""
    staff_require(recorded_by, "courts.change_legalcase", "book evictions")
    if warrant is not None:
        warrant = Warrant.objects.select_for_update().get(pk=warrant.pk)
        if warrant.status != WarrantStatus.APPLIED:
            raise ValidationError("Book the eviction once the warrant has been applied for.")
        tenancy = warrant.legal_case.tenancy
    elif notice is not None:
        if notice.notice_rule.court_order_needed:
            raise ValidationError("This notice needs a court order and a warrant before any eviction.")
        if notice.voided_on:
            raise ValidationError(f"The notice is void: {notice.void_reason} Serve a new notice once it may be served.")
        if scheduled_on <= notice.earliest_proceedings_on:
            raise ValidationError(f"The notice runs until {notice.earliest_proceedings_on:%-d %B %Y}.")
        tenancy = notice.tenancy
    else:
        raise ValueError("An eviction needs a warrant or an excluded licence's notice.")
    for day in (timezone.localdate(), scheduled_on):  # neither booked during a moratorium nor on a day inside one
        moratorium_hold(tenancy=tenancy, on=day, step="booking an eviction", rule="R-BS-13")
    eviction = Eviction.objects.create(
        tenancy=tenancy, warrant=warrant, notice=notice, scheduled_on=scheduled_on, recorded_by=recorded_by
    )
    if warrant is not None:
        warrant.status = WarrantStatus.EVICTION_BOOKED
        warrant.save(update_fields=["status"])
    legal_milestone_record(
        account=_account(tenancy),
        recorded_by=recorded_by,
        note=f"Eviction booked for {scheduled_on:%-d %B %Y}.",
        eviction_date=scheduled_on,
    )
    return eviction


@transaction.atomic
def eviction_outcome_record(*, eviction: Eviction, outcome: str, on: date, notes: str, recorded_by) -> Eviction:
    staff_require(recorded_by, "courts.change_legalcase", "record evictions")
    if eviction.outcome:
        raise ValidationError("This eviction's outcome is already recorded.")
    eviction.outcome, eviction.outcome_on, eviction.notes = outcome, on, notes.strip()
    eviction.save(update_fields=["outcome", "outcome_on", "notes"])
    if eviction.warrant is not None:
        eviction.warrant.status = WarrantStatus.DONE
        eviction.warrant.save(update_fields=["status"])
        if outcome in (EvictionOutcome.EVICTED, EvictionOutcome.LEFT):
            LegalCase.objects.filter(pk=eviction.warrant.legal_case_id).update(status=LegalCase.Status.CLOSED)
    if outcome in (EvictionOutcome.SUSPENDED_BY_COURT, EvictionOutcome.CANCELLED):
        case = ArrearsCase.objects.filter(account__tenancy=eviction.tenancy, status=CaseStatus.OPEN).first()
        if case is not None:
            legal_milestone_record(
                account=case.account,
                recorded_by=recorded_by,
                note=f"Eviction of {eviction.scheduled_on:%-d %B %Y} {EvictionOutcome(outcome).label.lower()}.",
                eviction_date=None,
            )
    return eviction
