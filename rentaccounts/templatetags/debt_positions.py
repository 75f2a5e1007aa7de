"""`{% debt_position_panel account %}` (the account page, the arrears case page) and
`{% person_insolvency_panel person %}` (the person page): what can still be recovered of a debt, by limitation and
insolvency (docs/debts.md)."""

from django import template
from django.utils import timezone

from rentaccounts.models import Account, InsolvencyOrder
from rentaccounts.selectors_debts import debt_positions

register = template.Library()

VIEW_ORDERS = "rentaccounts.view_insolvencyorder"


@register.inclusion_tag("rentaccounts/debts/_position.html", takes_context=True)
def debt_position_panel(context, account: Account | None) -> dict:
    user = context["request"].user
    if account is None or not user.has_perm("rentaccounts.view_transaction"):
        return {"show": False}
    position = debt_positions(account_ids=[account.pk], on=timezone.localdate()).get(account.pk)
    if position is None:
        return {"show": False}
    sees_orders = user.has_perm(VIEW_ORDERS)
    orders = position.orders if sees_orders else []
    return {
        "show": position.balance > 0 or bool(orders) or position.out_of_time > 0,
        "account": account,
        "position": position,
        "orders": orders,
        "can_acknowledge": user.has_perm("rentaccounts.add_debtacknowledgment") and position.balance > 0,
    }


@register.inclusion_tag("rentaccounts/debts/_person.html", takes_context=True)
def person_insolvency_panel(context, person) -> dict:
    user = context["request"].user
    if not user.has_perm(VIEW_ORDERS):
        return {"show": False}
    today = timezone.localdate()
    orders = list(InsolvencyOrder.objects.filter(person=person).order_by("-made_on", "-id"))
    accounts = {
        account.pk: account
        for account in Account.objects.filter(tenancy__tenancy_tenants__person=person).select_related("tenancy")
    }
    positions = debt_positions(account_ids=list(accounts), on=today) if orders else {}
    for order in orders:
        order.in_force = order.discharged_on is None or order.discharged_on > today
        order.touched = [
            (accounts[pk], touching["covers"])
            for pk, position in positions.items()
            for touching in position.orders
            if touching["id"] == order.pk and touching["covers"] > 0
        ]
    return {
        "show": True,
        "person": person,
        "orders": orders,
        "can_record": user.has_perm("rentaccounts.add_insolvencyorder"),
        "can_discharge": user.has_perm("rentaccounts.change_insolvencyorder"),
    }
