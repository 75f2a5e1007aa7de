"""Webhooks (docs/api.md): domain events become deliveries, one per subscription listening, and a Celery task posts
them, signed, retrying with backoff.

Events are queued when the transaction that caused them commits (`event_queue`): one event id per event, the same for
every subscription, so a receiver can ignore a repeat. Deliveries are written in bulk (a weekly review that changes
10,000 cases makes a few queries a chunk, not one a case).

Sending (`deliveries_send_due`) claims due deliveries under SELECT ... FOR UPDATE SKIP LOCKED and leases them (moves
their next try past the post's timeout), commits, posts each outside any transaction, then records each outcome. A
worker that dies mid-post leaves its lease to run out, and the next run (beat, every minute) sends them again.

Each post is `{"id": event id, "type": event, "created": ISO time, "data": {...}}` with `Rentwise-Signature:
t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the subscription's secret>`; `signature_verify` checks one.
"""

import hashlib
import hmac
import json
import logging
import random
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .constants import EVENT_SCOPES, DeliveryState, Scope
from .models import WebhookDelivery, WebhookSubscription

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "Rentwise-Signature"
EVENT_HEADER = "Rentwise-Event"
DELIVERY_HEADER = "Rentwise-Delivery"
CLAIM_BATCH = 50  # deliveries claimed (and posted side by side) at a time
POSTERS = 8  # posts in flight at once: one slow receiver does not hold up the others
RUN_SECONDS = 50  # a run stops claiming after this long; beat starts the next one every minute
WRITE_BATCH = 2000
JITTER = 0.1  # up to 10% added to each wait, so retries to one receiver spread out
DUE_STATES = (DeliveryState.PENDING, DeliveryState.RETRYING)


# --- Signing ---------------------------------------------------------------------------------------------------------


def signature_make(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The `Rentwise-Signature` header's value for this body."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def signature_verify(
    secret: str, header: str, body: bytes, *, tolerance_seconds: int = 300, now: float | None = None
) -> bool:
    """For a receiver: True when `header` (Rentwise-Signature) signs exactly `body` (the raw bytes received) with
    `secret`, and its time is within `tolerance_seconds` of now (an old post replayed is refused)."""
    if not secret or not header or body is None:
        return False
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        name, _, value = item.strip().partition("=")
        parts.setdefault(name, []).append(value)
    try:
        timestamp = int(parts.get("t", [""])[0])
    except ValueError:
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance_seconds:
        return False
    if isinstance(body, str):
        body = body.encode()
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, given) for given in parts.get("v1", []))


# --- Queuing ---------------------------------------------------------------------------------------------------------


def subscriptions_for(event: str) -> list[WebhookSubscription]:
    """Active subscriptions of clients that are not revoked, that listen to `event` and still hold its scopes."""
    needed = {Scope.WEBHOOKS, EVENT_SCOPES.get(event, Scope.WEBHOOKS)}
    found = WebhookSubscription.objects.filter(active=True, client__revoked_at__isnull=True).select_related("client")
    return [s for s in found if event in (s.events or []) and needed <= set(s.client.scopes or [])]


def deliveries_create(event: str, payloads: list[dict], subscriptions: list[WebhookSubscription]) -> int:
    """A delivery per payload per subscription; each payload one event (one id across subscriptions)."""
    now = timezone.now()
    rows = []
    for payload in payloads:
        event_id = uuid.uuid4()
        data = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
        rows += [
            WebhookDelivery(
                subscription=subscription, event_id=event_id, event=event, payload=data, next_attempt_at=now
            )
            for subscription in subscriptions
        ]
    WebhookDelivery.objects.bulk_create(rows, batch_size=WRITE_BATCH, ignore_conflicts=True)
    return len(rows)


def event_queue(event: str, build: Callable[[], list[dict]]) -> None:
    """When the current transaction commits (at once outside one): if anyone listens to `event`, `build()` gives one
    payload per event, the deliveries are written and the sender is started. `build` runs only when someone
    listens, so an event nobody subscribes to costs one query."""

    def queue() -> None:
        subscriptions = subscriptions_for(event)
        if not subscriptions:
            return
        payloads = build()
        if payloads and deliveries_create(event, payloads, subscriptions):
            sender_start()

    transaction.on_commit(queue)


def sender_start() -> None:
    """Starts the sending task now; if the broker cannot be reached, beat's run within the minute does it."""
    from .tasks import deliver_webhooks

    try:
        deliver_webhooks.delay()
    except Exception:  # the deliveries are stored: beat sends them
        logger.warning("Could not start the webhook sender; the scheduled run will send them.", exc_info=True)


# --- Sending ---------------------------------------------------------------------------------------------------------


@dataclass
class SendSummary:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    dropped: int = 0  # the subscription ended or its client was revoked before the post
    statuses: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"delivered": self.delivered, "retrying": self.retrying, "failed": self.failed, "dropped": self.dropped}


