"""Sending: the waiting messages handed to the provider in batches, paced at the provider's rate limit across every
worker, each checked again at the moment it goes, and none handed over twice.

How a message is never sent twice:
1. A worker claims a batch under row locks (`select_for_update(skip_locked=True)`): QUEUED → SENDING, with
   `claimed_at`, committed before anything goes. Two workers never claim the same message.
2. Just before each message goes, the worker renews its claim (`claimed_at` = now, only if the claim is still its
   own). A claim renewed is never treated as stuck, and a claim taken back is never sent by the old worker.
3. A worker that dies leaves its messages SENDING. Once a claim is older than MESSAGING_STUCK_AFTER_SECONDS (5
   minutes), the next run asks the provider for the message by its reference (our idempotency key, sent with every
   message): found → SENT with the provider's id; not found → QUEUED again. So a message the provider accepted just
   before the worker died is recorded, not sent again. (The generic provider also de-duplicates by Idempotency-Key.)

Temporary failures (429, 5xx, timeouts) go back to the queue with exponential backoff and jitter (never sooner than
the provider's Retry-After) until MESSAGING_MAX_ATTEMPTS; permanent ones fail with the provider's reason."""

import logging
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone
from redis import Redis, RedisError

from incomeapp.redis_keys import redis_key

from . import guards
from .constants import MessageStatus
from .models import Message, Suppression
from .providers import get_provider
from .providers.base import PermanentError, ProviderError, TemporaryError
from .quiet_hours import next_sending_moment, quiet_reason
from .services import suppressed_addresses
from .signals import message_status_changed

logger = logging.getLogger(__name__)


def stuck_after() -> timedelta:
    """A claim not renewed for this long belongs to a worker that died (a live one renews it before each message)."""
    return timedelta(seconds=settings.MESSAGING_STUCK_AFTER_SECONDS)


# The send-time checks (suppressions, other apps' guards) run for this many messages at a time, just before they go.
CHECK_CHUNK = 50
# Backoff after a temporary failure: 2, 4, 8… seconds for attempts 1, 2, 3…, at most 10 minutes, with jitter.
BACKOFF_FIRST_SECONDS = 2.0
BACKOFF_MOST_SECONDS = 600.0
# A run stops claiming after this long and hands on to a fresh task (under Celery's time limits).
RUN_BUDGET_SECONDS = 5 * 60

NO_PROVIDER_NOTE = "No text message or email provider is set up (docs/messaging.md)."


@dataclass
class SendSummary:
    outcomes: Counter = field(default_factory=Counter)
    recovered_sent: int = 0
    recovered_queued: int = 0
    more_waiting: bool = False

    def as_dict(self) -> dict:
        return {
            **dict(self.outcomes),
            "recovered_sent": self.recovered_sent,
            "recovered_queued": self.recovered_queued,
            "more_waiting": self.more_waiting,
        }


# Pacing ---------------------------------------------------------------------------------------------------------------

# Reserves the next free sending slot on Redis's own clock: every worker shares one schedule, one slot every
# 1/rate seconds. Returns how long to wait for the slot reserved. ARGV: interval, pause (seconds, 0 for none).
_RESERVE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local interval = tonumber(ARGV[1])
local pause = tonumber(ARGV[2])
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
if pause > 0 then
  redis.call('SET', KEYS[1], tostring(math.max(slot, now + pause)), 'EX', 3600)
  return '0'
