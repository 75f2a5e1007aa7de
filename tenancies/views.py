from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from incomeapp.money import ZERO
from incomeapp.panels import tenancy_actions, tenancy_panels
from incomeapp.signals import person_notes_categories, special_category_shown

from .forms import TenancySearchForm
from .history import history_entries
from .models import Tenancy
from .references import payment_reference_normalise, payment_reference_problem
from .scoping import assert_can_see_tenancy, scope_description, scoped
from .selectors import charges_in_effect, tenancy_detail, tenancy_search


def search_context(request, form, find: Callable[[str], QuerySet]) -> dict:
    """A search page's context (tenancies, people): the words searched for, what is wrong with them when they are one
    of our payment references with a wrong check digit (said, rather than "nothing matches"), and the page asked for
    of what `find(query)` finds, or None when there is nothing to search for."""
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    reference_problem = payment_reference_problem(payment_reference_normalise(query)) if query else None
    page = None
    if query and not reference_problem:
        page = Paginator(find(query), 25).get_page(request.GET.get("page"))
    return {
        "form": form,
        "query": query,
        "page": page,
        "query_string": urlencode({"q": query}),
        "reference_problem": reference_problem,
    }


@permission_required("incomeapp.use_tenancies", raise_exception=True)
def index(request):
    form = TenancySearchForm(request.GET or None)
    context = search_context(request, form, lambda query: scoped(tenancy_search(query=query), request.user))
    context["scope"] = scope_description(request.user)
    return render(request, "tenancies/search.html", context)


@permission_required("incomeapp.use_tenancies", raise_exception=True)
def detail(request, payment_reference):
    try:
        tenancy = tenancy_detail(payment_reference=payment_reference.upper())
    except Tenancy.DoesNotExist as error:
        raise Http404("No tenancy has that payment reference.") from error
    assert_can_see_tenancy(request.user, tenancy)
    today = timezone.localdate()
    charges = list(tenancy.charges.all())
    current = charges_in_effect(charges, today)
    context = {
        "tenancy": tenancy,
        "tenants": [row.person for row in tenancy.tenancy_tenants.all()],
        "charges_in_effect": current,
        "charge_history": charges,
        "period_total": sum((c.amount for c in current), ZERO),
        "can_see_sensitive": request.user.has_perm("incomeapp.view_sensitive_notes"),
        "panels": tenancy_panels(request, tenancy),
        "tenancy_actions": tenancy_actions(request, tenancy),
        "history_entries": history_entries(obj=tenancy, viewer=request.user),
    }
    if context["can_see_sensitive"]:  # R-DP-03: the access log hears of the tenants' notes shown
        special_category_shown(request, {person.pk: person_notes_categories(person) for person in context["tenants"]})
    return render(request, "tenancies/detail.html", context)
