"""Shared base models and the product's user."""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .constants import StaffChangeKind, StaffChangeState


class MoneyField(models.DecimalField):
    """Pounds and pence: Decimal with 2 places (see incomeapp.money)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_digits") == 12:
            del kwargs["max_digits"]
        if kwargs.get("decimal_places") == 2:
            del kwargs["decimal_places"]
        return name, path, args, kwargs


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class TemplateVersion(models.Model):
    """One version of a template (a letter's in documents, a message's in messaging), kept for ever (append-only). A
    version is a draft until someone publishes it; what is made uses the version published last, and keeps the version
    it used. A revert is a new version with the old one's text, pointing at it. The concrete model adds `template`,
    `subject` and `body`."""

    number = models.PositiveIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reverted_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="The version it copies."
    )

    class Meta:
        abstract = True
        ordering = ["template", "-number"]

    def __str__(self) -> str:
        return f"{self.template.key} v{self.number}"


class User(AbstractUser):
    """A member of staff. Roles are Django groups (see incomeapp.roles)."""

    delegated_authority_limit = MoneyField(
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text="The most, in pounds, this person may approve for one tenancy's accounts (adjustments, refunds, "
        "transfers and write-offs together) within the approval window.",
    )
    job_title = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=30, blank=True, help_text="Shown on letters as the officer's contact number.")

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        # The product's areas. Which role holds which is decided in one place: incomeapp/roles.py.
        permissions = [
            ("use_worklist", "Can use the arrears worklist and cases"),
            ("use_tenancies", "Can look up tenancies and rent accounts"),
            ("use_payments", "Can work with payments, imports and the suspense queue"),
            ("use_approvals", "Can decide approval requests within their delegated authority"),
            ("use_legal", "Can prepare notices and legal cases"),
            ("use_dashboards", "Can see KPI dashboards and exception reports"),
            ("use_admin", "Can administer staff accounts and roles"),
            ("view_sensitive_notes", "Can see vulnerability, health and Breathing Space details"),
            ("approve_exceptional_transfers", "Can approve transfers beyond the credit or to another household"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role_names(self) -> list[str]:
        return sorted(group.name for group in self.groups.all())


class LawThreshold(models.Model):
    """A figure set by law or official policy (for example "ask for a managed payment at 2 months' rent arrears"),
    effective-dated with its source, so a change in the law is a new row, not a code change. Read with
    `incomeapp.law.threshold(key, on)`."""

    key = models.SlugField(max_length=60)
    value = models.DecimalField(max_digits=10, decimal_places=2)
    unit = models.CharField(max_length=30, help_text="For example weeks, months, days, percent.")
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    meaning = models.CharField(max_length=255)
    source = models.CharField(max_length=500, help_text="The law or guidance, as cited in legal-spec.md.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["key", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["key", "effective_from"], name="one_threshold_per_key_and_start")
        ]

    def __str__(self) -> str:
        return f"{self.key} = {self.value} {self.unit} from {self.effective_from:%-d %B %Y}"


class StaffChangeRequest(TimeStampedModel):
    """A change an administrator makes to a member of staff's roles, delegated authority, email or password. When the
    person can move money or vouch for staff changes (before or after it), a second administrator approves it before
    it takes effect; other changes are made at once. Either way this row is the audit: who asked, who decided, why
    (incomeapp/staff_changes.py)."""

    kind = models.CharField(max_length=20, choices=StaffChangeKind.choices)
    target = models.ForeignKey(User, on_delete=models.PROTECT, related_name="staff_changes")
    previous_value = models.JSONField(default=dict, blank=True, help_text="What it was when asked for.")
    requested_value = models.JSONField(default=dict, blank=True)
    reason = models.TextField()
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    needs_approval = models.BooleanField()
    state = models.CharField(
        max_length=20, choices=StaffChangeState.choices, default=StaffChangeState.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    made_at = models.DateTimeField(null=True, blank=True, help_text="When the change took effect.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(requested_by=F("target")), name="nobody_asks_a_staff_change_for_self"),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | (~Q(decided_by=F("requested_by")) & ~Q(decided_by=F("target"))),
                name="staff_change_decided_by_someone_else",
            ),
            models.UniqueConstraint(
                fields=["target", "kind"],
                condition=Q(state=StaffChangeState.PENDING),
                name="one_pending_staff_change_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.target}"
