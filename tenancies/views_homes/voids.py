"""The Voids page: the homes void today, with the rent lost so far and the financial year's figures."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.utils import timezone

from incomeapp.money import ZERO
from tenancies.constants import ChargeType
from tenancies.forms_homes import VoidsFilterForm
from tenancies.selectors_homes import financial_year_to_date, void_figures_total, voids_now

from .pages import VIEW, _render

VOID_ORDERS = {"loss": "Rent lost so far", "days": "Days void", "address": "Address"}


@permission_required(VIEW, raise_exception=True)
def voids(request):
    form = VoidsFilterForm(request.GET or None)
    scheme = form.cleaned_data["scheme"] if form.is_valid() else None
    order = request.GET.get("order") if request.GET.get("order") in VOID_ORDERS else "loss"
    today = timezone.localdate()
    rows = voids_now(on=today, scheme=scheme, order=order)
    year_start, _ = financial_year_to_date(today)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    params = {"scheme": scheme.pk} if scheme else {}
    context = {
        "form": form,
        "page": page,
        "order": order,
        "orders": VOID_ORDERS,
        "order_label": VOID_ORDERS[order],
        "scheme": scheme,
        "today": today,
        "count": len(rows),
        "loss_so_far": sum((row.loss for row in rows), ZERO),
        "year": void_figures_total(start=year_start, end=today, scheme=scheme),
        "year_start": year_start,
        "filter_query": urlencode(params),
        "query_string": urlencode(params | {"order": order}),
        "charge_types": ChargeType,
    }
    return _render(request, "voids.html", "Voids", context)
