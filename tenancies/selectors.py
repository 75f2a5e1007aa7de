"""Reads of tenancies and the people in them."""

from django.db.models import Prefetch, Q, QuerySet

from .models import Charge, Tenancy, TenancyTenant


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
            | Q(property__address_line_1__icontains=word)
            | Q(property__address_line_2__icontains=word)
            | Q(property__unit_label__icontains=word)
            | Q(property__town__icontains=word)
            | Q(property__postcode__icontains=word)
            | Q(property__postcode__iexact=word)
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
