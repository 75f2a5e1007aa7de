"""Homes (namespace `homes`): homes, schemes and their rent-free weeks, patches, providers, and voids. Thin views: the
services (`services_homes`) decide and check; the selectors (`selectors_homes`) read. The area is the managers' (the
permission of its navigation item, `tenancies.change_property`); each change also needs its own permission."""

from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from incomeapp.money import ZERO, format_money
from incomeapp.navigation import homes_sections

from .constants import ChargeType
from .forms_homes import (
    ChargesForm,
    HomeSearchForm,
    PatchForm,
    PropertyForm,
    ProviderForm,
    RentFreeWeeksForm,
    RetireForm,
    SchemeForm,
    VoidsFilterForm,
    initial_for_property,
)
from .history import history_entries
from .models import Patch, Property, Provider, Scheme
from .scoping import home_visible, scoped_homes
from .selectors import charges_in_effect
from .selectors_homes import (
    financial_year_to_date,
    property_detail,
    property_search,
    property_tenancies,
    property_voids,
    rent_year_end,
    rent_year_start,
    rent_year_weeks,
    schemes_with_counts,
    void_figures_by_scheme,
    void_figures_total,
    voids_now,
)
from .services_homes import (
    patch_create,
    patch_retire,
    patch_update,
    property_charges_set,
    property_create,
    property_retire,
    property_update,
    provider_create,
    provider_retire,
    provider_update,
    scheme_create,
    scheme_rent_free_weeks_set,
    scheme_retire,
    scheme_update,
)

VIEW = "tenancies.change_property"  # the Homes navigation item's permission: the area is the managers'


def _render(request, template: str, section: str, context: dict):
    """Renders a Homes page with its sub-navigation, `section` marked as the current one."""
    context["sections"] = homes_sections(request.user, section)
    return render(request, f"tenancies/homes/{template}", context)


def _form_page(request, form, *, section: str, title: str, back: str, caption: str = "", intro: str = "", **extra):
    context = {"form": form, "title": title, "back": back, "caption": caption, "intro": intro, **extra}
    return _render(request, "form.html", section, context)


def _refused(form, error: ValidationError | PermissionDenied) -> None:
    if isinstance(error, PermissionDenied):
        raise error
    form.add_service_errors(error)


def _changed_or_not(request, changed: bool, what: str) -> None:
    if changed:
        messages.success(request, f"{what} saved.")
    else:
        messages.info(request, f"Nothing was changed: {what[:1].lower() + what[1:]} already had those details.")


# --- homes ---------------------------------------------------------------------------------------------------------


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
    if request.method == "POST" and form.is_valid():
        try:
            home = property_create(by=request.user, **form.service_values())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, f"Home added: {home}. Set its weekly charges next, so voids and sign-ups use them."
            )
            return redirect("homes:property", pk=home.pk)
    return _form_page(request, form, section="Homes", title="Add a home", back=reverse("homes:index"))


@permission_required("tenancies.change_property", raise_exception=True)
def property_change(request, pk):
    home = get_object_or_404(Property, pk=pk)
    form = PropertyForm(request.POST or None, initial=initial_for_property(home), home=home)
    form.helper.inputs[0].value = "Save changes"
    if request.method == "POST" and form.is_valid():
        try:
            changed = property_update(by=request.user, property=home, **form.service_values())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            _changed_or_not(request, changed, "The home's details")
            return redirect("homes:property", pk=home.pk)
    back = reverse("homes:property", args=[home.pk])
    return _form_page(request, form, section="Homes", title="Change the home's details", caption=str(home), back=back)


