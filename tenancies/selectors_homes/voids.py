"""Voids: void periods, void days and void rent loss over a range (per home, per scheme or in all) and the homes void
now. What counts as void, and how the loss is worked out, is set out in `tenancies.selectors_homes` (docs/homes.md)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import BooleanField, Exists, Min, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from incomeapp.money import ZERO, apportion
from tenancies.models import Property, PropertyCharge, RentFreeWeek, Scheme, Tenancy

from .lists import live_tenancy_on
from .rent_year import ONE_DAY, financial_year_to_date

EARLIEST = date(1900, 1, 1)


@dataclass(frozen=True)
class VoidPeriod:
    """Consecutive void days of one home, cut to the range asked about; `ongoing`: still void on the range's end."""

    property_id: int
    scheme_id: int
    start: date
    end: date
    loss: Decimal
    ongoing: bool

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass
class VoidFigures:
    """Void days and void rent loss over a range, for one home, a scheme or all: `homes` had a void day in the range,
    `void_now` are still void on its last day."""

    homes: int = 0
    void_days: int = 0
    loss: Decimal = ZERO
    void_now: int = 0
    periods: list[VoidPeriod] = field(default_factory=list, repr=False)

    def add_home(self, periods: list[VoidPeriod]) -> None:
        if not periods:
            return
        self.homes += 1
        self.void_days += sum(p.days for p in periods)
        self.loss += sum((p.loss for p in periods), ZERO)
        self.void_now += any(p.ongoing for p in periods)
        self.periods.extend(periods)


CHUNK = 10_000  # homes per `IN (...)` list: well inside SQLite's limit on parameters, few round trips on PostgreSQL


def _units_elsewhere() -> Exists:
    return Exists(Property.objects.filter(parent_id=OuterRef("pk")))


def _of_homes(model, ids: list[int]) -> list[QuerySet]:
    """Querysets of `model`'s rows for these homes: on PostgreSQL one query with the ids as a single array parameter
    (an `IN` list of tens of thousands costs seconds to build and plan); elsewhere `IN` lists of 10,000."""
    if connection.vendor == "postgresql":
        column = f'"{model._meta.db_table}"."property_id"'
        in_array = RawSQL(f"{column} = ANY(%s)", (ids,), output_field=BooleanField())  # noqa: S611 (no user text)
        return [model.objects.filter(in_array)]
    return [model.objects.filter(property_id__in=ids[n : n + CHUNK]) for n in range(0, len(ids), CHUNK)]


def _tenancies_of(ids: list[int], until: date) -> dict[int, list[tuple[date, date | None]]]:
    """Every tenancy of these homes that started by `until`, as (start, end) by home."""
    found = defaultdict(list)
    for homes in _of_homes(Tenancy, ids):
        rows = homes.filter(start_date__lte=until).order_by()
        for property_id, start, end in rows.values_list("property_id", "start_date", "end_date"):
            found[property_id].append((start, end))
    return found


def _charges_of(ids: list[int], first: date, last: date) -> dict[int, list[tuple[Decimal, date, date | None]]]:
    """These homes' charges in effect on any day from `first` to `last`, as (weekly amount, from, to) by home."""
    found = defaultdict(list)
    for homes in _of_homes(PropertyCharge, ids):
        rows = (
            homes.filter(effective_from__lte=last)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=first))
            .order_by()
        )
        for property_id, amount, charge_from, charge_to in rows.values_list(
            "property_id", "amount", "effective_from", "effective_to"
        ):
            found[property_id].append((amount, charge_from, charge_to))
    return found


def _first_charged(ids: list[int]) -> dict[int, date]:
    """The day each of these homes' first charge starts (homes with none are left out)."""
    found = {}
    for homes in _of_homes(PropertyCharge, ids):
        rows = homes.values("property_id").annotate(first=Min("effective_from"))
        found.update({row["property_id"]: row["first"] for row in rows.order_by()})
    return found


def _rent_free_days(rent_free: list[date], first: date, last: date) -> int:
    days = 0
    for monday in rent_free:
        overlap_first, overlap_last = max(first, monday), min(last, monday + timedelta(days=6))
        if overlap_last >= overlap_first:
            days += (overlap_last - overlap_first).days + 1
    return days


