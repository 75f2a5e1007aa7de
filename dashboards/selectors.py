"""Reads for the dashboard, from the weekly snapshots only (no ledger aggregation on a page view), and the drill-down
behind a figure."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from rentaccounts.models import Account

from .kpis import KPIS, LOWER_IS_BETTER, Kpi
from .measures import account_facts
from .models import KpiSnapshot, KpiTarget

AMBER_BAND = Decimal("0.05")  # within 5% of the target (relative) is "close"


@dataclass
class Tile:
    kpi: Kpi
    value: Decimal | None
    target: Decimal | None
    status: str  # on_target, close, off_target, no_target
    previous: Decimal | None

    @property
    def status_text(self) -> str:
        return {"on_target": "On target", "close": "Close to target", "off_target": "Off target",
                "no_target": "No target"}[self.status]  # fmt: skip

    @property
    def colour(self) -> str:
        return {"on_target": "green", "close": "yellow", "off_target": "red", "no_target": "grey"}[self.status]


def rag(kpi: Kpi, value: Decimal, target: Decimal | None) -> str:
    """Red, amber or green against the target, by the KPI's better direction."""
    if target is None or kpi.better is None:
        return "no_target"
    gap = (value - target) if kpi.better == LOWER_IS_BETTER else (target - value)
    if gap <= 0:
        return "on_target"
    scale = abs(target) or Decimal(1)
    return "close" if gap / scale <= AMBER_BAND else "off_target"


def targets() -> dict[str, Decimal | None]:
    saved = dict(KpiTarget.objects.values_list("kpi", "target"))
    return {kpi.key: saved.get(kpi.key, kpi.default_target) for kpi in KPIS}


def latest_week() -> date | None:
    return KpiSnapshot.objects.order_by("-week_ending").values_list("week_ending", flat=True).first()


def tiles(week_ending: date) -> list[Tile]:
    rows = dict(KpiSnapshot.objects.filter(week_ending=week_ending, dimension="all").values_list("kpi", "value"))
    previous_week = (
        KpiSnapshot.objects.filter(week_ending__lt=week_ending)
        .order_by("-week_ending")
        .values_list("week_ending", flat=True)
        .first()
    )
    previous = (
        dict(KpiSnapshot.objects.filter(week_ending=previous_week, dimension="all").values_list("kpi", "value"))
        if previous_week
        else {}
    )
    goal = targets()
    return [
        Tile(
            kpi=kpi,
            value=rows.get(kpi.key),
            target=goal[kpi.key],
            status=rag(kpi, rows[kpi.key], goal[kpi.key]) if kpi.key in rows else "no_target",
            previous=previous.get(kpi.key),
        )
        for kpi in KPIS
    ]


def trend(kpi: str, weeks: int, until: date) -> list[tuple[date, Decimal]]:
    rows = list(
        KpiSnapshot.objects.filter(kpi=kpi, dimension="all", week_ending__lte=until)
        .order_by("-week_ending")
        .values_list("week_ending", "value")[:weeks]
    )
    return list(reversed(rows))


def breakdown(kpi: str, dimension: str, week_ending: date) -> list[KpiSnapshot]:
    return list(KpiSnapshot.objects.filter(week_ending=week_ending, kpi=kpi, dimension=dimension).order_by("group"))


# Which accounts stand behind a figure: a test on one account's facts, for the KPIs that are about accounts.
DRILL = {
    "current_arrears_pct": lambda f: f.current and f.arrears > 0,
    "current_arrears_net_pct": lambda f: f.current and f.arrears > f.technical_arrears,
    "average_arrears": lambda f: f.current and f.arrears > 0,
    "former_arrears_pct": lambda f: not f.current and f.arrears > 0,
    "write_offs_pct": lambda f: f.written_off_this_year != 0,
    "collection_pct": lambda f: f.due_this_year > 0 and f.received_this_year < f.due_this_year,
    "direct_debit_pct": lambda f: f.current and not f.direct_debit,
    "over_7_weeks_pct": lambda f: f.current and f.weekly_rent > 0 and f.balance > 7 * f.weekly_rent,
    "uc_tenants": lambda f: f.current and f.on_uc,
    "uc_average_arrears": lambda f: f.current and f.on_uc and f.arrears > 0,
    "uc_with_apa": lambda f: f.current and f.on_uc and f.uc_apa,
}
DRILL_MEANING = {
    "collection_pct": "accounts that received less than was due this year",
    "direct_debit_pct": "current tenancies not paying by direct debit",
    "write_offs_pct": "accounts with write-offs this year",
}


def drill_down(kpi: str, week_ending: date, dimension: str = "all", group: str = "All"):
    """The accounts behind a figure, largest arrears first."""
    if kpi not in DRILL:
        raise KeyError(kpi)
    rows = [
        fact
        for fact in account_facts(week_ending)
        if DRILL[kpi](fact) and (dimension == "all" or fact.groups.get(dimension) == group)
    ]
    references = dict(
        Account.objects.filter(pk__in=[fact.account_id for fact in rows]).values_list(
            "id", "tenancy__payment_reference"
        )
    )
    rows.sort(key=lambda fact: fact.balance, reverse=True)
    return [(references[fact.account_id], fact) for fact in rows]
