"""Reads of tenancies and the people in them, and the one definition of a tenancy's weekly rent."""

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Prefetch, Q, QuerySet, Sum

from incomeapp.money import ZERO, apportion, money_from_sum

from .constants import WEEKS_IN_PERIOD, RentPeriod, WeeksBasis
from .models import Charge, Tenancy, TenancyTenant


def address_has(word: str, *, via: str = "") -> Q:
    """A home whose address lines, unit, town or postcode contain the word (or whose postcode it is); `via` reaches the
    home from another model, like "property__"."""
    in_address = Q()
    for name in ("address_line_1", "address_line_2", "unit_label", "town", "postcode"):
        in_address |= Q(**{f"{via}{name}__icontains": word})
    return in_address | Q(**{f"{via}postcode__iexact": word})


def tenancy_search(*, query: str) -> QuerySet[Tenancy]:
    """Tenancies whose payment reference starts with, or whose tenant's name or address contains, every word given."""
    tenancies = Tenancy.objects.select_related("property").prefetch_related(
        Prefetch("tenancy_tenants", queryset=TenancyTenant.objects.select_related("person"))
    )
    words = query.split()
    if not words:
        return tenancies.none()
    for word in words:
        tenancies = tenancies.filter(
            Q(payment_reference__istartswith=word)
            | Q(tenants__first_name__icontains=word)
            | Q(tenants__last_name__icontains=word)
            | address_has(word, via="property__")
        )
    return tenancies.distinct().order_by("status", "payment_reference")


def tenancy_detail(*, payment_reference: str) -> Tenancy:
    return (
        Tenancy.objects.select_related("property__scheme__provider", "property__patch__officer", "property__parent")
        .prefetch_related(
            Prefetch("tenancy_tenants", queryset=TenancyTenant.objects.select_related("person")),
            Prefetch("charges", queryset=Charge.objects.order_by("-effective_from", "charge_type")),
        )
        .get(payment_reference=payment_reference)
    )


def charges_in_effect(charges, on: date) -> list:
    """The rows of a loaded list of charges (a tenancy's or a home's) that are in effect on the day."""
    return [charge for charge in charges if charge.in_effect_on(on)]


def weekly_equivalent(amount: Decimal, rent_period: str) -> Decimal:
    """A period's charge as a weekly figure, for 'weeks of rent' arithmetic (monthly × 12 ÷ 52)."""
    if rent_period == RentPeriod.MONTHLY:
        return apportion(amount, 12, 52)
    weeks = WEEKS_IN_PERIOD[rent_period]
    return amount if weeks == 1 else apportion(amount, 1, weeks)


class WeeklyRent(NamedTuple):
    """A tenancy's weekly charges on a day, on both bases (see WeeksBasis)."""

    rent: Decimal = ZERO  # the charges that count as rent
    gross: Decimal = ZERO  # every charge in effect

    def on_basis(self, basis: str) -> Decimal:
        return self.gross if basis == WeeksBasis.GROSS else self.rent


def weekly_rent(*, tenancy_ids: Iterable[int] | None = None, on: date) -> dict[int, WeeklyRent]:
    """The weekly rent of each tenancy on a day (every tenancy with a charge, when no ids are given): the charges in
    effect added up in the tenancy's own period, then made weekly. One query."""
    charges = Charge.objects.in_effect(on)
    if tenancy_ids is not None:
        charges = charges.filter(tenancy_id__any=set(tenancy_ids))
    rows = charges.values_list("tenancy_id", "tenancy__rent_period").annotate(
        rent=Sum("amount", filter=Q(counts_as_rent=True), default=ZERO), gross=Sum("amount")
    )
    return {
        tenancy_id: WeeklyRent(
            rent=weekly_equivalent(money_from_sum(rent), period),
            gross=weekly_equivalent(money_from_sum(gross), period),
        )
        for tenancy_id, period, rent, gross in rows
    }


def weeks_of(amount: Decimal, weekly: Decimal) -> Decimal | None:
    """An amount owed as weeks of the weekly figure, to one decimal place (None when nothing is charged). Every screen,
    letter, export and KPI that shows weeks of arrears uses this."""
    if weekly <= 0:
        return None
    return (amount / weekly).quantize(Decimal("0.1"))


WeeksBasisProvider = Callable[[list[int]], dict[int, str]]
_weeks_basis_provider: list[WeeksBasisProvider] = []


def weeks_basis_provider_register(provider: WeeksBasisProvider) -> None:
    """The arrears app says which basis each tenancy's policy counts weeks on (it sits above the ledger, whose account
    page and statements show the figure too, so it registers here in its AppConfig.ready())."""
    _weeks_basis_provider[:] = [provider]


def weeks_basis(tenancy_ids: list[int]) -> dict[int, str]:
    """The WeeksBasis of each tenancy: its arrears policy's, else rent only."""
    found = _weeks_basis_provider[0](tenancy_ids) if _weeks_basis_provider else {}
    return {tenancy_id: found.get(tenancy_id, WeeksBasis.RENT) for tenancy_id in tenancy_ids}
