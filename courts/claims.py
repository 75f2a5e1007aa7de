"""Preparing a possession claim: the legal case on a served notice, the pre-action protocol gate (with officers'
confirmations and the proportionality and equality assessment), the internal approval chain (never the preparer, never
twice the same person), a manager's recorded override, and the claim pack (legal-spec R-CRT-01, §3.4, §4.5)."""

import io
from datetime import date, timedelta

import pypdf
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from arrears.models import ArrearsCase, BenefitClaim, Contact, DirectPaymentRequest
from arrears.services import moratorium_hold
from documents.constants import DeliveryState, DocumentKind
from documents.models import Document
from documents.rendering import pdf_from_html
from documents.services import document_store
from incomeapp.constants import Role
from incomeapp.money import apportion
from incomeapp.roles import staff_require
from rentaccounts.constants import AccountKind
from rentaccounts.selectors_court_costs import court_costs_position
from rentaccounts.services.statements import account_statement

from .models import GateConfirmation, LegalApproval, LegalCase, Notice
from .protocol import gate_passes, protocol_gate
from .selectors import gate_facts, notice_lapse, rent_position

ROLE_RANK = {Role.INCOME_OFFICER: 1, Role.SENIOR_INCOME_OFFICER: 2, Role.INCOME_MANAGER: 3}
SCHEDULE_YEARS = 2  # R-CRT-01: the two years before issue (or from the first default if later)


def gate(legal_case: LegalCase, today: date | None = None):
    return protocol_gate(gate_facts(legal_case=legal_case, today=today or timezone.localdate()))


@transaction.atomic
def legal_case_open(*, notice: Notice, opened_by) -> LegalCase:
    staff_require(opened_by, "courts.add_legalcase", "prepare possession claims")
    if LegalCase.objects.filter(tenancy=notice.tenancy).exclude(status=LegalCase.Status.CLOSED).exists():
        raise ValidationError("This tenancy already has an open legal case: carry on with that one.")
    _claim_hold(notice, step="preparing a possession claim")
    claim_bar_check(notice, on=timezone.localdate(), review=False)  # R-LIC-02
    return LegalCase.objects.create(tenancy=notice.tenancy, notice=notice, opened_by=opened_by)


def _claim_hold(notice: Notice, *, step: str, on: date | None = None) -> None:
    """No claim on a void notice (R-BS-12), nor while a Breathing Space protects the debt, whoever asks and whatever
    the checklist or a manager's override says (R-BS-13)."""
    if notice.voided_on:
        raise ValidationError(f"The notice is void: {notice.void_reason} Serve a new notice once it may be served.")
    moratorium_hold(tenancy=notice.tenancy, on=on or timezone.localdate(), step=step, rule="R-BS-13")


def claim_bar(notice: Notice, *, on: date, review: bool = True) -> str:
    """Why no possession claim may go ahead on this notice, whatever the checklist, a manager's override, anyone's
    role or approval says ("" when nothing bars it). An excluded licence is ended by its notice, with no court order
    (R-LIC-02). On an introductory tenancy's notice (HA 1996 s129(6)) a review asked for in time must be
    decided, upheld, and the decision notified before the date in the notice; while the tenant may still ask, nothing
    goes ahead (`review=False` when only opening the case to prepare it)."""
    if not notice.notice_rule.court_order_needed:
        return (
            f"{notice.label} ends the licence by itself: no court order is needed, so no possession claim can be "
            "prepared or issued on it. Once the notice has run out, book the eviction from the notice."
        )
    if not review or notice.review_by is None:
        return ""
    date_in_notice = f"{notice.earliest_proceedings_on:%-d %B %Y}"
    if notice.review_requested_on is None or notice.review_requested_on > notice.review_by:
        if on <= notice.review_by:
            return (
                f"The tenant may ask for a review of the decision to seek possession until {notice.review_by:%-d %B %Y}"
                ": no claim can go ahead before then. Record any request on the notice's page."
            )
        return ""  # no review asked for in time: nothing to wait for
    if notice.review_decision_on is None:
        return (
            f"The tenant asked for a review on {notice.review_requested_on:%-d %B %Y}: no claim can go ahead until it "
            f"is decided, upheld and the decision notified before {date_in_notice}, the date in the notice. "
            "Record the decision on the notice's page."
        )
    if notice.review_decision_on >= notice.earliest_proceedings_on:
        return (
            f"The review decision was notified on {notice.review_decision_on:%-d %B %Y}, not before {date_in_notice}, "
            "the date in the notice: no claim can follow on this notice (HA 1996 s129(6)). Serve a new "
            "notice."
        )
    if not notice.review_upheld:
        return "The review did not uphold the decision to seek possession: no claim can follow on it."
    return ""


