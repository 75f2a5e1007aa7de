"""Records of the lifecycle work that is not itself a tenancy record: rent change runs and loads from a housing
management system."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from incomeapp.models import MoneyField, TimeStampedModel
from tenancies.constants import ChargeType
from tenancies.models import Charge, Property, PropertyCharge, Scheme, Tenancy

from .constants import LoadStatus, RentChangeBasis, RentChangeStatus


class RentChangeRun(TimeStampedModel):
    """The annual rent change (or any change to many tenancies' charges at once): prepared by one person, checked and
    approved by another, applied from `effective_from` with a letter to each named tenant."""

    name = models.CharField(max_length=200)
    effective_from = models.DateField()
    notice_weeks = models.PositiveSmallIntegerField(default=4)
    basis = models.CharField(max_length=20, choices=RentChangeBasis.choices)
    schemes = models.ManyToManyField(Scheme, blank=True, related_name="rent_change_runs")
    percentage = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    weekly_cap = MoneyField(null=True, blank=True, help_text="The most any one charge may rise by per week.")
    charge_types = models.JSONField(default=list, blank=True, help_text="Charge types the percentage applies to.")
    source_file_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=20, choices=RentChangeStatus.choices, default=RentChangeStatus.DRAFT)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("approve_rentchangerun", "Can approve a rent change run prepared by someone else")]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("prepared_by")),
                name="nobody_approves_their_own_rent_change",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} from {self.effective_from:%-d %B %Y}"


class RentChangeLine(models.Model):
    """One charge of one tenancy (or of a void home) that the run changes, with the old and new weekly amounts."""

    run = models.ForeignKey(RentChangeRun, on_delete=models.CASCADE, related_name="lines")
    tenancy = models.ForeignKey(Tenancy, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="+")
    charge_type = models.CharField(max_length=20, choices=ChargeType.choices)
    old_amount = MoneyField()
    new_amount = MoneyField()
    applied_charge = models.ForeignKey(Charge, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    applied_property_charge = models.ForeignKey(
        PropertyCharge, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "property", "tenancy", "charge_type"], name="one_rent_change_line_per_charge"
            )
        ]

    def difference(self):  # a method: the `property` field shadows the builtin decorator in this class body
        return self.new_amount - self.old_amount


class TenancyLoad(TimeStampedModel):
    """One load (or nightly sync) of a landlord's files: what was read, what changed, and every error found."""

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    content = models.BinaryField(help_text="The files as received (a zip or a CSV), for the background job and audit.")
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=LoadStatus.choices, default=LoadStatus.QUEUED)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    rows_read = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0, help_text="Progress while checking and loading.")
    report = models.JSONField(default=dict, blank=True, help_text="Counts created, updated, unchanged; errors.")
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"
