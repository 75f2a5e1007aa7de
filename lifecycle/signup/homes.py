"""Reads for the sign-up screens about the home: finding a home to let, the tenancy that stops it being let from a
day, and the charges it offers (its charges in effect on the day, each as the charge for one rent period)."""

from datetime import date

from django.db.models import Q
from django.utils import timezone

from lifecycle.charges import CHARGE_ORDER
from rentaccounts.charging import weekly_to_period
from tenancies.constants import TenancyStatus
from tenancies.models import Property, PropertyCharge, Tenancy
from tenancies.selectors_homes import property_search
from tenancies.specs import ChargeSpec


def sign_up_charges_default(*, property: Property, rent_period: str, on: date) -> list[ChargeSpec]:
    """The home's charges in effect on the day, each as the charge for one rent period: what sign-up offers."""
    rows = (
        PropertyCharge.objects.filter(property=property, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("charge_type", "effective_from")
    )
    specs = [ChargeSpec(row.charge_type, weekly_to_period(row.amount, rent_period), row.counts_as_rent) for row in rows]
    return sorted(specs, key=lambda spec: CHARGE_ORDER.get(spec.charge_type, 99))


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