@permission_required("tenancies.add_propertycharge", raise_exception=True)
def property_charges(request, pk):
    home = get_object_or_404(Property, pk=pk)
    today = timezone.localdate()
    current = {c.charge_type: (c.amount, c.counts_as_rent) for c in charges_in_effect(list(home.charges.all()), today)}
    form = ChargesForm(request.POST or None, current=current, initial={"effective_from": today})
    if request.method == "POST" and form.is_valid():
        specs = form.charge_specs()
        effective_from = form.cleaned_data["effective_from"]
        try:
            changed = property_charges_set(by=request.user, property=home, effective_from=effective_from, charges=specs)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if changed:
                total = format_money(sum((spec.amount for spec in specs), ZERO))
                messages.success(
                    request,
                    f"Charges set from {effective_from:%d/%m/%Y}: {total} a week. The charges before then end on "
                    "the day before. New tenancies of this home are offered these charges at sign-up; a current "
                    "tenancy's own charges are changed from the tenancy's page.",
                )
            else:
                messages.info(
                    request, f"Nothing was changed: those charges were already in effect on {effective_from:%d/%m/%Y}."
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


# --- retiring (homes, schemes, patches, providers) -----------------------------------------------------------------

RETIRING = {
    "property": (Property, property_retire, property_update, "tenancies.change_property", "Homes", "home"),
    "scheme": (Scheme, scheme_retire, scheme_update, "tenancies.change_scheme", "Schemes", "scheme"),
    "patch": (Patch, patch_retire, patch_update, "tenancies.change_patch", "Patches", "patch"),
    "provider": (Provider, provider_retire, provider_update, "tenancies.change_provider", "Providers", "provider"),
}


def _retire_back(kind: str, obj) -> str:
    if kind == "property":
        return reverse("homes:property", args=[obj.pk])
    if kind == "scheme":
        return reverse("homes:scheme", args=[obj.pk])
    return reverse(f"homes:{'patches' if kind == 'patch' else 'providers'}")


def retire(request, kind, pk):
    """Retire a home, scheme, patch or provider from a date, or bring a retired one back into use. Never deleted."""
    model, retire_service, update_service, permission, section, noun = RETIRING[kind]
    if not request.user.has_perm(permission):
        raise PermissionDenied
    obj = get_object_or_404(model, pk=pk)
    back = _retire_back(kind, obj)
    if obj.retired_on is not None:
        if request.method == "POST":
            update_service(by=request.user, **{kind: obj}, retired_on=None)
            messages.success(request, f"{obj} is back in use: it is offered again for new work.")
            return redirect(back)
        context = {"obj": obj, "noun": noun, "back": back}
        return _render(request, "restore.html", section, context)
    form = RetireForm(request.POST or None, initial={"on": timezone.localdate()})
    form.helper.inputs[0].value = f"Retire this {noun}"
    if request.method == "POST" and form.is_valid():
        on = form.cleaned_data["on"]
        try:
            retire_service(by=request.user, **{kind: obj}, on=on)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"{obj} is retired from {on:%d/%m/%Y}. It is kept, with its history, and no longer offered for new "
                "work.",
            )
            return redirect(back)
    intro = {
        "property": "A retired home is kept, with its tenancies and history, but is not offered for sign-ups and stops "
        "counting as void. A home with a current tenancy cannot be retired.",
        "scheme": "A retired scheme is kept with its history but is not offered for new homes. Retire or move its "
        "homes first.",
        "patch": "A retired patch is kept with its history but is not offered for homes. Move its homes first.",
        "provider": "A retired provider is kept with its history but is not offered for new schemes. Retire or move "
        "its schemes first.",
    }[kind]
    return _form_page(
        request, form, section=section, title=f"Retire this {noun}", caption=str(obj), back=back, intro=intro
    )


# --- schemes -------------------------------------------------------------------------------------------------------


@permission_required(VIEW, raise_exception=True)
def schemes(request):
    figures = void_figures_by_scheme()
    rows = list(schemes_with_counts().order_by("retired_on", "name"))
    for scheme in rows:
        scheme.voids = figures.get(scheme.pk)
    year_start, _ = financial_year_to_date()
    context = {"schemes": rows, "year_start": year_start, "can_add": request.user.has_perm("tenancies.add_scheme")}
    return _render(request, "schemes.html", "Schemes", context)


