"""Warrants of possession: whether one may be asked for (the order, its terms broken, the six-year check, Breathing
Space), asking for one (N325, or N325A with the statement of payments since the order), its approval by someone else
through the approval chain, and the application to the court."""

from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from arrears.constants import AgreementState, AgreementType
from arrears.models import Agreement
from arrears.selectors import moratorium_on
from arrears.services import legal_milestone_record, moratorium_hold
from courts.claims import ROLE_RANK, rank
from courts.constants import WarrantStatus
from courts.court_rules import warrant_check
from courts.models import Hearing, LegalApproval, Warrant
from documents.constants import DeliveryState, DocumentKind
from documents.rendering import letter_pdf
from documents.services import document_store
from incomeapp.roles import staff_require
from rentaccounts.selectors_court_costs import court_costs_position
from rentaccounts.services.statements import account_statement

from .hearings import _account


def court_agreement_broken(tenancy) -> bool:
    agreement = (
        Agreement.objects.filter(case__account__tenancy=tenancy, agreement_type=AgreementType.COURT)
        .order_by("-starts_on", "-id")
        .first()
    )
    return agreement is not None and agreement.state == AgreementState.BREACHED


def warrant_position(hearing: Hearing, today: date | None = None):
    today = today or timezone.localdate()
    tenancy = hearing.legal_case.tenancy
    return warrant_check(
        outcome=hearing.outcome,
        made_on=hearing.hearing_on,
        possession_on=hearing.possession_on,
        terms_broken=court_agreement_broken(tenancy),
        date_fixed_after_postponement=hearing.date_fixed_on,
        breathing_space=moratorium_on(tenancy=tenancy, on=today),
        today=today,
    )


@transaction.atomic
def warrant_request(*, hearing: Hearing, reason: str, requested_by) -> Warrant:
    """Asks for a warrant (needs approval by someone else). N325A carries the statement of payments due and made
    since the order."""
    staff_require(requested_by, "courts.change_legalcase", "ask for warrants")
    moratorium_hold(
        tenancy=hearing.legal_case.tenancy, on=timezone.localdate(), step="asking for a warrant", rule="R-BS-13"
    )
    check = warrant_position(hearing)
    if not check.allowed:
        raise ValidationError(check.reasons[0])
    if len(reason.strip()) < 10:
        raise ValidationError("Say why the warrant is needed now: the breach and what was tried.")
    if hearing.warrants.exclude(status__in=[WarrantStatus.REFUSED, WarrantStatus.DONE]).exists():
        raise ValidationError("A warrant on this order is already in progress.")
    warrant = Warrant.objects.create(
        legal_case=hearing.legal_case,
        hearing=hearing,
        form=check.form,
        reason=reason.strip(),
        requested_by=requested_by,
    )
    if check.form == "N325A":
        warrant.statement_of_payments = _statement_of_payments(warrant)
        warrant.save(update_fields=["statement_of_payments"])
    return warrant


def _statement_of_payments(warrant: Warrant):
    """For N325A: every payment due and made since the order, with the running balance."""
    hearing = warrant.hearing
    tenancy = hearing.legal_case.tenancy
    today = timezone.localdate()
    statement = account_statement(account=_account(tenancy), date_from=hearing.hearing_on, date_to=today)
    body = render_to_string(
        "courts/statement_of_payments.html",
        {"statement": statement, "hearing": hearing, "court_costs": court_costs_position(tenancy=tenancy)},
    )
    legal_case = hearing.legal_case
    pdf = letter_pdf(
        title=f"Statement of payments since the order of {hearing.hearing_on:%-d %B %Y}",
        landlord=tenancy.property.scheme.provider.letterhead,
        recipient={
            "name": legal_case.court_name or "The County Court",
            "address_lines": [f"Claim {legal_case.claim_number}"] if legal_case.claim_number else [],
        },
        reference=tenancy.payment_reference,
        dated=today,
        body_html=body,
    )
    return document_store(
        kind=DocumentKind.STATEMENT,
        pdf=pdf,
        title=f"Statement of payments for N325A, {today:%-d %B %Y}",
        reference=tenancy.payment_reference,
        subject_key=f"warrant:{warrant.pk}:statement-of-payments",
        recipient_name=legal_case.court_name or "The County Court",
        made_by=warrant.requested_by,
        made_by_run=f"legal-case:{legal_case.pk}",
        delivery_state=DeliveryState.PRINTED,
    )


