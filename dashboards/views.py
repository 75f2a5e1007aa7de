"""The manager dashboard: headline tiles against target (with text, not colour alone), a KPI's trend over 13 or 52
weeks (Chart.js, with the same figures in a table), its breakdowns, the drill-down to the accounts behind a figure, CSV
exports of every table, and targets. Everything but the drill-down reads the weekly snapshots."""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from incomeapp.csvsafe import SafeCsvWriter
from incomeapp.forms import GdsFormMixin
from tenancies.scoping import is_scoped, payment_references_visible, scoped
from tenancies.selectors_homes import financial_year_to_date

from .followthrough import cases_outside_policy, follow_through, groups_outside_target
from .kpis import BY_KEY, KPIS
from .measures import DIMENSIONS, kpi_measures
from .selectors import DRILL, DRILL_MEANING, breakdown, drill_down, latest_week, tiles, trend, voids_of_week
from .services import kpi_target_set

DIMENSION_LABELS = {
    "scheme": "Scheme",
    "patch": "Patch",
    "officer": "Officer",
    "tenure": "Tenure",
    "payment_method": "Payment method",
}


class TargetForm(GdsFormMixin, forms.Form):
    submit_label = "Save the target"

    kpi = forms.ChoiceField(label="KPI", choices=[(kpi.key, kpi.name) for kpi in KPIS if kpi.better])
    target = forms.DecimalField(label="Target", max_digits=12, decimal_places=2, min_value=0)


def _choices(request):
    kpi = request.GET.get("kpi", "current_arrears_pct")
    if kpi not in BY_KEY:
        raise Http404("No such KPI.")
    weeks = 52 if request.GET.get("weeks") == "52" else 13
    dimension = request.GET.get("by", "scheme")
    if dimension not in DIMENSIONS:
        raise Http404("No such breakdown.")
    return kpi, weeks, dimension


@permission_required("incomeapp.use_dashboards", raise_exception=True)
def index(request):
    week = latest_week()
    kpi, weeks, dimension = _choices(request)
    context = {
        "week": week,
        "kpis": KPIS,
        "dimensions": DIMENSION_LABELS,
        "chosen": BY_KEY[kpi],
        "weeks": weeks,
        "dimension": dimension,
        "dimension_label": DIMENSION_LABELS[dimension],
        "drillable": set(DRILL),
        "target_form": TargetForm(initial={"kpi": kpi}),
        # Voids as at the snapshot's week, kept with it (working them out live costs seconds at 250,000 homes).
        "voids": voids_of_week(week),
        "voids_year_start": financial_year_to_date(week)[0] if week else None,
        # Headline figures cover every landlord; the accounts behind them (drill-downs) are the person's own.
        "scoped": is_scoped(request.user),
    }
    if week is not None:
        points = trend(kpi, weeks, week)
        context |= {
            "tiles": tiles(week),
            "trend": points,
            "chart": {
                "name": BY_KEY[kpi].name,
                "labels": [f"{day:%d/%m/%y}" for day, _ in points],
                "values": [str(v) for _, v in points],
            },
            "breakdown": breakdown(kpi, dimension, week),
        }
    return render(request, "dashboards/index.html", context)


@permission_required("incomeapp.use_dashboards", raise_exception=True)
def drill(request, kpi):
    week = latest_week()
    if kpi not in DRILL or week is None:
        raise Http404("There is nothing to drill into for this figure.")
    dimension = request.GET.get("by", "all")
    group = request.GET.get("group", "All")
    if dimension != "all" and dimension not in DIMENSIONS:
        raise Http404("No such breakdown.")
    rows = scoped(drill_down(kpi, week, dimension, group), request.user, "account__tenancy__")
    if request.GET.get("format") == "csv":
        return _csv(
            f"{kpi}-{week}-accounts.csv",
            ["payment_reference", "current", "balance", "weekly_rent", "weeks_in_arrears", "weeks_basis",
             "technical_arrears", *DIMENSIONS],
            (
                [r.payment_reference, r.current, r.balance, r.weekly_rent, r.weeks_in_arrears, r.weeks_basis,
                 r.technical_arrears,
                 *(getattr(r, d) for d in DIMENSIONS)]
                for r in rows.iterator()
            ),
        )  # fmt: skip
    context = {"kpi": BY_KEY[kpi], "week": week, "rows": rows[:500], "total": rows.count(), "dimension": dimension,
               "group": group, "meaning": DRILL_MEANING.get(kpi), "query": request.GET.urlencode(),
               "scoped": is_scoped(request.user)}  # fmt: skip
    return render(request, "dashboards/drill.html", context)


