"""The court stage: the claim issued, hearings (with the CPR 55.5 warnings), outcomes and orders (their terms become a
court agreement the arrears engine monitors daily; mandatory-ground limits enforced), warrants (N325 / N325A with the
statement of payments, the six-year check, Breathing Space, approval by someone else) and evictions, including an
excluded licence's without a court. Milestones reach the arrears case through the arrears app's service."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from arrears.constants import AgreementFrequency, AgreementState, AgreementType, CaseStatus
from arrears.models import Agreement, ArrearsCase
from arrears.selectors import moratorium_on
from arrears.services import agreement_create, legal_milestone_record, moratorium_hold
from arrears.services.agreements import court_agreements_end
from documents.constants import DeliveryState, DocumentKind
from documents.rendering import letter_pdf
from documents.services import document_store
from incomeapp.money import ZERO, format_money
from incomeapp.roles import staff_require
from rentaccounts.constants import AccountKind
from rentaccounts.services.statements import account_statement

from .claims import ROLE_RANK, claim_bar_check, rank
from .constants import ENDS_THE_CLAIM, OUTRIGHT, WITH_TERMS, CourtOutcome, EvictionOutcome, GroundKind, WarrantStatus
from .court_rules import hearing_warnings, order_problems, warrant_check
from .models import Eviction, Hearing, LegalApproval, LegalCase, Notice, Warrant
from .notice_rules import GroundSpec, serious_arrears_test
from .selectors import notice_lapse, rent_position, uc_awaited


def _account(tenancy):
    return tenancy.accounts.get(kind=AccountKind.RENT)


@transaction.atomic
def claim_issue_record(*, legal_case: LegalCase, issued_on: date, court_name: str, claim_number: str, recorded_by):
    """The claim as issued by the court. Refused before the claim pack exists, outside the notice's window (its last
    day as moved by any Breathing Space, R-BS-14), on a void notice (R-BS-12), or during a Breathing Space (R-SEC-05,
    R-AST-04, R-BS-13)."""
    staff_require(recorded_by, "courts.change_legalcase", "record court claims")
    notice = legal_case.notice
    if legal_case.claim_pack_id is None:
        raise ValidationError("Produce the claim pack (after the checklist and approval) before recording the claim.")
    if issued_on > timezone.localdate():
        raise ValidationError("Record the claim once it has been issued: the date cannot be in the future.")
    if issued_on <= notice.earliest_proceedings_on:
        raise ValidationError(
            f"Proceedings may not begin until after {notice.earliest_proceedings_on:%d/%m/%Y} on this notice."
        )
    if notice.voided_on:
        raise ValidationError(f"The notice is void: {notice.void_reason} Serve a new notice once it may be served.")
    moratorium_hold(tenancy=legal_case.tenancy, on=issued_on, step="issuing a possession claim", rule="R-BS-13")
    claim_bar_check(notice, on=issued_on)  # R-LIC-02, R-INT-03: no override, role or approval lifts it
    lapses_on, moved = notice_lapse(notice)
    last_day = lapses_on or (notice.lapses_on if moved else None)  # an unknown new date: no later than the old one
    if last_day and issued_on > last_day:
        because = f" ({moved})" if moved else ""
        raise ValidationError(f"The notice lapsed on {last_day:%d/%m/%Y}{because}: serve a new notice first.")
    legal_case.claim_issued_on = issued_on
    legal_case.court_name = court_name.strip()
    legal_case.claim_number = claim_number.strip()
    legal_case.save(update_fields=["claim_issued_on", "court_name", "claim_number"])
    return legal_case


@transaction.atomic
def hearing_record(*, legal_case: LegalCase, hearing_on: date, papers_served_on: date | None, recorded_by):
    """A hearing date from the court; returns it with any timetable warnings. The arrears case gets the court date."""
    staff_require(recorded_by, "courts.change_legalcase", "record hearings")
    if legal_case.claim_issued_on is None:
        raise ValidationError("Record the claim as issued before its hearing.")
    if hearing_on < legal_case.claim_issued_on:
        raise ValidationError("The hearing cannot be before the claim was issued.")
    hearing = Hearing.objects.create(
        legal_case=legal_case, hearing_on=hearing_on, papers_served_on=papers_served_on, recorded_by=recorded_by
    )
    legal_milestone_record(
        account=_account(legal_case.tenancy),
        recorded_by=recorded_by,
        note=f"Court hearing on {hearing_on:%d/%m/%Y} at {legal_case.court_name or 'the county court'}.",
        court_date=hearing_on,
        court_outcome="",
    )
    return hearing, hearing_warnings(
        issued_on=legal_case.claim_issued_on, hearing_on=hearing_on, papers_served_on=papers_served_on
    )


@transaction.atomic
def hearing_outcome_record(
    *,
    hearing: Hearing,
    outcome: str,
    recorded_by,
    possession_on: date | None = None,
    terms_amount=None,
    terms: str = "",
    mandatory_ground: bool = False,
    exceptional_hardship: bool = False,
    costs=None,
    terms_first_payment_on: date | None = None,
) -> Hearing:
    """The hearing's outcome. An order on terms becomes a court agreement on the arrears case with the order's own
    first payment date and conditions (monitored daily); an order on a mandatory ground is checked against the limits
    on postponement, and an outright one against the serious-arrears ground worked out on the hearing date (R-AST-01:
    met at service and at the hearing); a dismissal, strike-out, stay or withdrawal closes the legal case with its
    date and takes the arrears case out of the court stage."""
    staff_require(recorded_by, "courts.change_legalcase", "record court outcomes")
    if hearing.outcome:
        raise ValidationError("This hearing's outcome is already recorded.")
    if hearing.hearing_on > timezone.localdate():
        raise ValidationError("Record the outcome after the hearing.")
    problems = order_problems(
        outcome=outcome,
        made_on=hearing.hearing_on,
        possession_on=possession_on,
        mandatory_ground=mandatory_ground,
        exceptional_hardship=exceptional_hardship,
    )
    if outcome in WITH_TERMS and outcome != CourtOutcome.ADJOURNED_GENERALLY and not terms_amount:
        problems.append("An order on terms needs the weekly amount towards the arrears, so it can be monitored.")
    if terms_first_payment_on is not None and not (outcome in WITH_TERMS and terms_amount):
        problems.append("Only an order on terms (with a weekly amount) has a first payment date: leave it empty.")
    if terms_first_payment_on is not None and terms_first_payment_on < hearing.hearing_on:
        problems.append("The order's first payment cannot be due before the hearing: check the date.")
    if problems:
        raise ValidationError(problems[0])
    notice = hearing.legal_case.notice
    serious = serious_arrears_at(notice, hearing.hearing_on)
    if mandatory_ground and outcome in OUTRIGHT:
        refusal = mandatory_ground_refusal(notice, serious)
        if refusal:
            raise ValidationError(refusal)
    hearing.outcome = outcome
    hearing.possession_on = possession_on
    hearing.terms_amount = terms_amount
    hearing.terms = terms.strip()
    hearing.mandatory_ground = mandatory_ground
    hearing.exceptional_hardship = exceptional_hardship
    hearing.costs = costs
    hearing.terms_first_payment_on = terms_first_payment_on
    hearing.ground8_at_hearing = serious
    hearing.recorded_by = recorded_by
    hearing.save()
    tenancy = hearing.legal_case.tenancy
    account = _account(tenancy)
    label = CourtOutcome(outcome).label
    ended = outcome in ENDS_THE_CLAIM
    case = legal_milestone_record(
        account=account,
        recorded_by=recorded_by,
        note=f"Court outcome on {hearing.hearing_on:%d/%m/%Y}: {label}."
        + (" The claim has ended: the case leaves the court stage." if ended else ""),
        # A claim that ended leaves the court stage: no court date or outcome is left for the review or the worklist.
        court_date=None if ended else hearing.hearing_on,
        court_outcome="" if ended else outcome,
    )
    if outcome in WITH_TERMS and terms_amount and account.balance > 0:
        agreement_create(
            case=case,
            frequency=AgreementFrequency.WEEKLY,
            amount=terms_amount,
            starts_on=hearing.hearing_on,
            created_by=recorded_by,
            agreement_type=AgreementType.COURT,
            first_due_on=terms_first_payment_on,
            terms=terms or f"{label}: current rent plus {format_money(terms_amount)} a week towards the arrears.",
        )
    if ended:
        _claim_close(hearing.legal_case, case=case, label=label, on=hearing.hearing_on)
    return hearing


def _claim_close(legal_case: LegalCase, *, case, label: str, on: date) -> None:
    """A claim that ended leaves the court stage: closed with its date and reason; court terms no longer apply."""
    legal_case.status = LegalCase.Status.CLOSED
    legal_case.closed_on = on
    legal_case.closed_reason = f"{label} on {on:%d/%m/%Y}"
    legal_case.save(update_fields=["status", "closed_on", "closed_reason"])
    court_agreements_end(case=case, on=on, reason=f"{label} on {on:%d/%m/%Y}: the court's terms no longer apply")


# A claim can end between hearings: the landlord withdraws it (say, once an agreement is being kept), or the court
# stays or strikes it out on the papers. A dismissal comes only at a hearing.
ENDED_OUTSIDE_A_HEARING = (CourtOutcome.WITHDRAWN, CourtOutcome.STAYED, CourtOutcome.STRUCK_OUT)


@transaction.atomic
def claim_end_record(*, legal_case: LegalCase, outcome: str, ended_on: date, recorded_by) -> LegalCase:
    """The claim withdrawn, stayed or struck out outside a hearing: recorded with its date; the legal case closes and
    the arrears case leaves the court stage, as when it ends at a hearing."""
    staff_require(recorded_by, "courts.change_legalcase", "record court outcomes")
    if outcome not in ENDED_OUTSIDE_A_HEARING:
        raise ValidationError("Choose how the claim ended: withdrawn, stayed or struck out.")
    if legal_case.status == LegalCase.Status.CLOSED:
        raise ValidationError("This claim has already ended.")
    if legal_case.claim_issued_on is None:
        raise ValidationError("The claim was never issued, so there is nothing at court to end.")
    if ended_on > timezone.localdate():
        raise ValidationError("Record the end once it has happened: the date cannot be in the future.")
    if ended_on < legal_case.claim_issued_on:
        raise ValidationError(f"The claim was issued on {legal_case.claim_issued_on:%d/%m/%Y}: it cannot end before.")
    label = CourtOutcome(outcome).label
    case = legal_milestone_record(
        account=_account(legal_case.tenancy),
        recorded_by=recorded_by,
        note=f"{label} on {ended_on:%d/%m/%Y}. The claim has ended: the case leaves the court stage.",
        court_date=None,
        court_outcome="",
    )
    _claim_close(legal_case, case=case, label=label, on=ended_on)
    return legal_case


def serious_arrears_at(notice: Notice, on: date) -> dict:
    """The serious-arrears ground the notice relies on (Ground 8, or the Welsh RHW20 ground) worked out on `on` (the
    hearing date) with the same evaluator as at service, beside its result at service: {} when the notice has none.
    R-AST-01: the threshold must be unpaid both at service and at the hearing."""
    codes = [ground.get("code") for ground in notice.grounds]
    rule = next(
        (
            ground
            for ground in notice.notice_rule.grounds.filter(code__in=codes).order_by("id")
            if ground.threshold_weeks is not None or ground.threshold_months is not None
        ),
        None,
    )
    if rule is None:
        return {}
    tenancy = notice.tenancy
    position = rent_position(tenancy=tenancy, on=on)
    if position.rent_per_period <= 0:
        return {}
    test = serious_arrears_test(
        GroundSpec(
            code=rule.code,
            title=rule.title,
            text=rule.text,
            kind=rule.kind,
            notice_days=rule.notice_days,
            threshold_weeks=rule.threshold_weeks,
            threshold_months=rule.threshold_months,
            uc_disregard=rule.uc_disregard,
        ),
        rent_arrears=position.rent_arrears,
        rent_per_period=position.rent_per_period,
        rent_period=tenancy.rent_period,
        uc_awaited=uc_awaited(tenancy=tenancy, on=on) if rule.uc_disregard else ZERO,
    )
    at_service = next((item for item in notice.serious_arrears if item.get("ground") == rule.code), {})
    return {
        "ground": rule.code,
        "title": rule.title,
        "mandatory": rule.kind == GroundKind.MANDATORY,
        "on": on.isoformat(),
        "rent_arrears": str(test.rent_arrears),
        "disregarded": str(test.disregarded),
        "counted": str(test.counted),
        "threshold": str(test.threshold),
        "margin": str(test.margin),
        "basis": test.basis,
        "met": test.met,
        "met_at_service": at_service.get("met"),
        "counted_at_service": at_service.get("counted"),
        "threshold_at_service": at_service.get("threshold"),
    }


def serious_arrears_summary(notice: Notice, serious: dict) -> dict:
    """The figures for the claim page, shown before the officer records an outcome (and kept with it)."""
    if not serious:
        return {}
    margin = Decimal(serious["margin"])
    return {
        **serious,
        "title": serious["title"].split(":")[0],
        "on": date.fromisoformat(serious["on"]),
        "over": margin if margin >= 0 else None,
        "short": -margin if margin < 0 else None,
        "outright_allowed": serious["met"] and serious["met_at_service"] is not False,
        "discretionary": discretionary_grounds(notice),
    }


def discretionary_grounds(notice: Notice) -> str:
    """The notice's discretionary grounds by name ("Ground 10 and Ground 11"), to proceed on when the mandatory one
    fails."""
    names = [g.get("title", "").split(":")[0] for g in notice.grounds if g.get("kind") == GroundKind.DISCRETIONARY]
    names = [name for name in names if name]
    if not names:
        return "the discretionary grounds"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def mandatory_ground_refusal(notice: Notice, serious: dict) -> str:
    """Why an outright order on a mandatory ground cannot be recorded ("" when it can): the notice gives no mandatory
    ground, or its serious-arrears ground was not met at service or is not met on the hearing date (R-AST-01)."""
    mandatory = notice.notice_type == "s21" or any(g.get("kind") == GroundKind.MANDATORY for g in notice.grounds)
    if not mandatory:
        return (
            f"{notice.label} gives no mandatory ground: record the order the court made on "
            f'{discretionary_grounds(notice)} with "made on a mandatory ground" left unticked.'
        )
    if not serious or not serious["mandatory"]:
        return ""
    title = serious["title"].split(":")[0]
    proceed = (
        f"An outright order on the mandatory ground cannot be recorded: proceed on {discretionary_grounds(notice)} "
        'only (leave "made on a mandatory ground" unticked) and record the order the court made on them (R-AST-01).'
    )
    if serious["met_at_service"] is False:
        return (
            f"{title} was not met when the notice was served: rent arrears "
            f"{format_money(Decimal(serious['counted_at_service']))} against a threshold of "
            f"{format_money(Decimal(serious['threshold_at_service']))}. {proceed}"
        )
    if serious["met"]:
        return ""
    on = date.fromisoformat(serious["on"])
    return (
        f"{title} is not met at the hearing on {on:%d/%m/%Y}: rent arrears {format_money(Decimal(serious['counted']))} "
        f"against a threshold of {format_money(Decimal(serious['threshold']))} ({serious['basis']}), "
        f"{format_money(-Decimal(serious['margin']))} short. {proceed}"
    )


@transaction.atomic
def possession_date_fixed_record(*, hearing: Hearing, fixed_on: date, recorded_by) -> Hearing:
    """After a postponed order is broken, the date for possession the court fixed on the landlord's application."""
    staff_require(recorded_by, "courts.change_legalcase", "record court orders")
    if hearing.outcome != CourtOutcome.POSTPONED:
        raise ValidationError("Only a postponed possession order has a date fixed later.")
    hearing.date_fixed_on = fixed_on
    hearing.save(update_fields=["date_fixed_on"])
    return hearing


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
    body = render_to_string("courts/statement_of_payments.html", {"statement": statement, "hearing": hearing})
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
        note=f"Warrant of possession applied for on {applied_on:%d/%m/%Y} ({warrant.form}).",
        code="warrant_applied_for",
        on=applied_on,
    )
    return warrant


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
            raise ValidationError(f"The notice runs until {notice.earliest_proceedings_on:%d/%m/%Y}.")
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
        note=f"Eviction booked for {scheduled_on:%d/%m/%Y}.",
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
                note=f"Eviction of {eviction.scheduled_on:%d/%m/%Y} {EvictionOutcome(outcome).label.lower()}.",
                eviction_date=None,
            )
    return eviction