def _period_loss(charges: list[tuple[Decimal, date, date | None]], rent_free: list[date], first: date, last: date):
    """What the charges in effect would have raised from `first` to `last`, rounded once."""
    weekly_days = ZERO
    for amount, charge_from, charge_to in charges:
        overlap_first = max(first, charge_from)
        overlap_last = last if charge_to is None else min(last, charge_to)
        if overlap_last < overlap_first:
            continue
        days = (overlap_last - overlap_first).days + 1 - _rent_free_days(rent_free, overlap_first, overlap_last)
        weekly_days += amount * days
    return apportion(weekly_days, 1, 7)


def _gaps(tenancies: list[tuple[date, date | None]], first: date, last: date) -> list[tuple[date, date]]:
    """The days from `first` to `last` that no tenancy covers, as (start, end) runs."""
    gaps, cursor = [], first
    for start, end in sorted(tenancies):
        if start > last:
            break
        if start > cursor:
            gaps.append((cursor, start - ONE_DAY))
        if end is None:
            return gaps
        cursor = max(cursor, end + ONE_DAY)
        if cursor > last:
            return gaps
    gaps.append((cursor, last))
    return gaps


def _rent_free_by_scheme(first: date, last: date) -> dict[int, list[date]]:
    weeks = defaultdict(list)
    rows = RentFreeWeek.objects.filter(week_commencing__range=(first - timedelta(days=6), last)).order_by()
    for scheme_id, monday in rows.values_list("scheme_id", "week_commencing"):
        weeks[scheme_id].append(monday)
    return weeks


def _in_stock(ids: list[int], tenancies: dict, before: date) -> dict[int, date]:
    """When each home came into stock: the earlier of its first tenancy's and its first charge's start. Charges are
    read only for homes not let by `before` (for the rest the first tenancy settles it)."""
    first_let = {pk: min(start for start, _ in tenancies[pk]) for pk in ids if tenancies.get(pk)}
    unsettled = [pk for pk in ids if pk not in first_let or first_let[pk] > before]
    first_charged = _first_charged(unsettled) if unsettled else {}
    in_stock = {}
    for pk in ids:
        days = [day for day in (first_let.get(pk), first_charged.get(pk)) if day is not None]
        if days:
            in_stock[pk] = min(days)
    return in_stock


def _maybe_void(homes: QuerySet[Property], start: date, end: date) -> QuerySet[Property]:
    """Homes that may have a void day from `start` to `end`: in use then, no units of their own, and no single tenancy
    covering the whole range (anti-joins: the set-based step; the exact days are worked out in memory)."""
    covering = Tenancy.objects.filter(property_id=OuterRef("pk"), start_date__lte=start).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=end)
    )
    return homes.filter(Q(retired_on__isnull=True) | Q(retired_on__gt=start)).filter(
        ~_units_elsewhere(), ~Exists(covering)
    )


def void_periods(
    *,
    start: date,
    end: date,
    scheme: Scheme | None = None,
    home: Property | None = None,
    homes: QuerySet[Property] | None = None,
) -> dict[int, list[VoidPeriod]]:
    """Every void period from `start` to `end` (inclusive), by home id: for all homes, a scheme's, one home's, or the
    homes of a queryset. A handful of queries whatever the number of homes (two more per 10,000 that may be void)."""
    if end < start:
        return {}
    chosen = homes if homes is not None else Property.objects.all()
    if scheme is not None:
        chosen = chosen.filter(scheme=scheme)
    if home is not None:
        chosen = chosen.filter(pk=home.pk)
    facts = {
        pk: (scheme_id, retired_on)
        for pk, scheme_id, retired_on in _maybe_void(chosen, start, end)
        .order_by()
        .values_list("pk", "scheme_id", "retired_on")
    }
    if not facts:
        return {}
    ids = list(facts)
    tenancies = _tenancies_of(ids, end)
    windows = {}
    for pk, in_stock in _in_stock(ids, tenancies, start).items():
        retired_on = facts[pk][1]
        first = max(start, in_stock)
        last = end if retired_on is None else min(end, retired_on - ONE_DAY)
        if first <= last:
            windows[pk] = (first, last)
    charges = _charges_of(list(windows), start, end)
    rent_free = _rent_free_by_scheme(start, end)
    periods: dict[int, list[VoidPeriod]] = {}
    for pk, (first, last) in windows.items():
        runs = _gaps(tenancies.get(pk, []), first, last)
        if runs:
            scheme_id = facts[pk][0]
            weeks = rent_free.get(scheme_id, [])
            periods[pk] = [
                VoidPeriod(
                    pk,
                    scheme_id,
                    run_start,
                    run_end,
                    _period_loss(charges.get(pk, []), weeks, run_start, run_end),
                    run_end == end,
                )
                for run_start, run_end in runs
            ]
    return periods


