"""Signing up a new tenancy: the home, the tenure, the named tenants, the charges, the payment reference and how the
rent is paid, the benefit claim, and (for a tenancy moved in from another system) its opening balance. The browser flow
(`views_signup`), the data load and the demo data all come through `tenancy_sign_up`.

What a sign-up does, in one transaction:

- refuses a home that has a tenancy live on or after the start date, a retired home, a licence without its basis
  (R-LIC-03), a start date too far ahead (settings SIGN_UP_MAX_DAYS_AHEAD), no named tenant, no charge;
- makes the tenancy (current), its named tenants (the first is the lead), its charges and its rent account;
- for a migrated tenancy, posts the opening balance once (key `opening-balance:tenancy:<id>`) dated its day, and
  charges only the rent periods that start after that day (the balance covers the rest);
- posts at once the charges of any week the rent run has already run (the first part period by day), through
  `rentaccounts.services.tenancy_charges.tenancy_charges_true_up`; later weeks come from the rent run as usual;
- sets up the direct debit (rentaccounts.services.direct_debits) and records the benefit claim (arrears), so a claim
  in payment to us makes the first weeks technical arrears, not real ones;
- records a TenancyEvent (sign_up) with the figures, and makes the sign-up letter, one per named tenant.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from arrears.constants import Benefit, ClaimStatus
from arrears.services import benefit_claim_record
from documents.constants import DeliveryState
from documents.models import Document
from documents.services import document_email, letter_make, template_version_current, templates_install_shipped
from incomeapp.money import ZERO, MoneyError, format_money, to_money
from incomeapp.roles import staff_require
from rentaccounts.charging import (
    ChargeLine,
    TenancyTerms,
    charges_due_in_week,
    monday_of,
    periods_starting_in_week,
    weekly_to_period,
)
from rentaccounts.constants import TransactionType
from rentaccounts.models import RentRun, Transaction
from rentaccounts.services import Posting, account_get_or_create, transaction_post
from rentaccounts.services.direct_debits import direct_debit_mandate_create
from rentaccounts.services.tenancy_charges import tenancy_charges_true_up
from tenancies.constants import (
    LICENCE_TENURES,
    LicenceBasis,
    PaymentMethod,
    RentPeriod,
    TenancyEventKind,
    TenancyStatus,
    TenureType,
)
from tenancies.models import (
    Charge,
    Person,
    Property,
    PropertyCharge,
    RentFreeWeek,
    Tenancy,
    TenancyEvent,
    TenancyTenant,
)
from tenancies.references import payment_reference_check, payment_reference_next, payment_reference_normalise
from tenancies.selectors import weekly_equivalent
from tenancies.selectors_homes import property_search
from tenancies.specs import ChargeSpec

from .charges import CHARGE_LABELS, CHARGE_ORDER, PERIOD_PHRASES, charges_specs_check

SIGN_UP_LETTER = "sign_up_letter"
LETTERS_RUN = "Sign-up letters"  # the print run the letters wait in (the print batches page shows it as it is)
DEFAULT_MAX_DAYS_AHEAD = 90
_FIRST_PERIOD_SEARCH_WEEKS = 10  # a rent-free week or two can come first: the first payment is the first non-zero


def max_days_ahead() -> int:
    return int(getattr(settings, "SIGN_UP_MAX_DAYS_AHEAD", DEFAULT_MAX_DAYS_AHEAD))


def opening_balance_key(tenancy: Tenancy) -> str:
    """The idempotency key of a tenancy's opening balance: one per tenancy, however often it is loaded or signed up."""
    return f"opening-balance:tenancy:{tenancy.pk}"


# ---- pure rules: the first period, the charges a home offers --------------------------------------------------------


@dataclass(frozen=True)
class FirstPeriodLine:
    charge_type: str
    full_amount: Decimal  # the charge for a whole period
    amount: Decimal  # what is due for the first period (by day when it is a part period)

    @property
    def label(self) -> str:
        return CHARGE_LABELS.get(self.charge_type, self.charge_type)


