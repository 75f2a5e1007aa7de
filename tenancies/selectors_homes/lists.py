"""Reads for the homes lists and a home's page: homes found by address, schemes with their counts, a home's tenancies,
and the officers who can work a patch."""

from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from tenancies.models import Property, Scheme, Tenancy
from tenancies.selectors import address_has


def live_tenancy_on(day: date, ref: str = "pk") -> QuerySet[Tenancy]:
    return Tenancy.objects.filter(property_id=OuterRef(ref), start_date__lte=day).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day)
    )


def property_search(
    *, query: str = "", scheme: Scheme | None = None, include_retired: bool = False, today: date | None = None
) -> QuerySet[Property]:
    """Homes whose address, postcode, unit or UPRN contains every word given, with `is_let` (a tenancy live today)
    and `current_reference` (that tenancy's payment reference). Ordered by postcode and address."""
    today = today or timezone.localdate()
    homes = Property.objects.select_related("scheme", "patch")
    if not include_retired:
        homes = homes.filter(retired_on__isnull=True)
    if scheme is not None:
        homes = homes.filter(scheme=scheme)
    for word in query.split():
        homes = homes.filter(address_has(word) | Q(uprn=word) | Q(source_reference=word))
    live = live_tenancy_on(today).order_by("-start_date")
    return homes.annotate(
        is_let=Exists(live), current_reference=Subquery(live.values("payment_reference")[:1])
    ).order_by("postcode", "address_line_1", "unit_label", "pk")


def schemes_with_counts() -> QuerySet[Scheme]:
    """Every scheme with `homes` (in use) and its provider."""
    return Scheme.objects.select_related("provider").annotate(
        homes=Count("properties", filter=Q(properties__retired_on__isnull=True))
    )


def property_detail(*, pk: int) -> Property:
    return Property.objects.select_related("scheme__provider", "patch__officer", "parent").get(pk=pk)


def property_tenancies(*, home: Property) -> list[Tenancy]:
    """The home's tenancies, newest first, with their named tenants (two queries)."""
    from django.db.models import Prefetch

    from tenancies.models import TenancyTenant

    return list(
        home.tenancies.prefetch_related(
            Prefetch("tenancy_tenants", queryset=TenancyTenant.objects.select_related("person"))
        ).order_by("-start_date", "-pk")
    )


def officers_for_patches():
    """Staff who can work a patch: active, with the arrears worklist (by role or given to them)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    permission = Permission.objects.filter(content_type__app_label="incomeapp", codename="use_worklist")
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__permissions__in=permission) | Q(user_permissions__in=permission))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