def void_figures_by_property(
    *, start: date | None = None, end: date | None = None, scheme: Scheme | None = None
) -> dict[int, VoidFigures]:
    """Void days and loss per home (default: the financial year to date); homes with no void day are left out."""
    start, end = _range(start, end)
    figures = {}
    for pk, periods in void_periods(start=start, end=end, scheme=scheme).items():
        figures[pk] = VoidFigures()
        figures[pk].add_home(periods)
    return figures


def void_figures_by_scheme(*, start: date | None = None, end: date | None = None) -> dict[int, VoidFigures]:
    """Void homes, days and loss per scheme id (default: the financial year to date)."""
    start, end = _range(start, end)
    figures: dict[int, VoidFigures] = defaultdict(VoidFigures)
    for home_periods in void_periods(start=start, end=end).values():
        figures[home_periods[0].scheme_id].add_home(home_periods)
    return dict(figures)


def void_figures_total(
    *, start: date | None = None, end: date | None = None, scheme: Scheme | None = None
) -> VoidFigures:
    """All homes' (or one scheme's) void homes, days and loss (default: the financial year to date)."""
    start, end = _range(start, end)
    total = VoidFigures()
    for home_periods in void_periods(start=start, end=end, scheme=scheme).values():
        total.add_home(home_periods)
    return total


def property_voids(*, property: Property, start: date | None = None, end: date | None = None) -> list[VoidPeriod]:
    """One home's void periods, oldest first: by default its whole life up to today."""
    end = end or timezone.localdate()
    return void_periods(start=start or EARLIEST, end=end, home=property).get(property.pk, [])


def _range(start: date | None, end: date | None) -> tuple[date, date]:
    default_start, default_end = financial_year_to_date(end)
    return start or default_start, end or default_end


@dataclass(frozen=True)
class VoidNow:
    """A home void today: since when, for how many days, and the rent lost so far in this void."""

    home: Property
    since: date
    days: int
    loss: Decimal


def voids_now(*, on: date | None = None, scheme: Scheme | None = None, order: str = "loss") -> list[VoidNow]:
    """Every home void on `on` (default today) with its whole current void period. `order`: "loss" (largest first),
    "days" (longest first) or "address"."""
    on = on or timezone.localdate()
    homes = Property.objects.filter(Q(retired_on__isnull=True) | Q(retired_on__gt=on))
    if scheme is not None:
        homes = homes.filter(scheme=scheme)
    unlet = {
        home.pk: home
        for home in homes.filter(~_units_elsewhere(), ~Exists(live_tenancy_on(on))).select_related("scheme", "patch")
    }
    if not unlet:
        return []
    ids = list(unlet)
    tenancies = _tenancies_of(ids, on)  # none is live on `on`, so every one has ended
    since = {}
    for pk, in_stock in _in_stock(ids, tenancies, on).items():
        if in_stock > on:
            continue
        ended = [end for _, end in tenancies.get(pk, []) if end is not None]
        since[pk] = max(ended) + ONE_DAY if ended else in_stock
    if not since:
        return []
    charges = _charges_of(list(since), min(since.values()), on)
    rent_free = _rent_free_by_scheme(min(since.values()), on)
    found = [
        VoidNow(
            unlet[pk],
            first,
            (on - first).days + 1,
            _period_loss(charges.get(pk, []), rent_free.get(unlet[pk].scheme_id, []), first, on),
        )
        for pk, first in since.items()
    ]
    if order == "days":
        found.sort(key=lambda v: (-v.days, -v.loss, v.home.pk))
    elif order == "address":
        found.sort(key=lambda v: (v.home.postcode, v.home.address_line_1, v.home.unit_label, v.home.pk))
    else:
        found.sort(key=lambda v: (-v.loss, -v.days, v.home.pk))
    return found
