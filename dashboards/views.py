"""The manager dashboard: headline tiles against target (with text, not colour alone), a KPI's trend over 13 or 52
weeks (Chart.js, with the same figures in a table), its breakdowns, the drill-down to the accounts behind a figure, CSV
exports of every table, and targets. Everything but the drill-down reads the weekly snapshots."""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from incomeapp.csvsafe import SafeCsvWriter
from incomeapp.forms import GdsFormMixin
from incomeapp.refusals import refusal_shown
from incomeapp.replica import reads_from_replica
from tenancies.scoping import is_scoped, payment_references_visible, scoped
from tenancies.selectors_homes import financial_year_to_date

from .followthrough import cases_outside_policy, follow_through, groups_outside_target
from .kpis import BY_KEY, KPIS
from .measures import DIMENSIONS
from .selectors import (
    DRILL,
    DRILL_MEANING,
    REBUILD_PERMISSION,
    breakdown,
    case_ids_by_account,
    drill_down,
    kpi_rebuild_get,
    kpi_rebuild_running,
    latest_week,
    officer_names,
    quarter_ends,
    quarterly_return_rows,
    snapshot_freshness,
    tiles,
    trend,
    voids_of_week,
)
from .services import kpi_rebuild_request, kpi_target_set, last_sunday

DIMENSION_LABELS = {
    "scheme": "Scheme",
    "patch": "Patch",
    "officer": "Officer",
    "tenure": "Tenure",
    "payment_method": "Payment method",
}


# What the snapshot's officer breakdown calls accounts with no officer, as the drill-down says it.
OFFICER_GROUP_WORDS = {"No case": "No case at the week's end", "Unassigned": "No officer assigned"}


class TargetForm(GdsFormMixin, forms.Form):
    submit_label = "Save the target"

    kpi = forms.ChoiceField(label="KPI", choices=[(kpi.key, kpi.name) for kpi in KPIS if kpi.better])
    target = forms.DecimalField(
        label="Target",
        max_digits=12,
        decimal_places=2,
        min_value=0,
        help_text="A number of 0 or more: pounds, a percentage or weeks, as the KPI is measured.",
        error_messages={
            "required": "Enter the target",
            "invalid": "Enter the target as a number, like 95 or 1250.50",
            "min_value": "Enter a target of 0 or more",
        },
    )


def _freshness(request) -> dict:
    """What every snapshot page says about its figures: the week, when they were built, whether the latest arrears
    review ran since (with "Rebuild now" for managers), and a rebuild under way."""
    return {
        "freshness": snapshot_freshness(),
        "rebuild": kpi_rebuild_running(),
        "can_rebuild": request.user.has_perm(REBUILD_PERMISSION),
        "rebuild_week": last_sunday(),
    }


