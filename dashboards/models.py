"""Weekly KPI snapshots (so trends never re-aggregate the ledger on a page view) and the targets managers set."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from tenancies.constants import WeeksBasis
from tenancies.selectors import weeks_of


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


class KpiWeek(models.Model):
    """A snapshot week: the last ledger row it counted (postings wait while a snapshot is taken, so every row up to it
    was in and none after), so the next week can be built from this one and the rows posted since."""

    class BuiltFrom(models.TextChoices):
        LEDGER = "ledger", "The ledger alone"
        PREVIOUS_WEEK = "previous_week", "The previous week and the postings since"

    week_ending = models.DateField(unique=True)
    ledger_high_water = models.BigIntegerField()
    built_from = models.CharField(max_length=20, choices=BuiltFrom.choices)
    taken_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-week_ending"]


class KpiTarget(models.Model):
    """A manager's target for a KPI (its default is in kpis.py)."""

    kpi = models.CharField(max_length=40, unique=True)
    target = models.DecimalField(max_digits=12, decimal_places=2)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    set_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()


class KpiAccountWeek(models.Model):
    """One account's facts for a snapshot week: what the figures were made of, so the drill-down behind any figure is
    a query on the week's rows rather than a recomputation from the ledger."""

    week_ending = models.DateField()
    account = models.ForeignKey("rentaccounts.Account", on_delete=models.CASCADE, related_name="+", db_index=False)
    payment_reference = models.CharField(max_length=20)
    current = models.BooleanField()
    balance = models.DecimalField(max_digits=12, decimal_places=2)
    weekly_rent = models.DecimalField(max_digits=12, decimal_places=2, help_text="On the tenancy's weeks basis.")
    weeks_basis = models.CharField(max_length=5, choices=WeeksBasis.choices, default=WeeksBasis.RENT)
    rent_debit_52w = models.DecimalField(max_digits=12, decimal_places=2)
    technical_arrears = models.DecimalField(max_digits=12, decimal_places=2)
    due_this_year = models.DecimalField(max_digits=12, decimal_places=2)
    received_this_year = models.DecimalField(max_digits=12, decimal_places=2)
    written_off_this_year = models.DecimalField(max_digits=12, decimal_places=2)
    direct_debit = models.BooleanField()
    on_uc = models.BooleanField()
    uc_apa = models.BooleanField()
    scheme = models.CharField(max_length=200)
    patch = models.CharField(max_length=200)
    officer = models.CharField(max_length=150)
    tenure = models.CharField(max_length=20)
    payment_method = models.CharField(max_length=20)

    class Meta:
        indexes = [models.Index(fields=["week_ending", "-balance"], name="kpi_account_week_balance")]

    @property
    def weeks_in_arrears(self) -> Decimal | None:
        """The balance in weeks on the tenancy's basis, as the worklist and the account page show it."""
        return weeks_of(self.balance, self.weekly_rent) if self.balance > 0 else None


class KpiRebuild(models.Model):
    """A manager's "Rebuild now": who asked and when, and when the snapshot task finished it (or why it failed), so the
    dashboard can say a rebuild is running and show the new figures when it is done."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    week_ending = models.DateField(help_text="The week the rebuild takes (the Sunday just gone when it was asked for).")
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    @property
    def running(self) -> bool:
        return self.finished_at is None
