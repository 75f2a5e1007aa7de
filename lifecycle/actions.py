"""The links the lifecycle app adds to a tenancy's page ("Change this tenancy"), each shown only to people whose role
allows it. Registered in LifecycleConfig.ready(). Each area adds its own provider function here."""

from collections.abc import Callable

from incomeapp.panels import Action

# (order, provider(request, tenancy) -> list[Action]). Charges 10, ending and transfers 20, named tenants 30.
PROVIDERS: list[tuple[int, Callable[..., list[Action]]]] = []
