"""Panels that higher apps add to lower apps' pages, so imports keep going downwards.

The tenancy page belongs to `tenancies`, but what it shows comes from the ledger, arrears, legal action and documents.
Each of those registers a provider in its AppConfig.ready(); the page asks for the panels and includes them.
"""

from collections.abc import Callable
from dataclasses import dataclass

PanelProvider = Callable[..., "Panel | None"]


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict


_TENANCY_PANELS: list[tuple[int, PanelProvider]] = []


def register_tenancy_panel(order: int, provider: PanelProvider) -> None:
    """provider(request, tenancy) returns a Panel, or None when it has nothing to show."""
    if (order, provider) not in _TENANCY_PANELS:
        _TENANCY_PANELS.append((order, provider))
        _TENANCY_PANELS.sort(key=lambda entry: entry[0])


def tenancy_panels(request, tenancy) -> list[Panel]:
    panels = (provider(request, tenancy) for _, provider in _TENANCY_PANELS)
    return [panel for panel in panels if panel is not None]


@dataclass(frozen=True)
class Action:
    label: str
    href: str


ActionProvider = Callable[..., "list[Action]"]
_TENANCY_ACTIONS: list[tuple[int, ActionProvider]] = []


def register_tenancy_actions(order: int, provider: ActionProvider) -> None:
    """provider(request, tenancy) returns the actions (links) the person may take on the tenancy: the lifecycle app
    adds 'Change charges', 'End this tenancy' and the like to a page that belongs to `tenancies`."""
    if (order, provider) not in _TENANCY_ACTIONS:
        _TENANCY_ACTIONS.append((order, provider))
        _TENANCY_ACTIONS.sort(key=lambda entry: entry[0])


def tenancy_actions(request, tenancy) -> list[Action]:
    return [action for _, provider in _TENANCY_ACTIONS for action in provider(request, tenancy)]
