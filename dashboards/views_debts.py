"""The "Former tenants, write-offs and overpayments" page of the dashboards (issue 16), with a CSV of each table."""

from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from incomeapp.replica import reads_from_replica

from .debts import csv_tables, debt_figures
from .kpis import DEBT_BY_KEY
from .views import _csv


@permission_required("incomeapp.use_dashboards", raise_exception=True)
@reads_from_replica
def debts(request):
    figures = debt_figures(timezone.localdate())
    table = request.GET.get("table")
    if table:
        tables = csv_tables(figures)
        if table not in tables:
            raise Http404("No such table.")
        return _csv(*tables[table])
    return render(
        request,
        "dashboards/debts.html",
        {"figures": figures, "kpi": DEBT_BY_KEY, "worked_out_at": timezone.now()},
    )
