"""The links the lifecycle app adds to a tenancy's page ("Change this tenancy"), each shown only to people whose role
allows it. Registered in LifecycleConfig.ready(). Each area adds its own provider function here."""

from collections.abc import Callable

from django.urls import reverse

from incomeapp.panels import Action
from tenancies.constants import TenancyStatus

# (order, provider(request, tenancy) -> list[Action]). Charges 10, ending and transfers 20, named tenants 30.
PROVIDERS: list[tuple[int, Callable[..., list[Action]]]] = []


def charges_actions(request, tenancy) -> list[Action]:
    """'Change charges' for a current tenancy, to people who may change a tenancy's charges."""
    if tenancy.status != TenancyStatus.CURRENT or not request.user.has_perm("tenancies.add_charge"):
        return []
    return [Action("Change charges", reverse("lifecycle:charges_change", args=[tenancy.payment_reference]))]


PROVIDERS.append((10, charges_actions))


def ending_actions(request, tenancy) -> list[Action]:
    """Ending, transfers and exchanges for a current tenancy; for a former one, correcting the end and what became of
    its balance. Only to people who may end tenancies."""
    if not request.user.has_perm("tenancies.end_tenancy"):
        return []
    reference = [tenancy.payment_reference]
    if tenancy.status == TenancyStatus.CURRENT:
        return [
            Action("End this tenancy", reverse("lifecycle:end", args=reference)),
            Action("Record a transfer to another of our homes", reverse("lifecycle:transfer", args=reference)),
            Action("Record a mutual exchange", reverse("lifecycle:mutual_exchange", args=reference)),
        ]
    return [
        Action(
            "How the tenancy ended, and its balance (refund or transfer a credit)",
            reverse("lifecycle:end_done", args=reference),
        ),
        Action("Correct the end", reverse("lifecycle:end_correct", args=reference)),
    ]


def named_tenants_actions(request, tenancy) -> list[Action]:
    """Successions and assignments change a current tenancy's named tenants."""
    if tenancy.status != TenancyStatus.CURRENT or not request.user.has_perm("tenancies.end_tenancy"):
        return []
    reference = [tenancy.payment_reference]
    return [
        Action("Record a succession (a tenant has died)", reverse("lifecycle:succession", args=reference)),
        Action("Record an assignment (the named tenants change)", reverse("lifecycle:assignment", args=reference)),
    ]


PROVIDERS.append((20, ending_actions))
PROVIDERS.append((30, named_tenants_actions))
