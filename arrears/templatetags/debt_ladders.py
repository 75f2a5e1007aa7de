"""`{% tenancies_elsewhere_panel case %}`: on an arrears case, the same person's other tenancy with us. On a former
tenant's case: "Also a tenant at 12 Oak Road (current)". On a current tenant's case: "Owes £X from a former tenancy at
…". Two small queries, on the case page only."""

from django import template
from django.db.models import Q
from django.utils import timezone

from rentaccounts.constants import AccountKind
from rentaccounts.models import Account
from tenancies.constants import TenancyStatus
from tenancies.models import TenancyTenant

register = template.Library()


@register.inclusion_tag("arrears/includes/tenancies_elsewhere.html")
def tenancies_elsewhere_panel(case):
    tenancy = case.account.tenancy
    people = TenancyTenant.objects.filter(tenancy=tenancy).values("person_id")
    others = (
        TenancyTenant.objects.filter(person_id__in=people).exclude(tenancy=tenancy).select_related("tenancy__property")
    )
    current = [
        row.tenancy
        for row in others.filter(tenancy__status=TenancyStatus.CURRENT).filter(
            Q(tenancy__end_date__isnull=True) | Q(tenancy__end_date__gte=timezone.localdate())
        )
    ]
    owing = list(
        Account.objects.filter(
            kind=AccountKind.RENT,
            balance__gt=0,
            tenancy__status=TenancyStatus.FORMER,
            tenancy_id__in=others.values("tenancy_id"),
        ).select_related("tenancy__property")
    )
    return {"current": list(dict.fromkeys(current)), "owing": owing}