end
if slot < now then slot = now end
redis.call('SET', KEYS[1], tostring(slot + interval), 'EX', 3600)
return tostring(slot - now)
"""


def rate_limiter_key() -> str:
    """The one schedule every sender of this installation shares."""
    return redis_key("messaging", "next-slot")


_local_lock = threading.Lock()
_local_next = [0.0]


class RateLimiter:
    """Paces every sender together at MESSAGING_RATE_LIMIT_PER_SECOND: on Redis (the Celery broker) when there is
    one, shared by all worker processes; otherwise within this process."""

    def __init__(self, per_second: float | None = None, redis_url: str | None = None, key: str | None = None):
        per_second = per_second or settings.MESSAGING_RATE_LIMIT_PER_SECOND
        self.interval = 1.0 / per_second if per_second and per_second > 0 else 0.0
        url = settings.CELERY_BROKER_URL if redis_url is None else redis_url
        self._script = None
        self.key = key or rate_limiter_key()
        if url and url.startswith(("redis://", "rediss://", "unix://")):
            self._script = Redis.from_url(url, socket_timeout=5).register_script(_RESERVE)

    def wait(self) -> None:
        if not self.interval:
            return
        time.sleep(max(0.0, self._reserve(pause=0.0)))

    def pause(self, seconds: float) -> None:
        """No sender starts for `seconds` (the provider said to wait)."""
        if seconds and seconds > 0:
            self._reserve(pause=seconds)

    def _reserve(self, *, pause: float) -> float:
        if self._script is not None:
            try:
                return float(self._script(keys=[self.key], args=[self.interval, pause]))
            except (RedisError, OSError):  # Redis gone: pace within this process rather than stop sending
                logger.warning("The shared rate limiter is unreachable; pacing this worker on its own.")
                self._script = None
        with _local_lock:
            now = time.monotonic()
            if pause:
                _local_next[0] = max(_local_next[0], now + pause)
                return 0.0
            slot = max(now, _local_next[0])
            _local_next[0] = slot + self.interval
            return slot - now


# Status changes -------------------------------------------------------------------------------------------------------


def _change(message: Message, status: str, note: str = "", *, expected: str = MessageStatus.SENDING, **fields) -> bool:
    """Saves the message's new status (only if it is still `expected`: a status someone else changed is left alone),
    then tells the rest of the product."""
    now = timezone.now()
    changed = Message.objects.filter(pk=message.pk, status=expected).update(
        status=status, status_note=note[:255], status_at=now, **fields
    )
    if not changed:
        return False
    message.status, message.status_note, message.status_at = status, note[:255], now
    for name, value in fields.items():
        if not hasattr(value, "resolve_expression"):
            setattr(message, name, value)
    message_status_changed.send(sender=Message, message=message)
    return True


def backoff_seconds(attempts: int, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter (half to all of 2, 4, 8… seconds), never sooner than the provider asked."""
    ceiling = min(BACKOFF_MOST_SECONDS, BACKOFF_FIRST_SECONDS * 2 ** max(0, attempts - 1))
    wait = random.uniform(ceiling / 2, ceiling)  # noqa: S311 (jitter, not secrecy)
    return max(wait, retry_after or 0.0)


# Recovery -------------------------------------------------------------------------------------------------------------


def messages_recover_stuck(provider, limiter: RateLimiter | None = None, summary: SendSummary | None = None) -> int:
    """Messages a dead worker left SENDING: found at the provider → SENT; not found → QUEUED to go again. A provider
    that cannot answer now leaves them for the next run."""
    summary = summary or SendSummary()
    limiter = limiter or RateLimiter()
    recovered = 0
    while True:
        cutoff = timezone.now() - stuck_after()
        decided: list[tuple[Message, str, str, dict]] = []
        with transaction.atomic():
            stuck = list(
                Message.objects.select_for_update(skip_locked=True)
                .filter(status=MessageStatus.SENDING, claimed_at__lt=cutoff)
                .order_by("id")[:100]
            )
            if not stuck:
                break
            for message in stuck:
                if provider is None:
                    decided.append((message, MessageStatus.QUEUED, "", {"send_after": timezone.now()}))
                    continue
                try:
                    limiter.wait()
                    provider_ref = provider.find(message.idempotency_key)
                except ProviderError as error:
                    logger.warning("Could not ask the provider about message %s: %s", message.pk, error)
                    break
                if provider_ref:
                    fields = {"provider": provider.name, "provider_ref": provider_ref, "sent_at": message.claimed_at}
                    note = "Found at the provider after the worker sending it stopped."
                    decided.append((message, MessageStatus.SENT, note, fields))
                elif message.attempts >= settings.MESSAGING_MAX_ATTEMPTS:
                    # A message that stops its worker every time is not tried for ever.
                    note = f"Not sent after {message.attempts} tries: the worker sending it stopped each time."
                    decided.append((message, MessageStatus.FAILED, note, {}))
                else:
                    note = "To send again: the worker sending it stopped before the provider had it."
                    decided.append((message, MessageStatus.QUEUED, note, {"send_after": timezone.now()}))
            # Saved inside the lock; the signal goes after the commit (below).
            for message, status, note, fields in decided:
                Message.objects.filter(pk=message.pk).update(
                    status=status, status_note=note, status_at=timezone.now(), **fields
                )
        for message, status, note, fields in decided:
            message.status, message.status_note = status, note
            for name, value in fields.items():
                setattr(message, name, value)
            message_status_changed.send(sender=Message, message=message)
            if status == MessageStatus.SENT:
                summary.recovered_sent += 1
            elif status == MessageStatus.QUEUED:
                summary.recovered_queued += 1
            else:
                summary.outcomes["failed"] += 1
            recovered += 1
        if len(decided) < len(stuck):
            break  # the provider could not answer: the rest wait for the next run
    return recovered


# Claiming and sending -------------------------------------------------------------------------------------------------


def _claim_batch(size: int) -> list[Message]:
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(status=MessageStatus.QUEUED, send_after__lte=now)
            .order_by("send_after", "id")
            .values_list("id", flat=True)[:size]
        )
        if ids:
            Message.objects.filter(id__in=ids).update(
                status=MessageStatus.SENDING, claimed_at=now, status_at=now, attempts=F("attempts") + 1
            )
    return list(Message.objects.filter(id__in=ids).order_by("send_after", "id")) if ids else []