@permission_required("incomeapp.use_dashboards", raise_exception=True)
def export(request, table):
    """CSV of a dashboard table: the tiles, a KPI's trend, or a breakdown."""
    week = latest_week()
    if week is None:
        raise Http404("There is no snapshot yet.")
    kpi, weeks, dimension = _choices(request)
    if table == "tiles":
        return _csv(
            f"kpis-{week}.csv",
            ["kpi", "name", "value", "unit", "target", "status"],
            [[t.kpi.key, t.kpi.name, t.value, t.kpi.unit, t.target, t.status_text] for t in tiles(week)],
        )
    if table == "trend":
        return _csv(f"{kpi}-trend-{weeks}-weeks.csv", ["week_ending", kpi], trend(kpi, weeks, week))
    if table == "breakdown":
        return _csv(
            f"{kpi}-by-{dimension}-{week}.csv",
            [dimension, "value", "numerator", "denominator"],
            [[row.group, row.value, row.numerator, row.denominator] for row in breakdown(kpi, dimension, week)],
        )
    raise Http404("No such table.")


@permission_required("dashboards.change_kpitarget", raise_exception=True)
def target(request):
    form = TargetForm(request.POST)
    if form.is_valid():
        try:
            kpi_target_set(kpi=form.cleaned_data["kpi"], target=form.cleaned_data["target"], set_by=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"Target for {BY_KEY[form.cleaned_data['kpi']].name} saved.")
    else:
        messages.error(request, "The target was not saved: enter a number of 0 or more.")
    return redirect(f"/dashboards/?kpi={form.data.get('kpi', '')}")


def _csv(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = SafeCsvWriter(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([value.isoformat() if isinstance(value, date) else value for value in row])
    return response


@permission_required("incomeapp.use_dashboards", raise_exception=True)
def officers(request):
    """Officer follow-through: recommended person steps done within 5 working days, overdue, pauses, breaches."""
    rows = follow_through(timezone.localdate())
    if request.GET.get("format") == "csv":
        return _csv(
            "officer-follow-through.csv",
            ["officer", "steps_recommended", "done_within_5_working_days", "done_pct", "overdue",
             "pauses_under_4_weeks", "pauses_4_to_8_weeks", "pauses_over_8_weeks", "breached_not_contacted"],
            [[r.officer, r.asked, r.done_in_time, r.done_pct, r.overdue, r.pauses["under 4 weeks"],
              r.pauses["4 to 8 weeks"], r.pauses["over 8 weeks"], r.breached_not_contacted] for r in rows],
        )  # fmt: skip
    return render(request, "dashboards/officers.html", {"rows": rows})


@permission_required("incomeapp.use_dashboards", raise_exception=True)
def exceptions(request):
    """Schemes and officers outside target this week, and cases outside policy."""
    week = latest_week()
    off = groups_outside_target(week) if week else []
    cases = cases_outside_policy(timezone.localdate())
    if is_scoped(request.user):
        seen = payment_references_visible(request.user, [case["reference"] for case in cases])
        cases = [case for case in cases if case["reference"] in seen]
    table = request.GET.get("format")
    if table == "groups-csv":
        return _csv(
            "outside-target.csv",
            ["breakdown", "group", "kpi", "value", "target"],
            [[o.dimension, o.group, o.kpi, o.value, o.target] for o in off],
        )
    if table == "cases-csv":
        return _csv(
            "cases-outside-policy.csv",
            ["payment_reference", "weeks_in_arrears", "balance", "last_contact", "officer"],
            [[c["reference"], c["weeks"], c["balance"], c["last_contact"] or "", c["officer"]] for c in cases],
        )
    return render(request, "dashboards/exceptions.html", {"week": week, "off": off, "cases": cases})


QUARTERLY_RETURN = ("current_arrears_pct", "current_arrears_net_pct", "collection_pct", "former_arrears_pct",
                    "write_offs_pct")  # fmt: skip


@permission_required("incomeapp.use_dashboards", raise_exception=True)
def quarterly_return(request):
    """The registered provider's quarterly figures (arrears, collection, former tenant arrears, write-offs) as CSV,
    computed from the ledger at the quarter's end."""
    try:
        quarter_end = date.fromisoformat(request.GET.get("quarter_end", ""))
    except ValueError:
        messages.error(request, "Give the quarter's last day, like 2026-09-30.")
        return redirect("dashboards:index")
    measures = kpi_measures(quarter_end)
    rows = []
    for key in QUARTERLY_RETURN:
        measure = measures[key][("all", "All")]
        kpi = BY_KEY[key]
        rows.append([quarter_end, kpi.name, measure.value, measure.numerator / 100, measure.denominator, kpi.formula])
    return _csv(
        f"quarterly-return-{quarter_end}.csv",
        ["quarter_end", "measure", "percent", "amount", "denominator", "formula"],
        rows,
    )
