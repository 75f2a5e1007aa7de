"""Arrears policies as data: a named policy with numbered versions; one version is live at a time.

A version's `document` is the whole policy (rules, blockers, outcomes) as checked by `arrears.engine.policy_check`.
Versions are never edited: a change is a new version, so any past recommendation can be explained by the version it
used.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from incomeapp.models import TimeStampedModel
from tenancies.constants import TenureType
from tenancies.models import Scheme

from .constants import PolicyVersionStatus


class ArrearsPolicy(TimeStampedModel):
    """Which policy a tenancy follows: the most specific match wins (scheme, then tenure, then the default)."""

    name = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=150)
    is_default = models.BooleanField(default=False, help_text="Used where no other policy applies.")
    tenure_types = models.JSONField(
        default=list, blank=True, help_text=f"Tenure codes this policy applies to: {', '.join(TenureType.values)}."
    )
    schemes = models.ManyToManyField(Scheme, blank=True, related_name="arrears_policies")
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "arrears policies"
        constraints = [models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default")]

    def __str__(self) -> str:
        return self.title


class ArrearsPolicyVersion(models.Model):
    policy = models.ForeignKey(ArrearsPolicy, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    document = models.JSONField(help_text="The policy as checked by the engine.")
    source_text = models.TextField(help_text="The YAML as imported, kept for export.")
    status = models.CharField(max_length=10, choices=PolicyVersionStatus.choices, default=PolicyVersionStatus.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="one_number_per_policy_version"),
            models.UniqueConstraint(
                fields=["policy"], condition=Q(status=PolicyVersionStatus.LIVE), name="one_live_version_per_policy"
            ),
        ]
        ordering = ["policy", "-number"]

    def __str__(self) -> str:
        return f"{self.policy.name} v{self.number} ({self.get_status_display()})"