def claim_bar_check(notice: Notice, *, on: date, review: bool = True) -> None:
    reason = claim_bar(notice, on=on, review=review)
    if reason:
        raise ValidationError(reason)


@transaction.atomic
def gate_confirm(*, legal_case: LegalCase, key: str, note: str, confirmed_by) -> GateConfirmation:
    """An officer confirms a step the record cannot show, saying what was done and when."""
    staff_require(confirmed_by, "courts.change_legalcase", "complete the protocol checklist")
    confirmable = {item.key for item in gate(legal_case) if item.officer_can_confirm}
    if key not in confirmable:
        raise ValidationError("That step is worked out from the record and cannot be confirmed by hand.")
    if len(note.strip()) < 10:
        raise ValidationError("Say what was done and when (at least a short sentence).")
    confirmation, _ = GateConfirmation.objects.update_or_create(
        legal_case=legal_case, key=key, defaults={"note": note.strip(), "confirmed_by": confirmed_by}
    )
    return confirmation


@transaction.atomic
def legal_case_update(*, legal_case: LegalCase, updated_by, assessment: str, part3_letter_on: date | None):
    staff_require(updated_by, "courts.change_legalcase", "complete the protocol checklist")
    if part3_letter_on and part3_letter_on > timezone.localdate():
        raise ValidationError("The Part 3 letter's date cannot be in the future.")
    legal_case.assessment = assessment.strip()
    legal_case.part3_letter_on = part3_letter_on
    legal_case.save(update_fields=["assessment", "part3_letter_on"])
    return legal_case


def approval_chain() -> list[str]:
    return list(settings.LEGAL_CLAIM_APPROVAL_CHAIN)


def approvals_outstanding(legal_case: LegalCase) -> list[str]:
    done = legal_case.approvals.filter(warrant__isnull=True, approved=True, superseded=False).count()
    return approval_chain()[done:]


def rank(user) -> int:
    return max((ROLE_RANK.get(name, 0) for name in user.groups.values_list("name", flat=True)), default=0)


@transaction.atomic
def legal_case_decide(*, legal_case: LegalCase, approved: bool, notes: str, decided_by) -> LegalApproval:
    """The next step of the approval chain, by someone holding its role (or a more senior one) who neither prepared
    the case nor approved an earlier step. A refusal needs a reason and sends the case back to the preparer."""
    staff_require(decided_by, "incomeapp.use_approvals", "approve possession claims")
    legal_case = LegalCase.objects.select_for_update().get(pk=legal_case.pk)
    outstanding = approvals_outstanding(legal_case)
    if not outstanding:
        raise ValidationError("Every approval this claim needs has been given.")
    if decided_by.pk == legal_case.opened_by_id:
        raise PermissionDenied("You prepared this claim, so someone else must approve it.")
    if legal_case.approvals.filter(
        warrant__isnull=True, decided_by=decided_by, approved=True, superseded=False
    ).exists():
        raise PermissionDenied("You have already approved this claim; the next step needs someone else.")
    role = outstanding[0]
    if rank(decided_by) < ROLE_RANK.get(role, 99):
        raise PermissionDenied(f"This step needs a {role} (or someone more senior).")
    if approved:
        _claim_hold(legal_case.notice, step="approving a possession claim")
        claim_bar_check(legal_case.notice, on=timezone.localdate())  # R-LIC-02, R-INT-03: no override lifts it
    if approved and not gate_passes(gate(legal_case)) and not legal_case.override_reason:
        raise ValidationError("The protocol checklist is not complete: it must pass (or be overridden) first.")
    if not approved and not notes.strip():
        raise ValidationError("Say why the claim is not approved, so the officer knows what to do.")
    step = legal_case.approvals.filter(warrant__isnull=True, approved=True, superseded=False).count() + 1
    if not approved:
        # A refusal restarts the chain once the case is put right; the earlier approvals stay in the audit trail.
        for earlier in legal_case.approvals.filter(warrant__isnull=True, approved=True, superseded=False):
            earlier.superseded = True
            earlier._change_reason = f"Sent back by {decided_by.get_username()}: {notes.strip()}"
            earlier.save(update_fields=["superseded"])
    return LegalApproval.objects.create(
        legal_case=legal_case, step=step, role=role, approved=approved, notes=notes.strip(), decided_by=decided_by
    )


