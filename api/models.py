"""API clients (the landlord's other systems), every call they make, the idempotency keys of their writes, and their
webhook subscriptions with each delivery's state (docs/api.md).

A client's key is shown once: only its prefix (to find it) and a SHA-256 hash of the whole key are kept. Each client
acts through its own service user, whose permissions come from the client's scopes, so the domain services check a
client exactly as they check a member of staff, and what it posts is recorded as posted by it.

A system administrator sees no tenant's data, yet a key reads tenants' accounts and can post money, so every grant
(a new client, a scope added, a new key) waits for an Income Manager, never the person who asked: until then a new
client's key is refused, a rotated key is refused, and added scopes are not in force (docs/api.md, docs/security.md).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .constants import ClientWaiting, DeliveryState, IdempotencyState


class ApiClient(models.Model):
    name = models.CharField(max_length=100, unique=True, help_text="The system, for example 'Housing management'.")
    scopes = models.JSONField(default=list, help_text="What the client may do: see api.constants.Scope.")
    rate_limit_per_minute = models.PositiveIntegerField(
        default=600, help_text="Calls a minute before it is told to wait (429)."
    )
    key_prefix = models.CharField(max_length=16, unique=True, help_text="The start of the key: finds the client.")
    key_hash = models.CharField(max_length=64, help_text="SHA-256 of the whole key; the key itself is never kept.")
    key_issued_at = models.DateTimeField()
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_client",
        help_text="The service user the client acts as: what it posts is recorded as posted by it.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    waiting = models.CharField(
        max_length=10, choices=ClientWaiting.choices, blank=True, default="", help_text="A grant waiting for approval."
    )
    pending_scopes = models.JSONField(null=True, blank=True, help_text="Scopes asked for, not yet approved.")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Who asked for the grant that is waiting (or was last approved).",
    )  # fmt: skip
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["key_hash", "last_used_at"])

    class Meta:
        ordering = ["name"]
        verbose_name = "API client"
        permissions = [("approve_apiclient", "Can approve an API client's scopes and keys")]
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | Q(asked_by__isnull=True) | ~Q(approved_by=F("asked_by")),
                name="nobody_approves_their_own_api_grant",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def key_works(self) -> bool:
        """The key is refused while it waits for approval (a new client, or a rotated key) and once revoked."""
        return not self.is_revoked and self.waiting not in (ClientWaiting.NEW, ClientWaiting.KEY)

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class ApiCall(models.Model):
    """One call to the API: kept for the administrators' call log (and trimmed by retention)."""

    client = models.ForeignKey(ApiClient, null=True, blank=True, on_delete=models.CASCADE, related_name="calls")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status = models.PositiveSmallIntegerField()
    milliseconds = models.PositiveIntegerField(default=0)
    idempotency_key = models.CharField(max_length=255, blank=True)
    replayed = models.BooleanField(default=False, help_text="A repeat answered from the first call's result.")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["client", "-at"], name="api_call_client_at")]


class IdempotencyRecord(models.Model):
    """A write's Idempotency-Key: the first call's request hash and answer. A repeat with the same key and the same
    request gets that answer and changes nothing; the same key with another request is refused."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="idempotency_records")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=12, choices=IdempotencyState.choices, default=IdempotencyState.PROCESSING)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="api_idempotency_key_once")]


class WebhookSubscription(models.Model):
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="subscriptions")
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list, help_text="Event names: see api.constants.Event.")
    secret = models.CharField(max_length=100, help_text="Signs each post (HMAC-SHA256); shown to the client once.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one subscription, from queued to delivered or failed, with each try's outcome."""

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(help_text="The event's id: the same on every try, so a receiver can ignore a repeat.")
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The receiver's HTTP status.")
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event_id"], name="api_webhook_event_once"),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="api_delivery_due")]
