"""Homes pages for properties: the homes list, a home's page, adding and changing a home, and its weekly charges."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone

from incomeapp.money import ZERO, format_money
from tenancies.forms_homes import ChargesForm, HomeSearchForm, PropertyForm, initial_for_property
from tenancies.history import history_entries
from tenancies.models import Property
from tenancies.scoping import home_visible, scoped_homes
from tenancies.selectors import charges_in_effect
from tenancies.selectors_homes import (
    financial_year_to_date,
    property_detail,
    property_search,
    property_tenancies,
    property_voids,
)
from tenancies.services_homes import property_charges_set, property_create, property_update

from .pages import VIEW, _change_page, _form_page, _render, _saved


@permission_required(VIEW, raise_exception=True)
def index(request):
    form = HomeSearchForm(request.GET or None)
    query, scheme, retired = "", None, False
    if form.is_valid():
        query, scheme, retired = (
            form.cleaned_data["q"].strip(),
            form.cleaned_data["scheme"],
            form.cleaned_data["retired"],
        )
    homes = scoped_homes(property_search(query=query, scheme=scheme, include_retired=retired), request.user)
    page = Paginator(homes, 25).get_page(request.GET.get("page"))
    params = {"q": query, "scheme": scheme.pk if scheme else "", "retired": "on" if retired else ""}
    params = {key: value for key, value in params.items() if value}
    context = {
        "form": form,
        "page": page,
        "query": query,
        "filtered": bool(params),
        "query_string": urlencode(params),
        "can_add": request.user.has_perm("tenancies.add_property"),
    }
    return _render(request, "index.html", "Homes", context)


def _home_or_404(pk: int, user) -> Property:
    try:
        home = property_detail(pk=pk)
    except Property.DoesNotExist as error:
        raise Http404("No home has that number.") from error
    if not home_visible(user, home):  # its tenancies are outside the user's scope (tenancies.scoping)
        raise Http404("No home has that number.")
    return home


@permission_required(VIEW, raise_exception=True)
def property_page(request, pk):
    home = _home_or_404(pk, request.user)
    today = timezone.localdate()
    charges = list(home.charges.order_by("-effective_from", "charge_type"))
    current = charges_in_effect(charges, today)
    tenancies = property_tenancies(home=home)
    live = next((t for t in tenancies if t.is_live_on(today)), None)
    periods = list(reversed(property_voids(property=home, end=today)))
    year_start, _ = financial_year_to_date(today)
    this_year = property_voids(property=home, start=year_start, end=today)
    user = request.user
    context = {
        "home": home,
        "today": today,
        "live": live,
        "void_now": periods[0] if periods and periods[0].ongoing else None,
        "charges_in_effect": current,
        "weekly_total": sum((c.amount for c in current), ZERO),
        "charge_history": charges,
        "future_charges": [c for c in charges if c.effective_from > today],
        "tenancies": tenancies,
        "void_periods": periods,
        "void_total_days": sum(p.days for p in periods),
        "void_total_loss": sum((p.loss for p in periods), ZERO),
        "year_start": year_start,
        "year_days": sum(p.days for p in this_year),
        "year_loss": sum((p.loss for p in this_year), ZERO),
        "units": list(home.units.order_by("unit_label", "pk")),
        "history_entries": history_entries(obj=home, viewer=user),
        "can_change": user.has_perm("tenancies.change_property"),
        "can_set_charges": user.has_perm("tenancies.add_propertycharge"),
        "can_add": user.has_perm("tenancies.add_property"),
    }
    return _render(request, "property.html", "Homes", context)


@permission_required("tenancies.add_property", raise_exception=True)
def property_add(request):
    initial = {}
    if request.GET.get("building", "").isdigit():
        building = get_object_or_404(Property, pk=int(request.GET["building"]))
        initial = initial_for_property(building) | {"unit_label": "", "uprn": "", "bedrooms": ""}
        initial["building"] = f"H{building.pk}"
    form = PropertyForm(request.POST or None, initial=initial)
    form.helper.inputs[0].value = "Add home"
    saved, home = _saved(request, form, lambda: property_create(by=request.user, **form.service_values()))
    if saved:
        messages.success(request, f"Home added: {home}. Set its weekly charges next, so voids and sign-ups use them.")
        return redirect("homes:property", pk=home.pk)
    return _form_page(request, form, section="Homes", title="Add a home", back=reverse("homes:index"))


@permission_required("tenancies.change_property", raise_exception=True)
def property_change(request, pk):
    home = get_object_or_404(Property, pk=pk)
    form = PropertyForm(request.POST or None, initial=initial_for_property(home), home=home)
    return _change_page(
        request,
        form,
        lambda: property_update(by=request.user, property=home, **form.service_values()),
        what="The home's details",
        section="Homes",
        title="Change the home's details",
        caption=str(home),
        back=reverse("homes:property", args=[home.pk]),
    )


@permission_required("tenancies.add_propertycharge", raise_exception=True)
def property_charges(request, pk):
    home = get_object_or_404(Property, pk=pk)
    today = timezone.localdate()
    current = {c.charge_type: (c.amount, c.counts_as_rent) for c in charges_in_effect(list(home.charges.all()), today)}
    form = ChargesForm(request.POST or None, current=current, initial={"effective_from": today})
    saved, changed = _saved(
        request,
        form,
        lambda: property_charges_set(
            by=request.user,
            property=home,
            effective_from=form.cleaned_data["effective_from"],
            charges=form.charge_specs(),
        ),
    )
    if saved:
        effective_from = form.cleaned_data["effective_from"]
        if changed:
            total = format_money(sum((spec.amount for spec in form.charge_specs()), ZERO))
            messages.success(
                request,
                f"Charges set from {effective_from:%-d %B %Y}: {total} a week. The charges before then end on the day "
                "before. New tenancies of this home are offered these charges at sign-up; a current tenancy's own "
                "charges are changed from the tenancy's page.",
            )
        else:
            messages.info(
                request, f"Nothing was changed: those charges were already in effect on {effective_from:%-d %B %Y}."
            )
        return redirect("homes:property", pk=home.pk)
    return _form_page(
        request,
        form,
        section="Homes",
        title="Set the home's weekly charges",
        caption=str(home),
        back=reverse("homes:property", args=[home.pk]),
        intro="Enter every weekly charge that applies from the date, not only the ones that change: a charge left "
        "blank stops then. The charges in effect now are filled in.",
    )
