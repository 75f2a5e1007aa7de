"""Homes pages for schemes: the schemes list, a scheme's page, adding and changing a scheme, and its rent-free weeks."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone

from tenancies.forms_homes import RentFreeWeeksForm, SchemeForm
from tenancies.history import history_entries
from tenancies.models import Scheme
from tenancies.selectors_homes import (
    financial_year_to_date,
    rent_year_end,
    rent_year_start,
    rent_year_weeks,
    schemes_with_counts,
    void_figures_by_scheme,
    void_figures_total,
    voids_now,
)
from tenancies.services_homes import scheme_create, scheme_rent_free_weeks_set, scheme_update

from .pages import VIEW, _change_page, _form_page, _render, _saved


@permission_required(VIEW, raise_exception=True)
def schemes(request):
    figures = void_figures_by_scheme()
    rows = list(schemes_with_counts().order_by("retired_on", "name"))
    for scheme in rows:
        scheme.voids = figures.get(scheme.pk)
    year_start, _ = financial_year_to_date()
    context = {"schemes": rows, "year_start": year_start, "can_add": request.user.has_perm("tenancies.add_scheme")}
    return _render(request, "schemes.html", "Schemes", context)


def _year_label(start: date) -> str:
    """A rent year by its start, as the schemes pages write it: 2026/27."""
    return f"{start.year}/{str(start.year + 1)[2:]}"


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
                "label": _year_label(start),
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
    saved, scheme = _saved(request, form, lambda: scheme_create(by=request.user, **form.cleaned_data))
    if saved:
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
    return _change_page(
        request,
        form,
        lambda: scheme_update(by=request.user, scheme=scheme, **form.cleaned_data),
        what="The scheme's details",
        section="Schemes",
        title="Change the scheme",
        caption=str(scheme),
        back=reverse("homes:scheme", args=[scheme.pk]),
    )


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
    saved, changed = _saved(
        request,
        form,
        lambda: scheme_rent_free_weeks_set(by=request.user, scheme=scheme, year_starting=start, weeks=form.weeks()),
    )
    total = rent_year_weeks(start)
    if saved:
        label = _year_label(start)
        if changed:
            rent_free = len(set(form.weeks()))
            messages.success(
                request,
                f"Rent-free weeks for {label} saved: {rent_free} rent-free, so {total - rent_free} rent weeks of "
                f"{total}. The weekly rent run follows them.",
            )
        else:
            messages.info(request, f"Nothing was changed: {label} already had those rent-free weeks.")
        return redirect("homes:scheme", pk=scheme.pk)
    return _form_page(
        request,
        form,
        section="Schemes",
        title=f"Rent-free weeks {_year_label(start)}",
        caption=str(scheme),
        back=reverse("homes:scheme", args=[scheme.pk]),
        intro=f"The rent year runs from Monday {start:%-d %B %Y} to Sunday {end:%-d %B %Y}: {total} weeks. Enter the "
        f"Monday of each week in which no rent is charged (for example the two weeks over Christmas). Leave the rest "
        f"blank. Weeks that have already been charged cannot be changed.",
    )