def _quarter(request, week: date | None) -> tuple[list[date], date]:
    ends = quarter_ends(until=timezone.localdate())
    try:
        chosen = date.fromisoformat(request.GET.get("quarter_end", ""))
    except ValueError:
        chosen = None
    if chosen not in ends:
        chosen = next((end for end in ends if week is None or end <= week), ends[0])
    return ends, chosen


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
@reads_from_replica
def index(request):
    week = latest_week()
    kpi, weeks, dimension = _choices(request)
    ends, quarter_end = _quarter(request, week)
    context = {
        **_freshness(request),
        "week": week,
        "quarter_ends": ends,
        "quarter_end": quarter_end,
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
        rows = breakdown(kpi, dimension, week)
        names = officer_names(row.group for row in rows) if dimension == "officer" else {}
        for row in rows:
            row.label = names.get(row.group, row.group)
        context |= {
            "quarterly": quarterly_return_rows(quarter_end),
            "tiles": tiles(week),
            "trend": points,
            "chart": {
                "name": BY_KEY[kpi].name,
                "labels": [f"{day.day} {day:%b %Y}" for day, _ in points],
                "values": [str(v) for _, v in points],
            },
            "breakdown": rows,
        }
    return render(request, "dashboards/index.html", context)


@permission_required("incomeapp.use_dashboards", raise_exception=True)
@reads_from_replica
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
    shown = list(rows[:500])
    names = officer_names(row.officer for row in shown)
    cases = case_ids_by_account(row.account_id for row in shown)
    for row in shown:
        row.officer_name = OFFICER_GROUP_WORDS.get(row.officer) or names.get(row.officer, row.officer)
        row.case_url = _case_url(row.payment_reference, cases.get(row.account_id))
    group_label = officer_names([group]).get(group, group) if dimension == "officer" else group
    context = {**_freshness(request), "kpi": BY_KEY[kpi], "week": week, "rows": shown, "total": rows.count(),
               "dimension": dimension, "group": group_label, "meaning": DRILL_MEANING.get(kpi),
               "query": request.GET.urlencode(), "scoped": is_scoped(request.user)}  # fmt: skip
    return render(request, "dashboards/drill.html", context)


def _case_url(payment_reference: str, case_id: int | None) -> str | None:
    """The row's arrears case (through the arrears app's tenancy-to-case link), or None when it never had one."""
    return reverse("arrears:tenancy_case", args=[payment_reference]) if case_id else None


@permission_required("incomeapp.use_dashboards", raise_exception=True)
@reads_from_replica
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
    """A KPI's target: the form sits on the dashboard and on this page, which shows it again with its errors."""
    form = TargetForm(request.POST or None, initial={"kpi": request.GET.get("kpi")})
    if request.method == "POST" and form.is_valid():
        kpi = form.cleaned_data["kpi"]
        try:
            kpi_target_set(kpi=kpi, target=form.cleaned_data["target"], set_by=request.user)
        except ValidationError as error:
            form.add_error("target", error.messages[0])
        else:
            messages.success(request, f"Target for {BY_KEY[kpi].name} saved.")
            return redirect("dashboards:index")
    return render(request, "dashboards/target.html", {"form": form})


def _csv(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = SafeCsvWriter(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([value.isoformat() if isinstance(value, date) else value for value in row])
    return response


@permission_required("incomeapp.use_dashboards", raise_exception=True)
@reads_from_replica
def officers(request):
    """Officer follow-through: recommended person steps done within 5 working days, overdue, pauses, breaches."""
    rows = follow_through(timezone.localdate())
    names = officer_names(row.officer for row in rows)
    if request.GET.get("format") == "csv":
        return _csv(
            "officer-follow-through.csv",
            ["officer", "steps_recommended", "done_within_5_working_days", "done_pct", "overdue",
             "pauses_under_4_weeks", "pauses_4_to_8_weeks", "pauses_over_8_weeks", "breached_not_contacted"],
            [[r.officer, r.asked, r.done_in_time, r.done_pct, r.overdue, r.pauses["under 4 weeks"],
              r.pauses["4 to 8 weeks"], r.pauses["over 8 weeks"], r.breached_not_contacted] for r in rows],
        )  # fmt: skip
    for row in rows:
        row.officer_name = names.get(row.officer, row.officer)
    return render(request, "dashboards/officers.html", {"rows": rows, "worked_out_at": timezone.now()})


@permission_required("incomeapp.use_dashboards", raise_exception=True)
@reads_from_replica
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
    names = officer_names([o.group for o in off if o.dimension == "officer"] + [c["officer"] for c in cases])
    by_name = {kpi.name: kpi for kpi in KPIS}
    for row in off:
        row.label = names.get(row.group, row.group) if row.dimension == "officer" else row.group
        row.kpi_def = by_name.get(row.kpi)
    for case in cases:
        case["officer_name"] = names.get(case["officer"], case["officer"])
    return render(
        request, "dashboards/exceptions.html", {**_freshness(request), "week": week, "off": off, "cases": cases}
    )


@require_POST
@permission_required("incomeapp.use_dashboards", raise_exception=True)
def rebuild(request):
    """ "Rebuild now": the weekly snapshot task, on the worker; the dashboard shows it running, then the new figures."""
    if not request.user.has_perm(REBUILD_PERMISSION):
        raise PermissionDenied("Only Income Managers can rebuild the dashboard figures.")
    with refusal_shown(request):
        started = kpi_rebuild_request(requested_by=request.user)
        messages.success(
            request,
            f"Rebuilding the figures for the week ending {started.week_ending:%-d %B %Y} has started. This page shows "
            "the new figures when it is done (about a minute on a large estate).",
        )
    return redirect("dashboards:index")


@permission_required("incomeapp.use_dashboards", raise_exception=True)
def rebuild_status(request, pk):
    """What htmx polls while a rebuild runs: the same banner while it runs; when it is done, a message and a reload
    (HX-Refresh) so the page shows the new figures."""
    rebuild = kpi_rebuild_get(pk)
    if rebuild is None:
        raise Http404("No such rebuild.")
    response = render(request, "dashboards/includes/rebuild_status.html", {"rebuild": rebuild})
    if not rebuild.running and request.headers.get("HX-Request"):
        if rebuild.error:
            messages.error(request, "Rebuilding the figures failed; the figures shown are the ones from before. Try "
                           "again, or tell your system administrator if it fails again.")  # fmt: skip
        else:
            messages.success(request, f"The figures for the week ending {rebuild.week_ending:%-d %B %Y} were rebuilt.")
        response["HX-Refresh"] = "true"
    return response


@permission_required("incomeapp.use_dashboards", raise_exception=True)
@reads_from_replica
def quarterly_return(request):
    """The registered provider's quarterly figures (arrears, collection, former tenant arrears, write-offs) as CSV,
    computed from the ledger at the quarter's end."""
    try:
        quarter_end = date.fromisoformat(request.GET.get("quarter_end", ""))
    except ValueError:
        messages.error(request, "Choose the quarter from the list under the headline figures.")
        return redirect("dashboards:index")
    rows = [
        [quarter_end, row.kpi.name, row.percent, row.amount, row.denominator, row.kpi.formula]
        for row in quarterly_return_rows(quarter_end)
    ]
    return _csv(
        f"quarterly-return-{quarter_end}.csv",
        ["quarter_end", "measure", "percent", "amount", "denominator", "formula"],
        rows,
    )
