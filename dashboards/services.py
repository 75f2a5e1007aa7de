"""Writes for dashboards: the weekly snapshot (taken after the review, or rebuilt for any past week) and targets."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from incomeapp.roles import staff_require
from rentaccounts.models import Transaction
from tenancies.selectors_homes import void_figures_total

from .kpis import BY_KEY
from .measures import DIMENSIONS, account_facts, kpi_measures
from .models import KpiAccountWeek, KpiRebuild, KpiSnapshot, KpiTarget, KpiWeek
from .selectors import REBUILD_PERMISSION, kpi_rebuild_running


def last_sunday(today: date | None = None) -> date:
    """The end of the last whole week (rent weeks run Monday to Sunday)."""
    today = today or timezone.localdate()
    return today - timedelta(days=today.weekday() + 1)


def _ledger_hold() -> int:
    """Makes postings wait until the snapshot commits (they wait, nothing is refused) and returns the last ledger row:
    the snapshot counts exactly the rows up to it, and the next week's can start after it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Transaction._meta.db_table} IN SHARE MODE")
            # Grouping a quarter of a million accounts fits in memory with 64 MB rather than spilling to disk. (JIT is
            # off for every connection: incomeapp/settings/base.py.)
            cursor.execute("SET LOCAL work_mem = '64MB'")
    return Transaction.objects.aggregate(last=Max("id"))["last"] or 0


@transaction.atomic
def kpi_snapshot_take(*, week_ending: date, from_previous_week: bool = False) -> int:
    """Computes every KPI, overall and by breakdown, as of the week's last day and keeps it, replacing any snapshot of
    that week (so it can be rebuilt). From the previous week's snapshot when asked and it was taken (the weekly task:
    a week of ledger read instead of a year), otherwise from the ledger alone. Returns the figures written."""
    high_water = _ledger_hold()
    previous = (
        KpiWeek.objects.filter(week_ending=week_ending - timedelta(days=7)).first() if from_previous_week else None
    )
    facts = account_facts(week_ending, previous=previous)
    rows = [
        KpiSnapshot(
            week_ending=week_ending,
            kpi=kpi,
            dimension=dimension,
            group=str(group)[:200],
            numerator=measure.numerator,
            denominator=measure.denominator,
            value=measure.value,
        )
        for kpi, by_group in kpi_measures(week_ending, facts).items()
        for (dimension, group), measure in by_group.items()
    ]
    rows += _void_rows(week_ending)
    KpiSnapshot.objects.filter(week_ending=week_ending).delete()
    KpiSnapshot.objects.bulk_create(rows, batch_size=2000)
    KpiAccountWeek.objects.filter(week_ending=week_ending).delete()
    _account_weeks_write(week_ending, facts)
    KpiWeek.objects.update_or_create(
        week_ending=week_ending,
        defaults={
            "ledger_high_water": high_water,
            "built_from": KpiWeek.BuiltFrom.LEDGER if previous is None else KpiWeek.BuiltFrom.PREVIOUS_WEEK,
        },
    )
    return len(rows)


VOID_FIGURES = ("void_homes_now", "void_days", "void_rent_loss")


def _void_rows(week_ending: date) -> list[KpiSnapshot]:
    """The week's void figures (homes void on its last day; void days and rent lost in the financial year to it),
    kept with the snapshot so the dashboard reads them instead of working them out on every visit."""
    voids = void_figures_total(end=week_ending)
    values = {"void_homes_now": voids.void_now, "void_days": voids.void_days, "void_rent_loss": voids.loss}
    return [
        KpiSnapshot(week_ending=week_ending, kpi=kpi, dimension="all", group="All", numerator=value, value=value)
        for kpi, value in values.items()
    ]


@transaction.atomic
def kpi_rebuild_request(*, requested_by) -> KpiRebuild:
    """A manager's "Rebuild now": records who asked, and once that commits hands the Sunday just gone's snapshot to the
    weekly snapshot task (the worker; in the demo and tests it runs at once). One at a time."""
    from .tasks import weekly_kpi_snapshot

    staff_require(requested_by, REBUILD_PERMISSION, "rebuild the dashboard figures")
    running = kpi_rebuild_running()
    if running is not None:
        raise ValidationError(
            f"The figures are already being rebuilt (asked for by {running.requested_by}); wait for that to finish."
        )
    rebuild = KpiRebuild.objects.create(requested_by=requested_by, week_ending=last_sunday())
    transaction.on_commit(lambda: weekly_kpi_snapshot.delay(rebuild_id=rebuild.pk))
    return rebuild


def kpi_rebuild_run(*, rebuild_id: int) -> int:
    """The task's half of a rebuild: takes the week's snapshot (from the week before when it was taken, as Monday's
    task does) and marks the rebuild finished, or failed with the reason. Returns the figures written."""
    rebuild = KpiRebuild.objects.get(pk=rebuild_id)
    try:
        rows = kpi_snapshot_take(week_ending=rebuild.week_ending, from_previous_week=True)
    except Exception as error:
        KpiRebuild.objects.filter(pk=rebuild.pk).update(finished_at=timezone.now(), error=str(error)[:2000] or "error")
        raise
    KpiRebuild.objects.filter(pk=rebuild.pk).update(finished_at=timezone.now())
    return rows


@transaction.atomic
def kpi_target_set(*, kpi: str, target: Decimal, set_by) -> KpiTarget:
    staff_require(set_by, "dashboards.change_kpitarget", "set KPI targets")
    if kpi not in BY_KEY:
        raise ValidationError("That is not one of the KPIs.")
    if target < 0:
        raise ValidationError("A target cannot be below zero.")
    row, _ = KpiTarget.objects.update_or_create(kpi=kpi, defaults={"target": target, "set_by": set_by})
    return row


ACCOUNT_WEEK_COLUMNS = (
    "week_ending", "account_id", "payment_reference", "current", "balance", "weekly_rent", "weeks_basis",
    "rent_debit_52w", "technical_arrears", "due_this_year", "received_this_year", "written_off_this_year",
    "direct_debit", "on_uc", "uc_apa", *DIMENSIONS,
)  # fmt: skip


def _account_weeks_write(week_ending: date, facts) -> None:
    """Each account's facts for the week, for the drill-down: by COPY on PostgreSQL (a quarter of a million rows a
    week), else bulk_create."""

    def values(fact):
        return [
            week_ending, fact.account_id, fact.payment_reference, fact.current, fact.balance, fact.weekly_rent,
            fact.weeks_basis, fact.rent_debit_52w, fact.technical_arrears, fact.due_this_year, fact.received_this_year,
            fact.written_off_this_year, fact.direct_debit, fact.on_uc, fact.uc_apa,
            *(str(fact.groups[d])[:200] for d in DIMENSIONS),
        ]  # fmt: skip

    if connection.vendor != "postgresql":
        KpiAccountWeek.objects.bulk_create(
            [KpiAccountWeek(**dict(zip(ACCOUNT_WEEK_COLUMNS, values(fact), strict=True))) for fact in facts],
            batch_size=2000,
        )
        return
    columns = ", ".join(ACCOUNT_WEEK_COLUMNS)
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {KpiAccountWeek._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for fact in facts:
            copy.write_row(values(fact))
