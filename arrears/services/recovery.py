"""Recovering a former tenant's (or a sundry) debt: tracing the debtor and referring the debt to a debt collection
agency (docs/debts.md, "Recovery actions"). The agency's files are in `agency_files`, the county court money claim pack
in `money_claim`. Each records a diary note with the step's code, so the ladder moves on, and re-reviews the case."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from arrears.constants import ContactKind, ContactOutcome, ReferralStatus
from arrears.models import ArrearsCase, Contact, DebtAgencyReferral
from incomeapp.money import ZERO, format_money
from incomeapp.roles import staff_require
from rentaccounts.selectors_debts import debt_positions
from tenancies.services_people import person_update

from .breathing_space import moratorium_hold
from .rereview import case_re_review

# The diary codes the former and sundry ladders read (arrears/policies): each step, once done, moves the case on.
TRACE_FOUND = "trace_found"
TRACE_NOT_FOUND = "trace_not_found"
REFERRED_TO_AGENCY = "referred_to_agency"
AGENCY_RETURNED = "agency_returned"
MONEY_CLAIM_PACK = "money_claim_pack"


def debt_agencies() -> list[str]:
    """The debt collection agencies the landlord uses (settings.DEBT_AGENCIES), the first being the default."""
    return [name for name in getattr(settings, "DEBT_AGENCIES", []) if name.strip()] or ["Debt collection agency"]


def recoverable_amount(*, case: ArrearsCase, on: date) -> Decimal:
    """What may still be recovered on the case's account: the balance less any part out of time or covered by an
    insolvency order (rentaccounts.selectors_debts)."""
    position = debt_positions(account_ids=[case.account_id], on=on).get(case.account_id)
    return position.recoverable if position is not None else max(case.account.balance, ZERO)


def diary_note(*, case: ArrearsCase, code: str, notes: str, on: date, recorded_by, person=None) -> Contact:
    """A note in the case's diary that a recovery step was taken (kind note: nobody was contacted by it)."""
    return Contact.objects.create(
        case=case,
        kind=ContactKind.NOTE,
        outcome=ContactOutcome.NOTE,
        code=code,
        occurred_on=on,
        notes=notes,
        person=person,
        recorded_by=recorded_by,
    )


@dataclass(frozen=True)
class TraceRecorded:
    contact: Contact
    address_updated: bool


@transaction.atomic
def trace_record(
    *,
    case: ArrearsCase,
    found: bool,
    traced_on: date,
    recorded_by,
    person=None,
    new_address: str = "",
    how: str = "",
) -> TraceRecorded:
    """Records what a trace found. Found: the named tenant's correspondence address becomes the new address (through
    the people service, so it keeps its history), and letters go there. Not found: the diary says so, which the ladder
    reads (a debtor gone away and not traced is a reason to write the debt off)."""
    staff_require(recorded_by, "arrears.add_contact", "record trace results")
    if traced_on > timezone.localdate():
        raise ValidationError("The trace date is in the future. Enter the date the trace result came back.")
    lines = [line.strip() for line in new_address.splitlines() if line.strip()]
    address_updated = False
    if found:
        if person is None:
            raise ValidationError("Choose which named tenant was traced.")
        if not lines:
            raise ValidationError("Enter the address the tenant was traced to, one line per row.")
        address_updated = person_update(
            by=recorded_by,
            person=person,
            reason=f"Traced to a new address (arrears case {case.pk})",
            correspondence_address="\n".join(lines),
        )
        notes = f"Traced: {person.full_name} now lives at {', '.join(lines)}."
        if address_updated:
            notes += " Their correspondence address is updated, so letters go there."
        else:
            notes += " This was already their correspondence address."
    else:
        notes = "Trace found no new address" + (f" for {person.full_name}." if person else ".")
    if how.strip():
        notes += f" How traced: {how.strip()}"
    contact = diary_note(
        case=case,
        code=TRACE_FOUND if found else TRACE_NOT_FOUND,
        notes=notes,
        on=traced_on,
        recorded_by=recorded_by,
        person=person,
    )
    case_re_review(case)
    return TraceRecorded(contact=contact, address_updated=address_updated)


@transaction.atomic
def agency_referral_make(*, case: ArrearsCase, referred_by, agency: str = "") -> DebtAgencyReferral:
    """Refers the case's recoverable debt to a debt collection agency. It waits on the referrals page until a manager
    makes the export file. Refused while a Breathing Space protects the debt (no agent may be instructed to enforce
    it, SI 2020/1311 reg 7), while the case already has a live referral, and when nothing is recoverable."""
    staff_require(referred_by, "arrears.add_debtagencyreferral", "refer debts to a debt collection agency")
    agencies = debt_agencies()
    agency = agency or agencies[0]
    if agency not in agencies:
        raise ValidationError("Choose one of the debt collection agencies we use.")
    today = timezone.localdate()
    tenancy = case.account.tenancy
    moratorium_hold(tenancy=tenancy, on=today, step="a referral to a debt collection agency", rule="R-BS-11")
    case = ArrearsCase.objects.select_for_update().select_related("account").get(pk=case.pk)
    live = case.agency_referrals.filter(status__in=[ReferralStatus.REFERRED, ReferralStatus.SENT]).first()
    if live is not None:
        raise ValidationError(
            f"This debt was already referred to {live.agency} on {live.referred_on:%-d %B %Y}: it cannot be referred "
            "twice. Wait for the agency's return."
        )
    amount = recoverable_amount(case=case, on=today)
    if amount <= ZERO:
        raise ValidationError("Nothing on this account can be recovered, so there is nothing to refer.")
    try:
        with transaction.atomic():
            referral = DebtAgencyReferral.objects.create(
                case=case, agency=agency, referred_on=today, amount_referred=amount, referred_by=referred_by
            )
    except IntegrityError as error:  # another officer referred it a moment ago
        raise ValidationError("This debt was already referred: it cannot be referred twice.") from error
    diary_note(
        case=case,
        code=REFERRED_TO_AGENCY,
        notes=f"Referred {format_money(amount)} to {agency}. It goes to them in the next export file.",
        on=today,
        recorded_by=referred_by,
    )
    case_re_review(case)
    return referral
