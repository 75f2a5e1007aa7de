"""Checking a change of charges before it is made: the charges as exact amounts in order, the dates allowed (the
tenancy's own, and never a week the rent run has closed), whether anything changes at all, and the day a
migrated tenancy's opening balance covers."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError

from incomeapp.money import ZERO, MoneyError, to_money
from rentaccounts.services.tenancy_charges import rent_run_reached
from tenancies.constants import CHARGE_LABELS, TenancyEventKind
from tenancies.models import Charge, Tenancy, TenancyEvent
from tenancies.selectors import charges_in_effect
from tenancies.specs import ChargeSpec

from .results import CHARGE_ORDER


def _specs(charges: list[Charge]) -> list[ChargeSpec]:
    """Charge rows as one spec per type (two rows of one type in effect together, which old data can have, are added
    up, as the rent run charges both)."""
    by_type: dict[str, ChargeSpec] = {}
    for c in charges:
        seen = by_type.get(c.charge_type)
        amount = c.amount + (seen.amount if seen else ZERO)
        by_type[c.charge_type] = ChargeSpec(c.charge_type, amount, seen.counts_as_rent if seen else c.counts_as_rent)
    return _normalised(list(by_type.values()))


def _normalised(specs: list[ChargeSpec]) -> list[ChargeSpec]:
    """Zero charges dropped (a charge of £0.00 is no charge), in the usual order."""
    kept = [spec for spec in specs if spec.amount != ZERO]
    return sorted(kept, key=lambda spec: (CHARGE_ORDER.get(spec.charge_type, 99), spec.amount))


def charges_specs_check(charges: list[ChargeSpec]) -> list[ChargeSpec]:
    """The charges as exact amounts in the usual order, or a ValidationError saying what is wrong."""
    checked, seen = [], set()
    for spec in charges:
        if spec.charge_type not in CHARGE_LABELS:
            raise ValidationError(f"'{spec.charge_type}' is not a charge type. Use one of: {', '.join(CHARGE_LABELS)}.")
        label = CHARGE_LABELS[spec.charge_type]
        if spec.charge_type in seen:
            raise ValidationError(f"{label} is given twice. Give each charge once, with its total amount.")
        seen.add(spec.charge_type)
        try:
            amount = to_money(spec.amount)
        except (MoneyError, TypeError) as error:
            raise ValidationError(f"{label}: {error}") from error
        if amount < ZERO:
            raise ValidationError(f"{label} cannot be less than £0.00. To stop a charge, leave it out or set £0.00.")
        checked.append(ChargeSpec(spec.charge_type, amount, bool(spec.counts_as_rent)))
    return _normalised(checked)


def earliest_change_date(tenancy: Tenancy, reached: date | None = None) -> date:
    """The earliest day a tenancy's charges may change from: its start, and never before the Monday of the last week
    the rent run has posted (earlier weeks are closed)."""
    reached = rent_run_reached() if reached is None else reached
    return max(tenancy.start_date, reached) if reached else tenancy.start_date


def _unchanged(charges: list[Charge], effective_from: date, new: list[ChargeSpec], last_day: date | None) -> bool:
    """True when the charges in effect on every day from `effective_from` (to the tenancy's end, or to the next change
    already scheduled) are already `new`."""
    later = [c.effective_from for c in charges if c.effective_from > effective_from]
    until = min(later) if later else None  # a change scheduled for later is kept, so only the days before it count
    days = {effective_from}
    for charge in charges:
        if charge.effective_to is not None and charge.effective_to >= effective_from:
            days.add(charge.effective_to + timedelta(days=1))
    days = {day for day in days if (until is None or day < until) and (last_day is None or day <= last_day)}
    return all(_specs(charges_in_effect(charges, day)) == new for day in days)


def _dates_problem(tenancy: Tenancy, effective_from: date) -> str | None:
    if effective_from < tenancy.start_date:
        return (
            f"The tenancy started on {tenancy.start_date:%-d %B %Y}, so its charges cannot change before then. "
            f"Enter {tenancy.start_date:%-d %B %Y} or later."
        )
    if tenancy.end_date is not None and effective_from > tenancy.end_date:
        return (
            f"This tenancy ended on {tenancy.end_date:%-d %B %Y}, so its charges cannot change after that. "
            f"Enter {tenancy.end_date:%-d %B %Y} or earlier."
        )
    return None


def _rent_run_problem(tenancy: Tenancy, effective_from: date, reached: date | None) -> str | None:
    if reached is not None and effective_from < reached:
        earliest = max(tenancy.start_date, reached)
        return (
            f"The rent run has already charged the weeks before {reached:%-d %B %Y}, so the earliest date allowed is "
            f"{earliest:%A %-d %B %Y}. For an earlier change, ask for an adjustment of the difference."
        )
    return None


def _opening_balance_date(tenancy: Tenancy) -> date | None:
    """A migrated tenancy's opening balance covers its periods up to this day (recorded on its sign-up or load
    event), so those periods are never charged again here."""
    event = (
        TenancyEvent.objects.filter(
            tenancy=tenancy,
            kind__in=(TenancyEventKind.SIGN_UP, TenancyEventKind.LOADED),
            detail__has_key="opening_balance_date",
        )
        .only("detail")
        .first()
    )
    if event is None:
        return None
    try:
        return date.fromisoformat(str(event.detail["opening_balance_date"]))
    except ValueError:
        return None
