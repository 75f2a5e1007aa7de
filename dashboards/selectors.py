"""Reads for the dashboard, from the weekly snapshots only (no ledger aggregation on a page view), and the drill-down
behind a figure."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F, Max, Q
from django.utils import timezone

from arrears.constants import CaseStatus
from arrears.models import ArrearsCase
from arrears.selectors import full_reviews

from .kpis import BY_KEY, KPIS, LOWER_IS_BETTER, Kpi
from .models import KpiAccountWeek, KpiRebuild, KpiSnapshot, KpiTarget, KpiWeek

# Who may press "Rebuild now": the managers who own the dashboard's targets (incomeapp.roles gives it to them).
REBUILD_PERMISSION = "dashboards.change_kpitarget"
# A rebuild not finished by then was lost (the worker stopped): the task's hard time limit and a margin.
REBUILD_GIVE_UP = timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 720) + 180)

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


@dataclass
class Freshness:
    """How fresh the latest snapshot is: the week it covers, when it was built, and the latest full arrears review
    (stale when that review finished after the snapshot was built)."""

    week_ending: date
    built_at: datetime
    review_as_of: date | None
    review_finished_at: datetime | None

    @property
    def stale(self) -> bool:
        return self.review_finished_at is not None and self.built_at < self.review_finished_at


def snapshot_freshness() -> Freshness | None:
    week = latest_week()
    if week is None:
        return None
    built_at = KpiWeek.objects.filter(week_ending=week).values_list("taken_at", flat=True).first()
    if built_at is None:  # a snapshot taken before KpiWeek was kept
        built_at = KpiSnapshot.objects.filter(week_ending=week).aggregate(at=Max("taken_at"))["at"]
    review = full_reviews().first()
    return Freshness(
        week_ending=week,
        built_at=built_at,
        review_as_of=review.as_of if review else None,
        review_finished_at=(review.finished_at or review.started_at) if review else None,
    )


def kpi_rebuild_running() -> KpiRebuild | None:
    """The rebuild still running, if any (one left unfinished past the task's time limit was lost, and is not)."""
    return (
        KpiRebuild.objects.filter(finished_at__isnull=True, requested_at__gt=timezone.now() - REBUILD_GIVE_UP)
        .select_related("requested_by")
        .first()
    )


def kpi_rebuild_get(pk: int) -> KpiRebuild | None:
    return KpiRebuild.objects.select_related("requested_by").filter(pk=pk).first()


def officer_names(usernames) -> dict[str, str]:
    """Officers' full names by username (the snapshot keeps usernames, which are stable; names are shown)."""
    users = get_user_model().objects.filter(username__in=set(usernames))
    return {user.username: user.get_full_name() or user.username for user in users}


def case_ids_by_account(account_ids) -> dict[int, int]:
    """Each account's arrears case: the open one, else the latest closed one."""
    cases = ArrearsCase.objects.filter(account_id__in=set(account_ids)).order_by("account_id", "-opened_on", "-id")
    found: dict[int, tuple[bool, int]] = {}
    for account_id, status, pk in cases.values_list("account_id", "status", "pk"):
        is_open = status == CaseStatus.OPEN
        if account_id not in found or (is_open and not found[account_id][0]):
            found[account_id] = (is_open, pk)
    return {account_id: pk for account_id, (_, pk) in found.items()}


QUARTERLY_RETURN = ("current_arrears_pct", "current_arrears_net_pct", "collection_pct", "former_arrears_pct",
                    "write_offs_pct")  # fmt: skip


@dataclass
class ReturnRow:
    kpi: Kpi
    percent: Decimal
    amount: Decimal
    denominator: Decimal | None


def quarter_ends(*, until: date, count: int = 8) -> list[date]:
    """The last days of the `count` quarters (31 March, 30 June, 30 September, 31 December) up to `until`, newest
    first."""
    ends = []
    year = until.year
    while len(ends) < count:
        for month, day in ((12, 31), (9, 30), (6, 30), (3, 31)):
            end = date(year, month, day)
            if end <= until and len(ends) < count:
                ends.append(end)
        year -= 1
    return ends


def quarterly_return_rows(quarter_end: date) -> list[ReturnRow]:
    """The registered provider's quarterly figures at the quarter's last day, from the ledger (seconds on a large
    estate: the dashboard keeps them in the cache until the next snapshot is built)."""
    from django.core.cache import cache

    from .measures import kpi_measures

    built = KpiWeek.objects.aggregate(at=Max("taken_at"))["at"]
    key = f"dashboards:quarterly-return:{quarter_end.isoformat()}:{built.timestamp()}" if built else None
    rows = cache.get(key) if key else None
    if rows is None:
        measures = kpi_measures(quarter_end)
        rows = []
        for key_ in QUARTERLY_RETURN:
            measure = measures[key_][("all", "All")]
            rows.append(ReturnRow(BY_KEY[key_], measure.value, measure.numerator / 100, measure.denominator))
        if key:
            cache.set(key, rows, 24 * 60 * 60)
    return rows
