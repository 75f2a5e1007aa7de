"""The claim at court: recorded as issued (inside the notice's window, never during a Breathing Space), hearings with
the CPR 55.5 warnings, their outcomes and orders (an order on terms becomes a court agreement the arrears engine
monitors daily; mandatory-ground limits enforced), a claim that ends outside a hearing, and the date for possession
fixed after a postponed order. Milestones reach the arrears case through the arrears app's service."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from arrears.constants import AgreementFrequency, AgreementType
from arrears.services import agreement_create, legal_milestone_record, moratorium_hold
from arrears.services.agreements import court_agreements_end
from courts.claims import claim_bar_check
from courts.constants import ENDS_THE_CLAIM, OUTRIGHT, WITH_TERMS, CourtOutcome
from courts.court_rules import hearing_warnings, order_problems
from courts.models import Hearing, LegalCase
from courts.selectors import notice_lapse
from incomeapp.money import format_money
from incomeapp.roles import staff_require
from rentaccounts.constants import AccountKind

from .costs import court_costs_post
from .serious_arrears import mandatory_ground_refusal, serious_arrears_at


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
            f"Proceedings may not begin until after {notice.earliest_proceedings_on:%-d %B %Y} on this notice."
        )
    if notice.voided_on:
        raise ValidationError(f"The notice is void: {notice.void_reason} Serve a new notice once it may be served.")
    moratorium_hold(tenancy=legal_case.tenancy, on=issued_on, step="issuing a possession claim", rule="R-BS-13")
    claim_bar_check(notice, on=issued_on)  # R-LIC-02, R-INT-03: no override, role or approval lifts it
    lapses_on, moved = notice_lapse(notice)
    last_day = lapses_on or (notice.lapses_on if moved else None)  # an unknown new date: no later than the old one
    if last_day and issued_on > last_day:
        because = f" ({moved})" if moved else ""
        raise ValidationError(f"The notice lapsed on {last_day:%-d %B %Y}{because}: serve a new notice first.")
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
        note=f"Court hearing on {hearing_on:%-d %B %Y} at {legal_case.court_name or 'the county court'}.",
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
        note=f"Court outcome on {hearing.hearing_on:%-d %B %Y}: {label}."
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
    court_costs_post(hearing=hearing, posted_by=recorded_by)  # to the court costs account, never the rent account
    return hearing


def _claim_close(legal_case: LegalCase, *, case, label: str, on: date) -> None:
    """A claim that ended leaves the court stage: closed with its date and reason; court terms no longer apply."""
    legal_case.status = LegalCase.Status.CLOSED
    legal_case.closed_on = on
    legal_case.closed_reason = f"{label} on {on:%-d %B %Y}"
    legal_case.save(update_fields=["status", "closed_on", "closed_reason"])
    court_agreements_end(case=case, on=on, reason=f"{label} on {on:%-d %B %Y}: the court's terms no longer apply")


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
        raise ValidationError(f"The claim was issued on {legal_case.claim_issued_on:%-d %B %Y}: it cannot end before.")
    label = CourtOutcome(outcome).label
    case = legal_milestone_record(
        account=_account(legal_case.tenancy),
        recorded_by=recorded_by,
        note=f"{label} on {ended_on:%-d %B %Y}. The claim has ended: the case leaves the court stage.",
        court_date=None,
        court_outcome="",
    )
    _claim_close(legal_case, case=case, label=label, on=ended_on)
    return legal_case


@transaction.atomic
def possession_date_fixed_record(*, hearing: Hearing, fixed_on: date, recorded_by) -> Hearing:
    """After a postponed order is broken, the date for possession the court fixed on the landlord's application."""
    staff_require(recorded_by, "courts.change_legalcase", "record court orders")
    if hearing.outcome != CourtOutcome.POSTPONED:
        raise ValidationError("Only a postponed possession order has a date fixed later.")
    hearing.date_fixed_on = fixed_on
    hearing.save(update_fields=["date_fixed_on"])
    return hearing