def _rent_years(scheme: Scheme, today: date) -> list[dict]:
    """Last, this and next rent year, with each one's rent-free weeks and count of rent weeks."""
    this_year = rent_year_start(today)
    starts = [rent_year_start(this_year - timedelta(days=1)), this_year, rent_year_end(this_year) + timedelta(days=1)]
    weeks = list(scheme.rent_free_weeks.filter(week_commencing__range=(starts[0], rent_year_end(starts[-1]))))
    years = []
    for start in starts:
        end = rent_year_end(start)
        free = [w.week_commencing for w in weeks if start <= w.week_commencing <= end]
        total = rent_year_weeks(start)
        years.append(
            {
                "start": start,
                "end": end,
                "label": f"{start.year}/{str(start.year + 1)[2:]}",
                "weeks": total,
                "rent_free": free,
                "rent_weeks": total - len(free),
                "current": start == this_year,
            }
        )
    return years


@permission_required(VIEW, raise_exception=True)
def scheme_page(request, pk):
    scheme = get_object_or_404(Scheme.objects.select_related("provider"), pk=pk)
    today = timezone.localdate()
    year_start, _ = financial_year_to_date(today)
    context = {
        "scheme": scheme,
        "homes_in_use": scheme.properties.filter(retired_on__isnull=True).count(),
        "figures": void_figures_total(scheme=scheme, start=year_start, end=today),
        "void_now": voids_now(on=today, scheme=scheme)[:10],
        "year_start": year_start,
        "rent_years": _rent_years(scheme, today),
        "can_change": request.user.has_perm("tenancies.change_scheme"),
        "history_entries": history_entries(obj=scheme, viewer=request.user, limit=20),
    }
    return _render(request, "scheme.html", "Schemes", context)


@permission_required("tenancies.add_scheme", raise_exception=True)
def scheme_add(request):
    form = SchemeForm(request.POST or None)
    form.helper.inputs[0].value = "Add scheme"
    if request.method == "POST" and form.is_valid():
        try:
            scheme = scheme_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Scheme added: {scheme.name} ({scheme.code}). Set its rent-free weeks below.")
            return redirect("homes:scheme", pk=scheme.pk)
    return _form_page(request, form, section="Schemes", title="Add a scheme", back=reverse("homes:schemes"))


