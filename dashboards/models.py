"""Weekly KPI snapshots (so trends never re-aggregate the ledger on a page view) and the targets managers set."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class KpiSnapshot(models.Model):
    """One KPI for one week, overall (dimension "all") or for one group of a breakdown (a scheme, a patch...)."""

    week_ending = models.DateField()
    kpi = models.CharField(max_length=40)
    dimension = models.CharField(max_length=20)
    group = models.CharField(max_length=200)
    numerator = models.DecimalField(max_digits=16, decimal_places=2)
    denominator = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    value = models.DecimalField(max_digits=16, decimal_places=2)
    taken_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-week_ending", "kpi", "dimension", "group"]
        constraints = [
            models.UniqueConstraint(fields=["week_ending", "kpi", "dimension", "group"], name="one_kpi_value_a_week")
        ]
        indexes = [models.Index(fields=["kpi", "dimension", "-week_ending"], name="kpi_trend")]


class KpiTarget(models.Model):
    """A manager's target for a KPI (its default is in kpis.py)."""

    kpi = models.CharField(max_length=40, unique=True)
    target = models.DecimalField(max_digits=12, decimal_places=2)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    set_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()