@transaction.atomic
def gate_override(*, legal_case: LegalCase, reason: str, overridden_by) -> LegalCase:
    """A manager lets a claim go ahead with the checklist incomplete, with a recorded reason."""
    staff_require(overridden_by, "courts.override_protocol_gate", "override the protocol checklist")
    if len(reason.strip()) < 20:
        raise ValidationError("Give the reason for going ahead without the checklist complete (a sentence or two).")
    legal_case.override_reason = reason.strip()
    legal_case.overridden_by = overridden_by
    legal_case.overridden_at = timezone.now()
    legal_case.save(update_fields=["override_reason", "overridden_by", "overridden_at"])
    return legal_case


@transaction.atomic
def claim_pack_make(*, legal_case: LegalCase, made_by) -> Document:
    """The claim pack as one PDF: particulars (N119 data), the two-year arrears schedule with its running balance and
    the daily rent, steps taken, the benefit position, the protocol summary, the notice with its proof of service, and
    the contact history. Refused until the gate passes (or a manager overrode it) and every approval is given."""
    staff_require(made_by, "courts.change_legalcase", "produce claim packs")
    today = timezone.localdate()
    _claim_hold(legal_case.notice, step="producing a claim pack", on=today)
    claim_bar_check(legal_case.notice, on=today)  # R-LIC-02, R-INT-03: no override lifts it
    items = gate(legal_case, today)
    if not gate_passes(items) and not legal_case.override_reason:
        failing = "; ".join(item.label for item in items if not item.passed)
        raise ValidationError(f"The claim pack cannot be produced: the protocol checklist is not complete ({failing}).")
    if approvals_outstanding(legal_case):
        raise ValidationError(
            f"The claim pack cannot be produced: it still needs approval by a {approvals_outstanding(legal_case)[0]}."
        )
    tenancy = legal_case.tenancy
    account = tenancy.accounts.get(kind=AccountKind.RENT)
    schedule_from = max(today - timedelta(days=365 * SCHEDULE_YEARS), tenancy.start_date)
    schedule = account_statement(account=account, date_from=schedule_from, date_to=today)
    position = rent_position(tenancy=tenancy, on=today)
    context = {
        "case": legal_case,
        "notice": legal_case.notice,
        "lapse": notice_lapse(legal_case.notice),
        "tenancy": tenancy,
        "provider": tenancy.property.scheme.provider,
        "items": items,
        "schedule": schedule,
        "position": position,
        "daily_rent": daily_rent(position.rent_per_period, tenancy.rent_period),
        "claims": BenefitClaim.objects.filter(tenancy=tenancy),
        "direct_requests": DirectPaymentRequest.objects.filter(tenancy=tenancy).order_by("requested_on"),
        "contacts": Contact.objects.filter(case__in=ArrearsCase.objects.filter(account=account))
        .select_related("person")
        .order_by("occurred_on", "id"),
        "approvals": legal_case.approvals.filter(warrant__isnull=True, approved=True, superseded=False).select_related(
            "decided_by"
        ),
        "today": today,
        "court_costs": court_costs_position(tenancy=tenancy),  # shown apart: costs are not rent
    }
    pack = pdf_from_html(render_to_string("courts/claim_pack.html", context))
    writer = pypdf.PdfWriter()
    writer.append(io.BytesIO(pack))
    notice_copy = (
        Document.objects.filter(subject_key__startswith=f"notice:{legal_case.notice_id}:").order_by("id").first()
    )
    if notice_copy is not None:
        with notice_copy.pdf.open("rb") as pdf:
            writer.append(io.BytesIO(pdf.read()))
    out = io.BytesIO()
    writer.write(out)
    document = document_store(
        kind=DocumentKind.CLAIM_PACK,
        pdf=out.getvalue(),
        title=f"Claim pack, {tenancy.payment_reference}, {today:%-d %B %Y}",
        reference=tenancy.payment_reference,
        subject_key=f"legal-case:{legal_case.pk}:claim-pack",
        recipient_name="The court",
        made_by=made_by,
        made_by_run=f"legal-case:{legal_case.pk}",
        delivery_state=DeliveryState.PRINTED,
    )
    legal_case.claim_pack = document
    legal_case.status = LegalCase.Status.APPROVED
    legal_case.save(update_fields=["claim_pack", "status"])
    return document


def daily_rent(rent_per_period, rent_period: str):
    """[B] The daily rate of rent for the particulars: weekly rent ÷ 7; monthly × 12 ÷ 365 (house convention)."""
    if rent_period == "monthly":
        return apportion(rent_per_period, 12, 365)
    weeks = {"weekly": 1, "fortnightly": 2, "four_weekly": 4}[rent_period]
    return apportion(rent_per_period, 1, 7 * weeks)