def warrant_approvals_outstanding(warrant: Warrant) -> list[str]:
    done = warrant.approvals.filter(approved=True).count()
    return list(settings.LEGAL_WARRANT_APPROVAL_CHAIN)[done:]


@transaction.atomic
def warrant_decide(*, warrant: Warrant, approved: bool, notes: str, decided_by) -> Warrant:
    """The next step of the warrant's approval chain (legal-spec R-ENF-04: LEGAL_WARRANT_APPROVAL_CHAIN), by someone
    holding its role (or a more senior one) who neither asked for the warrant nor approved an earlier step. The last
    approval makes it approved; a refusal (with its reason) ends it."""
    staff_require(decided_by, "incomeapp.use_approvals", "approve warrants")
    warrant = Warrant.objects.select_for_update().get(pk=warrant.pk)
    if warrant.status != WarrantStatus.AWAITING_APPROVAL:
        raise ValidationError("This warrant has already been decided.")
    if decided_by.pk == warrant.requested_by_id:
        raise PermissionDenied("You asked for this warrant, so someone else must approve it.")
    if warrant.approvals.filter(decided_by=decided_by, approved=True).exists():
        raise PermissionDenied("You have already approved this warrant; the next step needs someone else.")
    outstanding = warrant_approvals_outstanding(warrant)
    role = outstanding[0]
    if rank(decided_by) < ROLE_RANK.get(role, 99):
        raise PermissionDenied(f"This step is approved by a {role} (or someone more senior).")
    if not approved and not notes.strip():
        raise ValidationError("Say why the warrant is not approved.")
    if approved:
        moratorium_hold(
            tenancy=warrant.legal_case.tenancy, on=timezone.localdate(), step="approving a warrant", rule="R-BS-13"
        )
        check = warrant_position(warrant.hearing)
        if not check.allowed:
            raise ValidationError(check.reasons[0])
    LegalApproval.objects.create(
        legal_case=warrant.legal_case,
        warrant=warrant,
        step=len(settings.LEGAL_WARRANT_APPROVAL_CHAIN) - len(outstanding) + 1,
        role=role,
        approved=approved,
        notes=notes.strip(),
        decided_by=decided_by,
    )
    if not approved or len(outstanding) == 1:
        warrant.status = WarrantStatus.APPROVED if approved else WarrantStatus.REFUSED
        warrant.decided_by, warrant.decided_at, warrant.decision_notes = decided_by, timezone.now(), notes.strip()
        warrant.save(update_fields=["status", "decided_by", "decided_at", "decision_notes"])
    return warrant


@transaction.atomic
def warrant_applied_record(*, warrant: Warrant, applied_on: date, recorded_by) -> Warrant:
    staff_require(recorded_by, "courts.change_legalcase", "record warrants")
    warrant = Warrant.objects.select_for_update().get(pk=warrant.pk)
    if warrant.status != WarrantStatus.APPROVED:
        raise ValidationError("Only an approved warrant can be applied for.")
    if applied_on > timezone.localdate():
        raise ValidationError("Record the application once it is made: the date cannot be in the future.")
    moratorium_hold(tenancy=warrant.legal_case.tenancy, on=applied_on, step="applying for a warrant", rule="R-BS-13")
    warrant.status, warrant.applied_on = WarrantStatus.APPLIED, applied_on
    warrant.save(update_fields=["status", "applied_on"])
    legal_milestone_record(
        account=_account(warrant.legal_case.tenancy),
        recorded_by=recorded_by,
        note=f"Warrant of possession applied for on {applied_on:%-d %B %Y} ({warrant.form}).",
        code="warrant_applied_for",
        on=applied_on,
    )
    return warrant
