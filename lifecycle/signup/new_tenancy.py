"""The sign-up service itself, `tenancy_sign_up`: in one transaction it makes the tenancy, its named tenants, charges
and rent account, posts the opening balance and the charges of weeks the rent run has run, sets up the direct debit
and benefit claim, makes the letters and records the sign-up event with its figures."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from arrears.services import benefit_claim_record
from documents.models import Document
from incomeapp.money import ZERO
from incomeapp.roles import staff_require
from rentaccounts.constants import TransactionType
from rentaccounts.models import Transaction
from rentaccounts.services import Posting, account_get_or_create, transaction_post
from rentaccounts.services.direct_debits import direct_debit_mandate_create
from rentaccounts.services.tenancy_charges import tenancy_charges_true_up
from tenancies.constants import TenancyEventKind, TenancyStatus
from tenancies.models import Charge, Person, Property, Tenancy, TenancyEvent, TenancyTenant
from tenancies.references import payment_reference_next
from tenancies.specs import ChargeSpec

from .checks import _Checked, _home_free, _sign_up_checked
from .first_charges import FirstPeriod, first_period, first_period_after, rent_free_weeks_near
from .letters import LETTERS_RUN, SIGN_UP_LETTER, named_tenant_letters_make, sign_up_letter_values, sign_up_letters


def opening_balance_key(tenancy: Tenancy) -> str:
    """The idempotency key of a tenancy's opening balance: one per tenancy, however often it is loaded or signed up."""
    return f"opening-balance:tenancy:{tenancy.pk}"


@dataclass
class SignUpResult:
    tenancy: Tenancy
    letters: list[Document] = field(default_factory=list)
    first_charges: list[Transaction] = field(default_factory=list)  # posted now, for weeks the rent run has run
    first_period: FirstPeriod | None = None
    opening_balance: Transaction | None = None
    already_signed_up: bool = False  # the same source reference was signed up before: nothing new was made

    @property
    def first_charges_total(self) -> Decimal:
        return sum((t.amount for t in self.first_charges), ZERO)


def _same_sign_up(existing: Tenancy, property: Property, start_date: date) -> SignUpResult:
    """A second sign-up with the same source reference: the tenancy made the first time, nothing new."""
    if existing.property_id != property.pk or existing.start_date != start_date:
        raise ValidationError(
            f"The tenancy with reference {existing.source_reference} in the housing management system is already "
            f"signed up as {existing.payment_reference}, at {existing.property} from "
            f"{existing.start_date:%-d %B %Y}. Change that tenancy rather than signing it up again."
        )
    letters = sign_up_letters(existing)
    opening = Transaction.objects.filter(idempotency_key=opening_balance_key(existing)).first()
    return SignUpResult(tenancy=existing, letters=letters, opening_balance=opening, already_signed_up=True)


def _with_history(obj, by):
    if by is not None:
        obj._history_user = by
    obj._change_reason = "Signed up"
    return obj


