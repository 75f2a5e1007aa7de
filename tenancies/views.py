from urllib.parse import urlencode

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
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


@permission_required("incomeapp.use_tenancies", raise_exception=True)
def index(request):
    form = TenancySearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    # One of our payment references with a wrong check digit: say so, rather than "no tenancy matches".
    reference_problem = payment_reference_problem(payment_reference_normalise(query)) if query else None
    searching = query and not reference_problem
    found = scoped(tenancy_search(query=query), request.user)
    page = Paginator(found, 25).get_page(request.GET.get("page")) if searching else None
    context = {
        "form": form,
        "query": query,
        "page": page,
        "query_string": urlencode({"q": query}),
        "reference_problem": reference_problem,
        "scope": scope_description(request.user),
    }
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
