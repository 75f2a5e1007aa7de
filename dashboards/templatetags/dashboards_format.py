"""How the dashboards write a figure with its unit (£, %, a count, cases each)."""

from decimal import Decimal

from django import template

from dashboards.kpis import COUNT, MONEY, PERCENT, RATIO
from incomeapp.money import format_money

register = template.Library()


@register.filter
def kpi_value(value, kpi) -> str:
    """A KPI's figure with its unit: £1,234.56, 13.04%, 12, or 8.5 cases each ("–" when there is none)."""
    if value is None or value == "":
        return "–"
    value = Decimal(str(value))
    if kpi.unit == MONEY:
        return format_money(value)
    if kpi.unit == PERCENT:
        return f"{value:,.2f}%"
    if kpi.unit == COUNT:
        return f"{value:,.0f}"
    if kpi.unit == RATIO:
        return f"{value:,.2f} cases each"
    return f"{value:,}"
