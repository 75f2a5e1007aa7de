"""`{% court_costs_panel tenancy %}`: the court costs awarded, paid and owed, for the arrears case and the claim's page
(kept apart from the rent arrears, which never include them). `always=True` shows the panel even with no costs."""

from django import template

from rentaccounts.selectors_court_costs import court_costs_position

register = template.Library()


@register.inclusion_tag("rentaccounts/_court_costs_panel.html", takes_context=True)
def court_costs_panel(context, tenancy, always: bool = False) -> dict:
    return {
        "costs": court_costs_position(tenancy=tenancy),
        "tenancy": tenancy,
        "always": always,
        "perms": context.get("perms"),
    }
