"""Preparing a run: the date and the notice rule, the rule's new amounts, and a draft run by a rule (a percentage,
optionally capped, for chosen charge types in chosen schemes); the helpers the CSV way shares."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from incomeapp.money import ZERO, apportion
from incomeapp.roles import staff_require
from lifecycle.constants import RentChangeBasis
from lifecycle.models import RentChangeLine, RentChangeRun
from rentaccounts.charging import weekly_to_period
from tenancies.constants import ChargeType, TenancyStatus
from tenancies.models import Charge, PropertyCharge, Scheme, Tenancy
from tenancies.selectors_homes import rent_year_end, rent_year_start

_LOOKUP_CHUNK = 10_000


# ---- dates and the notice rule -------------------------------------------------------------------------------------


def notice_weeks_default() -> int:
    return int(getattr(settings, "RENT_CHANGE_NOTICE_WEEKS", 4))


def rent_change_default_date(today: date) -> date:
    """The first Monday of April after today (rent years in social housing start then)."""
    this_year = rent_year_start(today)
    return rent_year_end(this_year) + timedelta(days=1)


def letters_due_by(run: RentChangeRun) -> date:
    """The last day the letters can go out: the notice period before the new charges start."""
    return run.effective_from - timedelta(weeks=run.notice_weeks)


def notice_problem(*, effective_from: date, notice_weeks: int, today: date) -> str | None:
    """Why the date is too close to give the tenants their notice, or None."""
    if today + timedelta(weeks=notice_weeks) <= effective_from:
        return None
    earliest = today + timedelta(weeks=notice_weeks)
    return (
        f"The letters must reach tenants at least {notice_weeks} weeks before the new charges start, so the date "
        f"cannot be earlier than {earliest:%A %-d %B %Y}. Choose that date or later."
    )


def _run_fields_check(*, name: str, effective_from: date, notice_weeks: int, today: date) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("Give the rent change a name, for example 'April 2027 rent change'.")
    if not 1 <= notice_weeks <= 52:
        raise ValidationError("The notice period must be between 1 and 52 weeks.")
    problem = notice_problem(effective_from=effective_from, notice_weeks=notice_weeks, today=today)
    if problem:
        raise ValidationError(problem)
    return name


# ---- amounts ---------------------------------------------------------------------------------------------------------


def rule_new_amount(old: Decimal, *, percentage: Decimal, cap: Decimal | None) -> Decimal:
    """`old` raised by `percentage` (rounded half up to the penny), the rise no more than `cap` (same period)."""
    rise = apportion(old, percentage, 100)
    if cap is not None and rise > cap:
        rise = cap
    return old + rise


# ---- preparing -------------------------------------------------------------------------------------------------------


def _live_on(day: date) -> Q:
    """Tenancies current and live on `day` (the rent change applies to them)."""
    return Q(status=TenancyStatus.CURRENT, start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def _run_create(*, by, name, effective_from, notice_weeks, basis, **fields) -> RentChangeRun:
    run = RentChangeRun(
        name=name,
        effective_from=effective_from,
        notice_weeks=notice_weeks,
        basis=basis,
        prepared_by=by,
        **fields,
    )
    run._history_user = by
    run.save()
    return run


def _preparer_check(by) -> None:
    staff_require(by, "lifecycle.add_rentchangerun", "prepare rent changes")
    if by is None:
        raise ValidationError("A rent change is prepared by a person, so that a second person can check it.")


@transaction.atomic
def rent_change_run_prepare_rule(
    *,
    by,
    name: str,
    effective_from: date,
    schemes: list[Scheme],
    percentage: Decimal,
    charge_types: list[str],
    weekly_cap: Decimal | None = None,
    notice_weeks: int | None = None,
    today: date | None = None,
) -> RentChangeRun:
    """A draft run raising the chosen charges of every tenancy live on the date in the schemes, and of each home's own
    weekly schedule, by `percentage` (each charge's rise at most `weekly_cap` a week). Refused when nothing changes."""
    _preparer_check(by)
    today = today or timezone.localdate()
    notice_weeks = notice_weeks_default() if notice_weeks is None else notice_weeks
    name = _run_fields_check(name=name, effective_from=effective_from, notice_weeks=notice_weeks, today=today)
    if not schemes:
        raise ValidationError("Choose at least one scheme.")
    types = [t for t in ChargeType.values if t in set(charge_types or [])]
    if not types:
        raise ValidationError("Choose at least one charge type to change.")
    try:
        percentage = Decimal(percentage)
    except (InvalidOperation, TypeError) as error:
        raise ValidationError("Enter the percentage as a number, like 2.7.") from error
    if percentage != percentage.quantize(Decimal("0.001")) or not Decimal("-100") < percentage <= Decimal("100"):
        raise ValidationError("Enter a percentage between -99.999 and 100, with up to 3 decimal places, like 2.7.")
    if percentage == 0:
        raise ValidationError("A change of 0% changes nothing. Enter the percentage rise, like 2.7.")
    if weekly_cap is not None and weekly_cap <= ZERO:
        raise ValidationError("The weekly cap must be more than £0.00, or left empty for no cap.")

    run = _run_create(
        by=by,
        name=name,
        effective_from=effective_from,
        notice_weeks=notice_weeks,
        basis=RentChangeBasis.PERCENTAGE,
        percentage=percentage,
        weekly_cap=weekly_cap,
        charge_types=types,
    )
    run.schemes.set(schemes)
    day = effective_from
    tenancy_rows = (
        Charge.objects.in_effect(day)
        .filter(charge_type__in=types)
        .filter(tenancy__in=Tenancy.objects.filter(_live_on(day), property__scheme__in=schemes))
        .values_list("tenancy_id", "tenancy__property_id", "charge_type", "amount", "tenancy__rent_period")
    )
    old: dict[tuple[int, int, str], Decimal] = defaultdict(lambda: ZERO)
    periods: dict[int, str] = {}
    for tenancy_id, property_id, charge_type, amount, rent_period in tenancy_rows.iterator(chunk_size=20_000):
        old[(tenancy_id, property_id, charge_type)] += amount
        periods[tenancy_id] = rent_period
    lines = []
    for (tenancy_id, property_id, charge_type), amount in old.items():
        cap = weekly_to_period(weekly_cap, periods[tenancy_id]) if weekly_cap is not None else None
        new = rule_new_amount(amount, percentage=percentage, cap=cap)
        if new != amount:
            lines.append(_line(run, tenancy_id, property_id, charge_type, amount, new))
    home_rows = (
        PropertyCharge.objects.in_effect(day)
        .filter(charge_type__in=types, property__scheme__in=schemes)
        .filter(Q(property__retired_on__isnull=True) | Q(property__retired_on__gt=day))
        .values_list("property_id", "charge_type", "amount")
    )
    home_old: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for property_id, charge_type, amount in home_rows.iterator(chunk_size=20_000):
        home_old[(property_id, charge_type)] += amount
    for (property_id, charge_type), amount in home_old.items():
        new = rule_new_amount(amount, percentage=percentage, cap=weekly_cap)
        if new != amount:
            lines.append(_line(run, None, property_id, charge_type, amount, new))
    if not lines:
        raise ValidationError(
            f"No charge would change: no tenancy or home in the schemes chosen has those charges on "
            f"{effective_from:%-d %B %Y}."
        )
    RentChangeLine.objects.bulk_create(lines, batch_size=5000)
    return run


def _line(run, tenancy_id, property_id, charge_type, old, new) -> RentChangeLine:
    return RentChangeLine(
        run=run, tenancy_id=tenancy_id, property_id=property_id, charge_type=charge_type, old_amount=old, new_amount=new
    )


def _chunks(items: list, size: int = _LOOKUP_CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]
