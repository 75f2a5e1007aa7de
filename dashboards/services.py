"""Writes for dashboards: the weekly snapshot (taken after the review, or rebuilt for any past week) and targets."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incomeapp.roles import staff_require

from .kpis import BY_KEY
from .measures import kpi_measures
from .models import KpiSnapshot, KpiTarget


def last_sunday(today: date | None = None) -> date:
    """The end of the last whole week (rent weeks run Monday to Sunday)."""
    today = today or timezone.localdate()
    return today - timedelta(days=today.weekday() + 1)


@transaction.atomic
def kpi_snapshot_take(*, week_ending: date) -> int:
    """Computes every KPI, overall and by breakdown, as of the week's last day and keeps it, replacing any snapshot of
    that week (so it can be rebuilt). Returns the rows written."""
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
        for kpi, by_group in kpi_measures(week_ending).items()
        for (dimension, group), measure in by_group.items()
    ]
    KpiSnapshot.objects.filter(week_ending=week_ending).delete()
    KpiSnapshot.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@transaction.atomic
def kpi_target_set(*, kpi: str, target: Decimal, set_by) -> KpiTarget:
    staff_require(set_by, "dashboards.change_kpitarget", "set KPI targets")
    if kpi not in BY_KEY:
        raise ValidationError("That is not one of the KPIs.")
    if target < 0:
        raise ValidationError("A target cannot be below zero.")
    row, _ = KpiTarget.objects.update_or_create(kpi=kpi, defaults={"target": target, "set_by": set_by})
    return row