@dataclass(frozen=True)
class FirstPeriod:
    """The first rent period charged, worked out by day, exactly as the rent run will charge it."""

    period_start: date
    period_end: date
    first_day: date  # the first day charged (the start date in a part period)
    lines: tuple[FirstPeriodLine, ...]
    rent_period: str

    @property
    def days(self) -> int:
        return (self.period_end - self.first_day).days + 1

    @property
    def period_days(self) -> int:
        return (self.period_end - self.period_start).days + 1

    @property
    def is_part_period(self) -> bool:
        return self.first_day > self.period_start

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def full_total(self) -> Decimal:
        return sum((line.full_amount for line in self.lines), ZERO)

    @property
    def description(self) -> str:
        """'£57.14 for Thursday 8 April to Sunday 11 April 2027 (4 of 7 days of £100.00 a week)'."""
        span = f"{self.first_day:%A %-d %B} to {self.period_end:%A %-d %B %Y}"
        text = f"{format_money(self.total)} for {span}"
        if self.is_part_period:
            phrase = PERIOD_PHRASES.get(self.rent_period, "a period")
            text += f" ({self.days} of {self.period_days} days of {format_money(self.full_total)} {phrase})"
        return text

    def as_dict(self) -> dict:
        return {
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "first_day": self.first_day.isoformat(),
            "days": self.days,
            "period_days": self.period_days,
            "total": str(self.total),
            "lines": [
                {"charge_type": line.charge_type, "full_amount": str(line.full_amount), "amount": str(line.amount)}
                for line in self.lines
            ],
        }


def first_period_after(*, start_date: date, rent_period: str, day: date) -> date:
    """The first day of the first rent period that starts after `day` (periods counted from the start date, as the
    rent run counts them): where a migrated tenancy's charges in Rentwise begin."""
    terms = TenancyTerms(rent_period, start_date, None)
    week = monday_of(max(day, start_date))
    for _ in range(60):
        for period_start, _end in periods_starting_in_week(terms, week):
            if period_start > day:
                return period_start
        week += timedelta(weeks=1)
    raise ValueError(f"No rent period starts within a year of {day:%d/%m/%Y}.")  # not reachable for valid periods


def first_period(
    *,
    start_date: date,
    rent_period: str,
    charges: list[ChargeSpec],
    charges_from: date | None = None,
    rent_free_weeks: frozenset[date] = frozenset(),
) -> FirstPeriod | None:
    """The first rent period with something to pay, by the same rule the rent run applies (a part period by day).
    `charges_from` is the day the charges begin (a migrated tenancy's first period after its opening balance).
    None when nothing is ever due."""
    charges_from = charges_from or start_date
    terms = TenancyTerms(rent_period, start_date, None)
    lines = [ChargeLine(index, spec.amount, charges_from, None) for index, spec in enumerate(charges)]
    week = monday_of(charges_from)
    for _ in range(_FIRST_PERIOD_SEARCH_WEEKS):
        due = charges_due_in_week(terms, lines, week, rent_free_weeks)
        if due and sum((line.amount for line in due), ZERO) > 0:
            first = due[0]
            by_charge = {line.charge_id: line.amount for line in due}
            return FirstPeriod(
                period_start=first.period_start,
                period_end=first.period_end,
                first_day=max(first.period_start, start_date, charges_from),
                lines=tuple(
                    FirstPeriodLine(spec.charge_type, spec.amount, by_charge[index])
                    for index, spec in enumerate(charges)
                    if index in by_charge
                ),
                rent_period=rent_period,
            )
        week += timedelta(weeks=1)
    return None


