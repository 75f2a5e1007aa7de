"""Reads for the dashboard, from the weekly snapshots only (no ledger aggregation on a page view), and the drill-down
behind a figure."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import F, Q

from .kpis import KPIS, LOWER_IS_BETTER, Kpi
from .models import KpiAccountWeek, KpiSnapshot, KpiTarget

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


# Which accounts stand behind a figure, as a filter on the week's stored account rows (KpiAccountWeek).
DRILL = {
    "current_arrears_pct": Q(current=True, balance__gt=0),
    "current_arrears_net_pct": Q(current=True, balance__gt=F("technical_arrears")),
    "average_arrears": Q(current=True, balance__gt=0),
    "former_arrears_pct": Q(current=False, balance__gt=0),
    "write_offs_pct": ~Q(written_off_this_year=0),
    "collection_pct": Q(due_this_year__gt=0, received_this_year__lt=F("due_this_year")),
    "direct_debit_pct": Q(current=True, direct_debit=False),
    "over_7_weeks_pct": Q(current=True, weekly_rent__gt=0, balance__gt=F("weekly_rent") * 7),
    "uc_tenants": Q(current=True, on_uc=True),
    "uc_average_arrears": Q(current=True, on_uc=True, balance__gt=0),
    "uc_with_apa": Q(current=True, on_uc=True, uc_apa=True),
}
DRILL_MEANING = {
    "collection_pct": "accounts that received less than was due this year",
    "direct_debit_pct": "current tenancies not paying by direct debit",
    "write_offs_pct": "accounts with write-offs this year",
}


def drill_down(kpi: str, week_ending: date, dimension: str = "all", group: str = "All"):
    """The accounts behind a figure for the week, largest balance first (a query on the week's stored rows)."""
    rows = KpiAccountWeek.objects.filter(DRILL[kpi], week_ending=week_ending)
    if dimension != "all":
        rows = rows.filter(**{dimension: group})
    return rows.order_by("-balance", "payment_reference")


def voids_of_week(week_ending: date | None) -> dict | None:
    """The void figures kept with the week's snapshot (None before any snapshot, or one taken before they were kept)."""
    if week_ending is None:
        return None
    rows = dict(
        KpiSnapshot.objects.filter(
            week_ending=week_ending, dimension="all", kpi__in=("void_homes_now", "void_days", "void_rent_loss")
        ).values_list("kpi", "value")
    )
    if len(rows) < 3:
        return None
    return {
        "void_now": int(rows["void_homes_now"]),
        "void_days": int(rows["void_days"]),
        "loss": rows["void_rent_loss"],
    }