@transaction.atomic
def tenancy_sign_up(
    *,
    by,
    property: Property,
    tenure_type: str,
    start_date: date,
    tenants: list[Person],
    rent_period: str,
    charges: list[ChargeSpec],
    payment_method: str,
    licence_basis: str = "",
    payment_reference: str | None = None,
    mandate: dict | None = None,
    opening_balance: Decimal | None = None,
    opening_balance_date: date | None = None,
    benefit_claim: dict | None = None,
    send_letters: bool = True,
    source_reference: str = "",
) -> SignUpResult:
    """Signs up a new tenancy (see the module's docstring). `tenants` lead first. `mandate`: reference,
    collection_day (1–28), start_date, amount (optional). `benefit_claim`: benefit (hb or uc), status, weekly_amount,
    paid_to_landlord (default yes), evidence_complete (default no), started_on (default the start date).
    A second sign-up with the same `source_reference` makes nothing and returns the first (`already_signed_up`).
    Raises ValidationError (plain English, every problem found) or PermissionDenied."""
    staff_require(by, "tenancies.sign_up_tenancy", "sign up tenancies")
    today = timezone.localdate()
    source_reference = (source_reference or "").strip()
    if source_reference:
        existing = Tenancy.objects.filter(source_reference=source_reference).first()
        if existing is not None:
            return _same_sign_up(existing, property, start_date)
    checked = _sign_up_checked(
        property=property,
        tenure_type=tenure_type,
        start_date=start_date,
        tenants=tenants,
        rent_period=rent_period,
        charges=charges,
        payment_method=payment_method,
        licence_basis=licence_basis,
        payment_reference=payment_reference,
        mandate=mandate,
        opening_balance=opening_balance,
        opening_balance_date=opening_balance_date,
        benefit_claim=benefit_claim,
        today=today,
    )
    home = Property.objects.select_for_update().get(pk=property.pk)  # one sign-up per home at a time
    _home_free(home, start_date)

    migrating = opening_balance_date is not None
    charges_from = (
        first_period_after(start_date=start_date, rent_period=rent_period, day=opening_balance_date)
        if migrating
        else start_date
    )
    tenancy = _with_history(
        Tenancy(
            payment_reference=checked.payment_reference or payment_reference_next(),
            property=home,
            tenure_type=tenure_type,
            start_date=start_date,
            rent_period=rent_period,
            status=TenancyStatus.CURRENT,
            payment_method=payment_method,
            licence_basis=licence_basis,
            source_reference=source_reference,
        ),
        by,
    )
    tenancy.save()
    TenancyTenant.objects.bulk_create(
        [TenancyTenant(tenancy=tenancy, person=person, is_lead=index == 0) for index, person in enumerate(tenants)]
    )
    for spec in checked.charges:
        _with_history(
            Charge(
                tenancy=tenancy,
                charge_type=spec.charge_type,
                amount=spec.amount,
                counts_as_rent=spec.counts_as_rent,
                effective_from=charges_from,
            ),
            by,
        ).save()
    account = account_get_or_create(tenancy=tenancy)

    result = SignUpResult(tenancy=tenancy)
    if migrating and checked.opening_balance:
        result.opening_balance = transaction_post(
            posting=Posting(
                account_id=account.pk,
                transaction_type=TransactionType.ADJUSTMENT,
                amount=checked.opening_balance,
                effective_date=opening_balance_date,
                idempotency_key=opening_balance_key(tenancy),
                description=f"Opening balance brought forward on {opening_balance_date:%-d %B %Y}",
            ),
            posted_by=by,
            review_reason="sign-up",
        )
    true_up = tenancy_charges_true_up(
        tenancy=tenancy,
        reason="Signed up",
        affected_from=charges_from,
        not_before=opening_balance_date,
        on=today,
        posted_by=by,
    )
    keys = [difference.idempotency_key for difference in true_up.differences]
    result.first_charges = list(Transaction.objects.filter(idempotency_key__in=keys).order_by("period_start", "id"))
    result.first_period = first_period(
        start_date=start_date,
        rent_period=rent_period,
        charges=checked.charges,
        charges_from=charges_from,
        rent_free_weeks=rent_free_weeks_near(property=home, day=charges_from),
    )
    mandate_made = direct_debit_mandate_create(tenancy=tenancy, user=by, **checked.mandate) if checked.mandate else None
    if checked.claim:
        benefit_claim_record(tenancy=tenancy, updated_by=by, **checked.claim)
    if send_letters:
        values = sign_up_letter_values(
            tenancy=tenancy,
            tenants=tenants,
            charges=checked.charges,
            first=result.first_period,
            mandate=mandate_made,
            opening_balance=result.opening_balance,
        )
        result.letters = named_tenant_letters_make(
            tenancy=tenancy,
            people=tenants,
            template_key=SIGN_UP_LETTER,
            values=values,
            subject_key=f"sign-up:{tenancy.pk}",
            made_by=by,
            run_label=LETTERS_RUN,
        )
    TenancyEvent.objects.create(
        tenancy=tenancy,
        kind=TenancyEventKind.SIGN_UP,
        effective_date=start_date,
        reason="Signed up",
        detail=_event_detail(result, checked, tenants, charges_from, opening_balance_date, mandate_made),
        recorded_by=by,
    )
    return result


def _event_detail(
    result: SignUpResult, checked: _Checked, tenants, charges_from, opening_balance_date, mandate
) -> dict:
    """The figures of a sign-up, kept on its TenancyEvent (charge changes read `opening_balance_date` from it)."""
    tenancy = result.tenancy
    detail = {
        "payment_reference": tenancy.payment_reference,
        "tenure_type": tenancy.tenure_type,
        "licence_basis": tenancy.licence_basis,
        "start_date": tenancy.start_date.isoformat(),
        "rent_period": tenancy.rent_period,
        "tenants": [{"id": p.pk, "name": p.full_name, "lead": i == 0} for i, p in enumerate(tenants)],
        "charges": [
            {"charge_type": s.charge_type, "amount": str(s.amount), "counts_as_rent": s.counts_as_rent}
            for s in checked.charges
        ],
        "charges_from": charges_from.isoformat(),
        "period_total": str(sum((s.amount for s in checked.charges), ZERO)),
        "payment_method": tenancy.payment_method,
        "first_period": result.first_period.as_dict() if result.first_period else None,
        "first_charges_posted": [
            {"transaction": t.pk, "amount": str(t.amount), "period_start": t.period_start.isoformat()}
            for t in result.first_charges
        ],
        "letters": [document.pk for document in result.letters],
    }
    if opening_balance_date is not None:
        detail["opening_balance"] = str(checked.opening_balance)
        detail["opening_balance_date"] = opening_balance_date.isoformat()
    if mandate is not None:
        detail["mandate_reference"] = mandate.reference
    if checked.claim:
        claim = checked.claim
        detail["benefit_claim"] = {
            **claim,
            "weekly_amount": str(claim["weekly_amount"]),
            "started_on": claim["started_on"].isoformat(),
        }
    return detail