def _claim_renewed(message: Message) -> bool:
    """Renews this worker's claim just before the message goes; False when it is no longer this worker's."""
    now = timezone.now()
    renewed = Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING, claimed_at=message.claimed_at).update(
        claimed_at=now
    )
    message.claimed_at = now
    return bool(renewed)


def _send_one(message: Message, provider, limiter: RateLimiter, summary: SendSummary) -> None:
    reason = quiet_reason(timezone.now())
    if reason:
        moment = next_sending_moment(timezone.now())
        note = f"Waiting: {reason}; goes at {timezone.localtime(moment):%-d %B %Y %H:%M}."
        # Not an attempt: it was never offered to the provider.
        _change(message, MessageStatus.QUEUED, note, send_after=moment, attempts=F("attempts") - 1)
        summary.outcomes["quiet_hours"] += 1
        return
    if not _claim_renewed(message):
        summary.outcomes["claim_lost"] += 1
        return
    limiter.wait()
    try:
        accepted = provider.send(message)
    except TemporaryError as error:
        if message.attempts >= settings.MESSAGING_MAX_ATTEMPTS:
            note = f"Not sent after {message.attempts} tries: {error}"
            _change(message, MessageStatus.FAILED, note)
            summary.outcomes["failed"] += 1
            return
        if error.retry_after:
            limiter.pause(error.retry_after)
        wait = backoff_seconds(message.attempts, error.retry_after)
        note = f"Trying again (try {message.attempts} of {settings.MESSAGING_MAX_ATTEMPTS}): {error}"
        _change(message, MessageStatus.QUEUED, note, send_after=timezone.now() + timedelta(seconds=wait))
        summary.outcomes["retry"] += 1
        return
    except PermanentError as error:
        _change(message, MessageStatus.FAILED, str(error))
        summary.outcomes["failed"] += 1
        return
    now = timezone.now()
    if accepted.delivered:
        note = "Accepted by the mail server (an email sent this way has no delivery report)."
        _change(
            message,
            MessageStatus.DELIVERED,
            note,
            provider=provider.name,
            provider_ref=accepted.provider_ref,
            sent_at=now,
            delivered_at=now,
        )
    else:
        fields = {"provider": provider.name, "provider_ref": accepted.provider_ref, "sent_at": now}
        _change(message, MessageStatus.SENT, "", **fields)
    summary.outcomes["sent"] += 1


def _send_batch(batch: list[Message], provider, limiter: RateLimiter, summary: SendSummary) -> None:
    for start in range(0, len(batch), CHECK_CHUNK):
        chunk = batch[start : start + CHECK_CHUNK]
        # Checked at the moment of sending, so a STOP or a Breathing Space since queueing holds.
        suppressed = suppressed_addresses(message.to for message in chunk)
        held = guards.withheld(chunk)
        for message in chunk:
            if message.to in suppressed:
                note = Suppression(reason=suppressed[message.to]).get_reason_display()
                _change(message, MessageStatus.WITHHELD, note)
                summary.outcomes["withheld"] += 1
            elif message.pk in held:
                _change(message, MessageStatus.WITHHELD, held[message.pk])
                summary.outcomes["withheld"] += 1
            elif provider is None:
                _change(message, MessageStatus.NO_PROVIDER, NO_PROVIDER_NOTE)
                summary.outcomes["no_provider"] += 1
            else:
                _send_one(message, provider, limiter, summary)


def messages_send_waiting(*, budget_seconds: float = RUN_BUDGET_SECONDS) -> SendSummary:
    """Recovers stuck messages, then sends every message due, batch by batch, until none is due (or the run's
    budget is spent: `more_waiting` says a new run should carry on)."""
    summary = SendSummary()
    provider = get_provider()
    limiter = RateLimiter()
    started = time.monotonic()
    messages_recover_stuck(provider, limiter, summary)
    while True:
        if time.monotonic() - started > budget_seconds:
            summary.more_waiting = True
            break
        batch = _claim_batch(settings.MESSAGING_BATCH_SIZE)
        if not batch:
            break
        _send_batch(batch, provider, limiter, summary)
    return summary


def next_run_due() -> float | None:
    """Seconds until a message will be due (a retry's backoff ends, or a dead worker's claim counts as stuck), or
    None when nothing waits."""
    now = timezone.now()
    found = Message.objects.filter(status=MessageStatus.QUEUED).aggregate(at=Min("send_after"))["at"]
    stuck = Message.objects.filter(status=MessageStatus.SENDING).aggregate(at=Min("claimed_at"))["at"]
    moments = [moment for moment in (found, stuck + stuck_after() if stuck else None) if moment]
    if not moments:
        return None
    return max(0.0, (min(moments) - now).total_seconds())
