"""Writes for schemes and their rent calendars: the rent-free weeks of each rent year."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from incomeapp.roles import staff_require
from tenancies.constants import SchemeType
from tenancies.models import Provider, RentFreeWeek, Scheme, Tenancy
from tenancies.selectors_homes import rent_year_end, rent_year_start

from .records import (
    _by,
    _Checks,
    _day,
    _not_retired,
    _record_create,
    _record_retire,
    _record_update,
    _refuse_while_in_use,
    _writing,
)

SCHEME_LABELS = {
    "code": "scheme code",
    "name": "scheme name",
    "scheme_type": "scheme type",
    "provider": "provider",
    "source_reference": "source reference",
}
SCHEME_FIELDS = set(SCHEME_LABELS)


def _scheme_checked(values: dict, scheme: Scheme | None) -> dict:
    checks = _Checks(Scheme, SCHEME_LABELS)
    if "code" in values:
        checks.unique_text(
            values, "code", scheme, "Another scheme already has the code {}. Give this one a different code."
        )
    if "name" in values:
        checks.text(values, "name", required=True)
    if "source_reference" in values:
        checks.text(values, "source_reference")
    if "scheme_type" in values:
        checks.choice(values, "scheme_type", SchemeType)
    if "provider" in values:
        provider = values["provider"]
        if provider is None:
            checks.add("provider", "Choose the provider that owns the scheme")
        elif scheme is None or scheme.provider_id != provider.pk:
            _not_retired(checks, "provider", provider, "scheme")
    checks.raise_any()
    return values


def scheme_create(
    *, by, code: str, name: str, scheme_type: str, provider: Provider, source_reference: str = ""
) -> Scheme:
    staff_require(by, "tenancies.add_scheme", "add a scheme")
    values = _scheme_checked(
        {
            "code": code,
            "name": name,
            "scheme_type": scheme_type,
            "provider": provider,
            "source_reference": source_reference,
        },
        None,
    )
    return _record_create(Scheme, values, by=by)


def scheme_update(*, by, scheme: Scheme, **changes) -> bool:
    staff_require(by, "tenancies.change_scheme", "change a scheme")
    return _record_update(
        scheme,
        changes,
        by=by,
        kind="scheme",
        fields=SCHEME_FIELDS,
        checked=_scheme_checked,
        retire_checks=_scheme_retire_checks,
    )


def _scheme_retire_checks(scheme: Scheme, on: date) -> None:
    _refuse_while_in_use(
        scheme.properties,
        holder=str(scheme),
        noun="home",
        next_step="Retire them, or move them to another scheme, first.",
    )


def scheme_retire(*, by, scheme: Scheme, on: date) -> None:
    """Stops a scheme being offered for new homes. Refused while any of its homes is still in use."""
    staff_require(by, "tenancies.change_scheme", "retire a scheme")
    _record_retire(scheme, on, by=by, retire_checks=_scheme_retire_checks)


def scheme_rent_free_weeks_set(*, by, scheme: Scheme, year_starting: date, weeks: list[date]) -> bool:
    """The rent-free weeks of one rent year (first Monday of April to the day before the next one), each given by its
    Monday; weeks of that year not listed become rent weeks again. A week that has started cannot be changed once a
    tenancy in the scheme was live in it (its rent has been charged, or not, already). No change: False."""
    staff_require(by, "tenancies.change_scheme", "change a scheme's rent-free weeks")
    start = rent_year_start(year_starting)
    if start != year_starting:
        raise ValidationError(
            {
                "year_starting": f"A rent year starts on the first Monday of April: the rent year around "
                f"{_day(year_starting)} starts on {_day(start)}."
            }
        )
    end = rent_year_end(start)
    wanted = set()
    problems = []
    for week in weeks:
        if week.weekday() != 0:
            problems.append(f"{_day(week)} is a {week:%A}: give the Monday each rent-free week starts on")
        elif not start <= week <= end:
            problems.append(f"The week commencing {_day(week)} is not in the rent year {_day(start)} to {_day(end)}")
        else:
            wanted.add(week)
    weeks_in_year = ((end - start).days + 1) // 7
    if len(wanted) >= weeks_in_year:
        problems.append(f"A rent year of {weeks_in_year} weeks needs at least one week with rent")
    if problems:
        raise ValidationError({"weeks": problems})
    current = set(
        scheme.rent_free_weeks.filter(week_commencing__range=(start, end)).values_list("week_commencing", flat=True)
    )
    if current == wanted:
        return False
    changed = current ^ wanted
    started = sorted(week for week in changed if week <= timezone.localdate())
    if started:
        charged = Q()
        for week in started:
            charged |= Q(start_date__lte=week + timedelta(days=6)) & (Q(end_date__isnull=True) | Q(end_date__gte=week))
        if Tenancy.objects.filter(charged, property__scheme=scheme).exists():
            raise ValidationError(
                {
                    "weeks": [
                        "Tenancies in this scheme have already been charged for the week commencing "
                        + ", ".join(_day(week) for week in started)
                        + ". Only weeks that have not started can be made rent-free or charged again."
                    ]
                }
            )
    added, removed = sorted(wanted - current), sorted(current - wanted)
    reason = f"Rent-free weeks for the rent year from {_day(start)}: " + (
        ", ".join(_day(week) for week in sorted(wanted)) or "none"
    )
    _by(scheme, by, reason)
    with _writing():
        if removed:
            scheme.rent_free_weeks.filter(week_commencing__in=removed).delete()
        RentFreeWeek.objects.bulk_create([RentFreeWeek(scheme=scheme, week_commencing=week) for week in added])
        # The calendar has no history of its own: a row in the scheme's history says who changed it, when, and to what.
        scheme.save(update_fields=["updated_at"])
    return True