def sign_up_charges_default(*, property: Property, rent_period: str, on: date) -> list[ChargeSpec]:
    """The home's charges in effect on the day, each as the charge for one rent period: what sign-up offers."""
    rows = (
        PropertyCharge.objects.filter(property=property, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("charge_type", "effective_from")
    )
    specs = [ChargeSpec(row.charge_type, weekly_to_period(row.amount, rent_period), row.counts_as_rent) for row in rows]
    return sorted(specs, key=lambda spec: CHARGE_ORDER.get(spec.charge_type, 99))


def rent_free_weeks_near(*, property: Property, day: date) -> frozenset[date]:
    """The home's scheme's rent-free weeks in the weeks after `day` (enough for the first period to be found)."""
    start = monday_of(day)
    return frozenset(
        RentFreeWeek.objects.filter(
            scheme_id=property.scheme_id,
            week_commencing__gte=start,
            week_commencing__lte=start + timedelta(weeks=_FIRST_PERIOD_SEARCH_WEEKS + 5),
        ).values_list("week_commencing", flat=True)
    )


def rent_run_has_charged(period_start: date) -> bool:
    """Whether the rent run has already run the week this period starts in (so sign-up posts it at once)."""
    return RentRun.objects.filter(week_commencing=monday_of(period_start)).exists()


# ---- reads for the sign-up screens -----------------------------------------------------------------------------------


def home_occupying_tenancy(*, property: Property, on: date) -> Tenancy | None:
    """The tenancy that stops the home being let from `on`: one live on or after that day (or still current)."""
    return (
        property.tenancies.filter(Q(end_date__gte=on) | Q(end_date__isnull=True, status=TenancyStatus.CURRENT))
        .order_by("start_date")
        .first()
    )


def homes_find(*, query: str, limit: int = 25) -> list[Property]:
    """Homes matching the search (tenancies.selectors_homes.property_search: address, postcode, unit or UPRN, retired
    ones too, so the page can say why they cannot be chosen); each carries `occupied_by`, the tenancy that stops it
    being let from today (a current one, or one starting later), or None."""
    if not query.split():
        return []
    found = list(property_search(query=query, include_retired=True)[:limit])
    today = timezone.localdate()
    occupying: dict[int, Tenancy] = {}
    rows = Tenancy.objects.filter(property__in=found).filter(
        Q(end_date__gte=today) | Q(end_date__isnull=True, status=TenancyStatus.CURRENT)
    )
    for tenancy in rows.order_by("start_date"):
        occupying.setdefault(tenancy.property_id, tenancy)
    for home in found:
        home.occupied_by = occupying.get(home.pk)
    return found


# ---- the service -----------------------------------------------------------------------------------------------------


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


def _people_problems(tenants: list[Person]) -> list[str]:
    problems = []
    if not tenants:
        problems.append("Add at least one named tenant.")
    seen: set[int] = set()
    for person in tenants:
        if person.pk in seen:
            problems.append(f"{person.full_name} is named twice. Name each tenant once.")
        seen.add(person.pk)
        if person.merged_into_id:
            kept = person.merged_into
            problems.append(
                f"{person.full_name}'s record was merged into another record ({kept.full_name}). Name that one."
            )
    return problems


def _benefit_claim_checked(claim: dict, start_date: date) -> dict:
    benefit, status = claim.get("benefit"), claim.get("status")
    if benefit not in Benefit.values:
        raise ValidationError("Choose the benefit claimed: Housing Benefit or Universal Credit housing costs.")
    if status not in ClaimStatus.values:
        raise ValidationError("Choose the status of the benefit claim.")
    try:
        weekly = to_money(claim.get("weekly_amount") if claim.get("weekly_amount") is not None else "0")
    except (MoneyError, TypeError) as error:
        raise ValidationError(f"The expected weekly amount of benefit: {error}") from error
    if weekly < 0:
        raise ValidationError("The expected weekly amount of benefit cannot be below £0.00.")
    return {
        "benefit": benefit,
        "status": status,
        "weekly_amount": weekly,
        "paid_to_landlord": bool(claim.get("paid_to_landlord", True)),
        "evidence_complete": bool(claim.get("evidence_complete", False)),
        "started_on": claim.get("started_on") or start_date,
    }


def _mandate_checked(mandate: dict) -> dict:
    missing = [name for name in ("reference", "collection_day", "start_date") if not mandate.get(name)]
    if missing:
        raise ValidationError(
            "The direct debit needs its mandate reference, collection day and first collection date "
            f"({', '.join(missing).replace('_', ' ')} missing)."
        )
    return {
        "reference": str(mandate["reference"]),
        "collection_day": int(mandate["collection_day"]),
        "start_date": mandate["start_date"],
        "amount": mandate.get("amount"),
    }


def _same_sign_up(existing: Tenancy, property: Property, start_date: date) -> SignUpResult:
    """A second sign-up with the same source reference: the tenancy made the first time, nothing new."""
    if existing.property_id != property.pk or existing.start_date != start_date:
        raise ValidationError(
            f"The tenancy with reference {existing.source_reference} in the housing management system is already "
            f"signed up as {existing.payment_reference}, at {existing.property} from "
            f"{existing.start_date:%-d %B %Y}. Change that tenancy rather than signing it up again."
        )
    letters = list(Document.objects.filter(subject_key__startswith=f"sign-up:{existing.pk}:").order_by("id"))
    opening = Transaction.objects.filter(idempotency_key=opening_balance_key(existing)).first()
    return SignUpResult(tenancy=existing, letters=letters, opening_balance=opening, already_signed_up=True)


@dataclass
class _Checked:
    """A sign-up's input once checked: exact money, charges in order, the reference tidied."""

    charges: list[ChargeSpec]
    payment_reference: str | None
    opening_balance: Decimal | None
    claim: dict | None
    mandate: dict | None


def _reference_problems(reference: str) -> list[str]:
    try:
        payment_reference_check(reference)
    except ValidationError as error:
        return error.messages
    if not reference:
        return ["The payment reference is blank."]
    if Tenancy.objects.filter(payment_reference=reference).exists():
        return [f"The payment reference {reference} is already used by another tenancy."]
    return []


def _opening_balance_problems(amount, day: date | None, start_date: date, today: date) -> list[str]:
    if day is None:
        return ["Give the date of the opening balance: the day the old system's balance was worked out."]
    if amount is None:
        return ["Give the opening balance (0.00 if nothing was owed on that day)."]
    problems = []
    try:
        to_money(amount)
    except (MoneyError, TypeError) as error:
        problems.append(f"The opening balance: {error}")
    if day < start_date:
        problems.append(
            f"The opening balance date, {day:%-d %B %Y}, is before the tenancy starts. Give the day the balance was "
            "worked out to, on or after the start date."
        )
    if day > today:
        problems.append(
            f"The opening balance date, {day:%-d %B %Y}, is in the future. Give the day the balance was worked out to."
        )
    return problems


def _sign_up_checked(
    *,
    property: Property,
    tenure_type: str,
    start_date: date,
    tenants: list[Person],
    rent_period: str,
    charges: list[ChargeSpec],
    payment_method: str,
    licence_basis: str,
    payment_reference: str | None,
    mandate: dict | None,
    opening_balance,
    opening_balance_date: date | None,
    benefit_claim: dict | None,
    today: date,
) -> _Checked:
    """Every problem with the input, in plain English, raised together; or the input tidied."""
    problems: list[str] = []
    if property.is_retired:
        problems.append(f"{property} was retired on {property.retired_on:%-d %B %Y}, so it cannot be let.")
    latest_start = today + timedelta(days=max_days_ahead())
    if start_date > latest_start:
        problems.append(
            f"The start date can be at most {max_days_ahead()} days from today, {latest_start:%-d %B %Y}. "
            "Sign the tenancy up nearer the time."
        )
    if tenure_type not in TenureType.values:
        problems.append("Choose the tenure: the kind of tenancy or licence.")
    elif tenure_type in LICENCE_TENURES and not licence_basis:
        problems.append(
            "A licence must record why it is a licence and not a tenancy (R-LIC-03). Choose the licence basis."
        )
    elif tenure_type in LICENCE_TENURES and licence_basis not in LicenceBasis.values:
        problems.append("Choose the licence basis from the list.")
    elif tenure_type not in LICENCE_TENURES and licence_basis:
        problems.append(
            f"Only a licence records a licence basis. Leave it out for this tenure ({TenureType(tenure_type).label})."
        )
    problems += _people_problems(tenants)
    if rent_period not in RentPeriod.values:
        problems.append("Choose how often the rent is due.")
    try:
        charges = charges_specs_check(charges)
    except ValidationError as error:
        problems += error.messages
    else:
        if not charges:
            problems.append("Enter at least one charge above £0.00, usually the rent.")
    if payment_method not in PaymentMethod.values:
        problems.append("Choose how the tenant will pay.")
    elif mandate and payment_method != PaymentMethod.DIRECT_DEBIT:
        problems.append("Direct debit details were given, but the tenant is not paying by direct debit.")
    if payment_reference is not None:
        payment_reference = payment_reference_normalise(payment_reference)
        problems += _reference_problems(payment_reference)
    if opening_balance is not None or opening_balance_date is not None:
        problems += _opening_balance_problems(opening_balance, opening_balance_date, start_date, today)
    claim = mandate_values = None
    try:
        claim = _benefit_claim_checked(benefit_claim, start_date) if benefit_claim else None
        mandate_values = _mandate_checked(mandate) if mandate else None
    except ValidationError as error:
        problems += error.messages
    if problems:
        raise ValidationError(problems)
    return _Checked(
        charges=charges,
        payment_reference=payment_reference,
        opening_balance=to_money(opening_balance) if opening_balance is not None else None,
        claim=claim,
        mandate=mandate_values,
    )


def _home_free(home: Property, start_date: date) -> None:
    occupying = home_occupying_tenancy(property=home, on=start_date)
    if occupying is not None:
        names = ", ".join(person.full_name for person in occupying.named_tenants())
        until = f" until {occupying.end_date:%-d %B %Y}" if occupying.end_date else ""
        raise ValidationError(
            f"{home} already has a tenancy on or after {start_date:%-d %B %Y}: {occupying.payment_reference} "
            f"({names}), from {occupying.start_date:%-d %B %Y}{until}. A home has one tenancy at a time: end that "
            "tenancy first, choose a later start date, or choose another home.",
            code="occupied",
        )


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
                description=f"Opening balance brought forward on {opening_balance_date:%d/%m/%Y}",
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


# ---- letters ---------------------------------------------------------------------------------------------------------


def _when_due(first: FirstPeriod) -> str:
    if first.rent_period == RentPeriod.MONTHLY:
        return f"on the {_ordinal(first.period_start.day)} of each month"
    if first.rent_period == RentPeriod.WEEKLY:
        return "every Monday"
    return f"every {'second' if first.rent_period == RentPeriod.FORTNIGHTLY else 'fourth'} Monday"


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


_HOW_TO_PAY = {
    PaymentMethod.STANDING_ORDER: "by standing order to our bank account",
    PaymentMethod.BANK_TRANSFER: "by bank transfer or standing order to our bank account",
    PaymentMethod.CARD: "by debit card, online or by phone",
    PaymentMethod.ALLPAY: "at any PayPoint or Post Office with your rent card, or online through allpay",
    PaymentMethod.CASH: "in cash at our office",
}


def how_to_pay(*, tenancy: Tenancy, mandate=None) -> str:
    reference = tenancy.payment_reference
    if mandate is not None:
        amount = format_money(mandate.amount) if mandate.amount else "your rent"
        return (
            f"By direct debit: we will collect {amount} on the {_ordinal(mandate.collection_day)} of each month, "
            f"starting on {mandate.start_date:%-d %B %Y} (mandate reference {mandate.reference}). You do not need to "
            "do anything else."
        )
    if tenancy.payment_method == PaymentMethod.HOUSING_BENEFIT:
        return (
            "Housing Benefit is paid to us for you. Pay any rent it does not cover yourself, quoting your payment "
            f"reference {reference}."
        )
    if tenancy.payment_method == PaymentMethod.UNIVERSAL_CREDIT:
        return (
            "Universal Credit pays your housing costs to us. Pay any rent it does not cover yourself, quoting your "
            f"payment reference {reference}."
        )
    if tenancy.payment_method == PaymentMethod.DIRECT_DEBIT:
        return (
            "By direct debit. We will write to you when it is set up; until then pay by bank transfer, quoting your "
            f"payment reference {reference}."
        )
    way = _HOW_TO_PAY.get(tenancy.payment_method, "by bank transfer")
    return f"Pay {way}, quoting your payment reference {reference} every time. Ask us if you need our bank details."


def sign_up_letter_values(
    *,
    tenancy: Tenancy,
    tenants: list[Person],
    charges: list[ChargeSpec],
    first: FirstPeriod | None,
    mandate=None,
    opening_balance: Transaction | None = None,
) -> dict[str, str]:
    """The merge values of the sign-up letter (all but tenant_name, which is per letter)."""
    home = tenancy.property
    provider = home.scheme.provider
    officer = home.patch.officer if home.patch_id and home.patch.officer_id else None
    phrase = PERIOD_PHRASES.get(tenancy.rent_period, "a period")
    total = sum((spec.amount for spec in charges), ZERO)
    breakdown = [
        f"{CHARGE_LABELS.get(s.charge_type, s.charge_type)}: {format_money(s.amount)} {phrase}" for s in charges
    ]
    breakdown.append(f"Total: {format_money(total)} {phrase}")
    if first is None:
        first_payment = "Nothing is due yet; we will write when your rent starts."
    else:
        first_payment = (
            f"{first.description}, due on {first.first_day:%-d %B %Y}. After that {format_money(first.full_total)} "
            f"{phrase}, due {_when_due(first)}."
        )
    if opening_balance is not None:
        owed = opening_balance.amount
        words = "you owed" if owed > 0 else "you were in credit by"
        first_payment += (
            f" Your account also carries the balance from our old system: {words} "
            f"{format_money(abs(owed))} on {opening_balance.effective_date:%-d %B %Y}."
        )
    return {
        "tenant_names": " and ".join(person.full_name for person in tenants),
        "address": home.one_line_address,
        "payment_reference": tenancy.payment_reference,
        "weekly_rent": format_money(weekly_equivalent(total, tenancy.rent_period)),
        "officer_name": (officer.get_full_name() or officer.username) if officer else "The Income Team",
        "officer_phone": (officer.phone if officer and officer.phone else provider.phone)
        or "the number on our website",
        "landlord_name": provider.name,
        "today": f"{timezone.localdate():%-d %B %Y}",
        "start_date": f"{tenancy.start_date:%-d %B %Y}",
        "tenure": tenancy.get_tenure_type_display().lower(),
        "rent_breakdown": "\n".join(breakdown),
        "rent_total": f"{format_money(total)} {phrase}",
        "first_payment": first_payment,
        "how_to_pay": how_to_pay(tenancy=tenancy, mandate=mandate),
    }


def _letter_version(key: str):
    """The template's current version; a shipped template nobody has installed yet is installed first."""
    version = template_version_current(key)
    if version is None:
        templates_install_shipped()
        version = template_version_current(key)
    if version is None:
        raise ValidationError(f"There is no letter template called '{key}'. Ask an Income Manager to add it.")
    return version


def named_tenant_letters_make(
    *,
    tenancy: Tenancy,
    people: list[Person],
    template_key: str,
    values: dict[str, str],
    subject_key: str,
    made_by=None,
    run_label: str = "",
) -> list[Document]:
    """One letter from the template to each named tenant: made once (found again by `{subject_key}:person:<id>`),
    waiting to be printed, or emailed (after the transaction commits) to a tenant who chose email. The documents panel
    of the tenancy page shows them (they carry its payment reference)."""
    version = _letter_version(template_key)
    landlord = tenancy.property.scheme.provider.letterhead
    home = tenancy.property.address_lines
    letters = []
    for person in people:
        key = f"{subject_key}:person:{person.pk}"
        document = Document.objects.filter(subject_key=key).first()
        if document is None:
            document = letter_make(
                version=version,
                values={**values, "tenant_name": person.full_name},
                landlord=landlord,
                recipient={"name": person.full_name, "address_lines": person.postal_lines(home)},
                reference=tenancy.payment_reference,
                subject_key=key,
                made_by=made_by,
                made_by_run=run_label,
                large_print="large print" in person.communication_adjustments.lower(),
                delivery_state=DeliveryState.TO_EMAIL if person.wants_email else DeliveryState.TO_PRINT,
            )
            if document.delivery_state == DeliveryState.TO_EMAIL:
                transaction.on_commit(
                    lambda document=document, person=person: document_email(
                        document=document, to=[person.email], greeting=f"Dear {person.full_name}", landlord=landlord
                    )
                )
        letters.append(document)
    return letters


def sign_up_letters(tenancy: Tenancy) -> list[Document]:
    """The sign-up letters made for a tenancy, lead tenant's first."""
    return list(Document.objects.filter(subject_key__startswith=f"sign-up:{tenancy.pk}:").order_by("id"))
