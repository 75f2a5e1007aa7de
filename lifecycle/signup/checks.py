"""What a sign-up refuses: every problem with the input, in plain English and raised together (a retired home, a
licence without its basis (R-LIC-03), a start date too far ahead (settings SIGN_UP_MAX_DAYS_AHEAD), no named tenant,
no charge, a payment reference in use, a bad opening balance, benefit claim or mandate), and a home already let."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError

from arrears.constants import Benefit, ClaimStatus
from incomeapp.money import MoneyError, to_money
from lifecycle.charges import charges_specs_check
from tenancies.constants import LICENCE_TENURES, LicenceBasis, PaymentMethod, RentPeriod, TenureType
from tenancies.models import Person, Property, Tenancy
from tenancies.references import payment_reference_check, payment_reference_normalise
from tenancies.specs import ChargeSpec

from .homes import home_occupying_tenancy

DEFAULT_MAX_DAYS_AHEAD = 90


def max_days_ahead() -> int:
    return int(getattr(settings, "SIGN_UP_MAX_DAYS_AHEAD", DEFAULT_MAX_DAYS_AHEAD))


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
        problems.append("A licence must record why it is a licence and not a tenancy. Choose the licence basis.")
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