@permission_required("tenancies.change_scheme", raise_exception=True)
def scheme_change(request, pk):
    scheme = get_object_or_404(Scheme, pk=pk)
    initial = {
        "code": scheme.code,
        "name": scheme.name,
        "scheme_type": scheme.scheme_type,
        "provider": scheme.provider_id,
    }
    form = SchemeForm(request.POST or None, initial=initial, current_provider=scheme.provider_id)
    form.helper.inputs[0].value = "Save changes"
    if request.method == "POST" and form.is_valid():
        try:
            changed = scheme_update(by=request.user, scheme=scheme, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            _changed_or_not(request, changed, "The scheme's details")
            return redirect("homes:scheme", pk=scheme.pk)
    back = reverse("homes:scheme", args=[scheme.pk])
    return _form_page(request, form, section="Schemes", title="Change the scheme", caption=str(scheme), back=back)


@permission_required("tenancies.change_scheme", raise_exception=True)
def scheme_rent_free_weeks(request, pk, year):
    scheme = get_object_or_404(Scheme, pk=pk)
    if not 2000 <= year <= 2100:
        raise Http404("No such rent year.")
    start = rent_year_start(date(year, 6, 1))
    end = rent_year_end(start)
    current = list(
        scheme.rent_free_weeks.filter(week_commencing__range=(start, end)).values_list("week_commencing", flat=True)
    )
    form = RentFreeWeeksForm(request.POST or None, weeks=current)
    if request.method == "POST" and form.is_valid():
        weeks = form.weeks()
        try:
            changed = scheme_rent_free_weeks_set(by=request.user, scheme=scheme, year_starting=start, weeks=weeks)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            total = rent_year_weeks(start)
            label = f"{start.year}/{str(start.year + 1)[2:]}"
            if changed:
                messages.success(
                    request,
                    f"Rent-free weeks for {label} saved: {len(set(weeks))} rent-free, so {total - len(set(weeks))} "
                    f"rent weeks of {total}. The weekly rent run follows them.",
                )
            else:
                messages.info(request, f"Nothing was changed: {label} already had those rent-free weeks.")
            return redirect("homes:scheme", pk=scheme.pk)
    total = rent_year_weeks(start)
    return _form_page(
        request,
        form,
        section="Schemes",
        title=f"Rent-free weeks {start.year}/{str(start.year + 1)[2:]}",
        caption=str(scheme),
        back=reverse("homes:scheme", args=[scheme.pk]),
        intro=f"The rent year runs from Monday {start:%-d %B %Y} to Sunday {end:%-d %B %Y}: {total} weeks. Enter the "
        f"Monday of each week in which no rent is charged (for example the two weeks over Christmas). Leave the rest "
        f"blank. Weeks that have already been charged cannot be changed.",
    )


# --- patches and providers -----------------------------------------------------------------------------------------


@permission_required(VIEW, raise_exception=True)
def patches(request):
    rows = Patch.objects.select_related("officer").annotate(
        homes=Count("properties", filter=Q(properties__retired_on__isnull=True))
    )
    context = {
        "patches": rows.order_by("retired_on", "name"),
        "can_add": request.user.has_perm("tenancies.add_patch"),
        "can_change": request.user.has_perm("tenancies.change_patch"),
    }
    return _render(request, "patches.html", "Patches", context)


@permission_required("tenancies.add_patch", raise_exception=True)
def patch_add(request):
    form = PatchForm(request.POST or None)
    form.helper.inputs[0].value = "Add patch"
    if request.method == "POST" and form.is_valid():
        try:
            patch = patch_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            who = f", worked by {patch.officer}" if patch.officer else " with no officer yet"
            messages.success(request, f"Patch added: {patch.name}{who}. Choose it on each home in the patch.")
            return redirect("homes:patches")
    return _form_page(request, form, section="Patches", title="Add a patch", back=reverse("homes:patches"))


@permission_required("tenancies.change_patch", raise_exception=True)
def patch_change(request, pk):
    patch = get_object_or_404(Patch, pk=pk)
    form = PatchForm(request.POST or None, initial={"name": patch.name, "officer": patch.officer_id})
    form.helper.inputs[0].value = "Save changes"
    if request.method == "POST" and form.is_valid():
        try:
            changed = patch_update(by=request.user, patch=patch, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            _changed_or_not(request, changed, "The patch")
            return redirect("homes:patches")
    back = reverse("homes:patches")
    return _form_page(request, form, section="Patches", title="Change the patch", caption=str(patch), back=back)


@permission_required(VIEW, raise_exception=True)
def providers(request):
    rows = Provider.objects.annotate(schemes_in_use=Count("schemes", filter=Q(schemes__retired_on__isnull=True)))
    context = {
        "providers": rows.order_by("retired_on", "name"),
        "can_add": request.user.has_perm("tenancies.add_provider"),
        "can_change": request.user.has_perm("tenancies.change_provider"),
    }
    return _render(request, "providers.html", "Providers", context)


def _provider_initial(provider: Provider) -> dict:
    fields = ("name", "landlord_type", "jurisdiction", "address", "phone", "email")
    return {name: getattr(provider, name) for name in fields}


@permission_required("tenancies.add_provider", raise_exception=True)
def provider_add(request):
    form = ProviderForm(request.POST or None)
    form.helper.inputs[0].value = "Add provider"
    if request.method == "POST" and form.is_valid():
        try:
            provider = provider_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Provider added: {provider.name}. Add its schemes next.")
            return redirect("homes:providers")
    return _form_page(request, form, section="Providers", title="Add a provider", back=reverse("homes:providers"))


@permission_required("tenancies.change_provider", raise_exception=True)
def provider_change(request, pk):
    provider = get_object_or_404(Provider, pk=pk)
    form = ProviderForm(request.POST or None, initial=_provider_initial(provider))
    form.helper.inputs[0].value = "Save changes"
    if request.method == "POST" and form.is_valid():
        try:
            changed = provider_update(by=request.user, provider=provider, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            _changed_or_not(request, changed, "The provider")
            return redirect("homes:providers")
    back = reverse("homes:providers")
    return _form_page(request, form, section="Providers", title="Change the provider", caption=str(provider), back=back)


# --- voids ---------------------------------------------------------------------------------------------------------

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