def body_for(delivery: WebhookDelivery) -> bytes:
    document = {
        "id": str(delivery.event_id),
        "type": delivery.event,
        "created": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def _lease() -> timedelta:
    return timedelta(seconds=settings.API_WEBHOOK_TIMEOUT_SECONDS * 2 + 60)


def _due(now):
    return WebhookDelivery.objects.filter(state__in=DUE_STATES).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def _claim(now) -> list[WebhookDelivery]:
    """Due deliveries no other sender holds, leased to this one (committed before any post)."""
    with transaction.atomic():
        claimed = list(
            _due(now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription__client")
            .order_by("id")[:CLAIM_BATCH]
        )
        if claimed:
            WebhookDelivery.objects.filter(pk__in=[d.pk for d in claimed]).update(next_attempt_at=now + _lease())
    return claimed


def _post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """(HTTP status or None, error) for one post. No database work here: it runs in a thread."""
    body = body_for(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Rentwise-Webhooks/1",
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.pk),
        SIGNATURE_HEADER: signature_make(delivery.subscription.secret, body),
    }
    try:
        response = requests.post(
            delivery.subscription.url,
            data=body,
            headers=headers,
            timeout=settings.API_WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as error:
        return None, f"Could not reach the address: {type(error).__name__}: {error}"[:500]
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    return response.status_code, f"The receiver answered {response.status_code}; only a 2xx counts as received."


def retry_wait(attempts: int) -> timedelta:
    """How long after try number `attempts` (1, 2, ...) the next one waits: RETRY_SECONDS, then 4×, 16×... each with
    a little jitter."""
    seconds = settings.API_WEBHOOK_RETRY_SECONDS * 4 ** max(attempts - 1, 0)
    return timedelta(seconds=seconds * (1 + random.uniform(0, JITTER)))  # noqa: S311  not security


def _record(delivery: WebhookDelivery, status: int | None, error: str, summary: SendSummary) -> None:
    """The outcome of one post. Guarded by the attempt count claimed, so a post whose lease ran out and was taken
    over is not counted twice."""
    now = timezone.now()
    attempts = delivery.attempts + 1
    mine = WebhookDelivery.objects.filter(pk=delivery.pk, attempts=delivery.attempts, state__in=DUE_STATES)
    if not error:
        changes = {"state": DeliveryState.DELIVERED, "delivered_at": now, "next_attempt_at": None, "last_error": ""}
        summary.delivered += 1
    elif attempts >= settings.API_WEBHOOK_MAX_ATTEMPTS:
        changes = {"state": DeliveryState.FAILED, "next_attempt_at": None, "last_error": error}
        summary.failed += 1
    else:
        changes = {"state": DeliveryState.RETRYING, "next_attempt_at": now + retry_wait(attempts), "last_error": error}
        summary.retrying += 1
    mine.update(attempts=attempts, last_status=status, **changes)


def _drop_ended(claimed: list[WebhookDelivery], summary: SendSummary) -> list[WebhookDelivery]:
    ended = [d for d in claimed if not d.subscription.active or d.subscription.client.is_revoked]
    if ended:
        WebhookDelivery.objects.filter(pk__in=[d.pk for d in ended]).update(
            state=DeliveryState.FAILED,
            next_attempt_at=None,
            last_error="Not sent: the subscription was ended (or its API client revoked) before it could be sent.",
        )
        summary.dropped += len(ended)
    return [d for d in claimed if d not in ended]


def next_retry_at():
    """When the next delivery waiting to be tried again falls due (None when none waits)."""
    waiting = WebhookDelivery.objects.filter(state__in=DUE_STATES, next_attempt_at__isnull=False)
    return waiting.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()


def deliveries_send_due(*, run_seconds: float = RUN_SECONDS) -> SendSummary:
    """Sends every due delivery, a batch at a time, until none is due or `run_seconds` have passed."""
    summary = SendSummary()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=POSTERS, thread_name_prefix="webhook-post") as posters:
        while time.monotonic() - started < run_seconds:
            raw = _claim(timezone.now())
            if not raw:
                break
            claimed = _drop_ended(raw, summary)
            for delivery, (status, error) in zip(claimed, posters.map(_post, claimed), strict=True):
                _record(delivery, status, error, summary)
    return summary


# --- Retention -------------------------------------------------------------------------------------------------------

IDEMPOTENCY_KEEP_DAYS = 30


def api_records_prune() -> dict:
    """Daily: the call log older than API_CALL_LOG_DAYS and finished Idempotency-Key records older than 30 days
    (a repeat after that is treated as a new request)."""
    from .constants import IdempotencyState
    from .models import ApiCall, IdempotencyRecord

    now = timezone.now()
    calls, _ = ApiCall.objects.filter(at__lt=now - timedelta(days=settings.API_CALL_LOG_DAYS)).delete()
    keys, _ = IdempotencyRecord.objects.filter(
        state=IdempotencyState.DONE, finished_at__lt=now - timedelta(days=IDEMPOTENCY_KEEP_DAYS)
    ).delete()
    return {"calls_deleted": calls, "idempotency_keys_deleted": keys}
