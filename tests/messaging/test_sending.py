"""The sender: each message checked again at the moment it goes (a STOP since it was queued, another app's guard,
quiet hours, no provider), sent once through the provider, retried with backoff on a temporary failure and failed
after the last try, and a dead worker's messages recovered by asking the provider before anything is sent again."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from messaging import guards
from messaging.constants import MessageStatus, SuppressionReason
from messaging.models import Message, Suppression
from messaging.providers import get_provider
from messaging.sending import backoff_seconds, messages_send_waiting, stuck_after
from messaging.signals import message_status_changed
from messaging.tasks import send_waiting_messages

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def statuses():
    """Every status change the sender announced, as (idempotency key, status)."""
    seen = []

    def heard(sender, message, **kwargs):
        seen.append((message.idempotency_key, message.status))

    message_status_changed.connect(heard, dispatch_uid="test-statuses")
    yield seen
    message_status_changed.disconnect(dispatch_uid="test-statuses")


def _reload(messages) -> list[Message]:
    return list(Message.objects.filter(pk__in=[m.pk for m in messages]).order_by("pk"))


def test_waiting_messages_are_sent_once_each_and_recorded(notify_provider, queue_texts, statuses):
    messages = queue_texts(12)
    summary = send_waiting_messages.apply().get()
    assert summary["sent"] == 12
    received = {item.reference: item.id for item in notify_provider.received()}
    for message in _reload(messages):
        assert message.status == MessageStatus.SENT
        assert message.provider == "notify" and message.provider_ref == received[message.idempotency_key]
        assert message.sent_at and message.attempts == 1
    assert set(notify_provider.accepted_counts().values()) == {1}
    assert sorted(statuses) == sorted((m.idempotency_key, MessageStatus.SENT) for m in messages)
    # Nothing is due any more: a second run sends nothing.
    assert messages_send_waiting().outcomes["sent"] == 0
    assert len(notify_provider.received()) == 12


def test_an_address_suppressed_after_queueing_is_withheld_when_its_turn_comes(notify_provider, queue_texts, statuses):
    stopped, other = queue_texts(2)
    Suppression.objects.create(address=stopped.to, reason=SuppressionReason.OPTED_OUT)
    messages_send_waiting()
    stopped.refresh_from_db()
    assert stopped.status == MessageStatus.WITHHELD
    assert stopped.status_note == "Replied STOP: no more messages to this number"
    assert [item.reference for item in notify_provider.received()] == [other.idempotency_key]
    assert (stopped.idempotency_key, MessageStatus.WITHHELD) in statuses


def test_a_registered_guard_withholds_a_message_with_its_reason(notify_provider, queue_texts, monkeypatch):
    covered, other = queue_texts(2)
    monkeypatch.setattr(guards, "_CHECKS", [])
    guards.register(
        lambda messages: {m.pk: "A Breathing Space covers this debt." for m in messages if m.pk == covered.pk}
    )
    messages_send_waiting()
    covered.refresh_from_db()
    assert (covered.status, covered.status_note) == (MessageStatus.WITHHELD, "A Breathing Space covers this debt.")
    assert [item.reference for item in notify_provider.received()] == [other.idempotency_key]


def test_a_message_due_when_quiet_hours_begin_waits_for_the_morning(
    notify_provider, queue_texts, settings, time_machine
):
    time_machine.move_to(datetime(2026, 12, 8, 19, 50, tzinfo=LONDON), tick=False)  # a Tuesday evening
    [message] = queue_texts(1)
    settings.MESSAGING_SEND_FROM, settings.MESSAGING_SEND_UNTIL = "08:00", "20:00"
    time_machine.move_to(datetime(2026, 12, 8, 20, 5, tzinfo=LONDON), tick=False)
    messages_send_waiting()
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.send_after == datetime(2026, 12, 9, 8, 0, tzinfo=LONDON)
    assert message.status_note.startswith("Waiting: no messages after 20:00")
    assert message.attempts == 0  # it was never offered to the provider
    assert notify_provider.received() == []
    time_machine.move_to(datetime(2026, 12, 9, 8, 0, 5, tzinfo=LONDON), tick=False)
    messages_send_waiting()
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 1


def test_with_the_provider_taken_away_a_queued_message_is_kept_as_not_sent_no_provider(
    notify_provider, queue_texts, settings, statuses
):
    [message] = queue_texts(1)
    settings.MESSAGING_PROVIDER = ""
    messages_send_waiting()
    message.refresh_from_db()
    assert message.status == MessageStatus.NO_PROVIDER
    assert message.get_status_display() == "Not sent: no provider is set up"
    assert statuses == [(message.idempotency_key, MessageStatus.NO_PROVIDER)]


def test_a_rate_limited_message_backs_off_and_then_goes(notify_provider, queue_texts, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    [message] = queue_texts(1)
    notify_provider.fail_next(1, status=429)
    messages_send_waiting()
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED and message.attempts == 1
    assert message.status_note.startswith("Trying again (try 1 of 5): Notify answered 429: Exceeded rate limit")
    assert timezone.now() < message.send_after <= timezone.now() + timedelta(seconds=2)
    messages_send_waiting()  # not due yet: nothing goes
    assert notify_provider.received() == []
    time_machine.shift(timedelta(seconds=3))
    messages_send_waiting()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)
    assert notify_provider.accepted_counts() == {message.idempotency_key: 1}


def test_a_server_error_is_retried_on_the_http_sms_provider_too(http_sms_provider, queue_texts, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    [message] = queue_texts(1)
    http_sms_provider.fail_next(1, status=500)
    messages_send_waiting()
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.send_after >= timezone.now() + timedelta(seconds=1)  # the provider's Retry-After is 1 second…
    time_machine.shift(timedelta(seconds=3))
    messages_send_waiting()
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.provider == "http_sms"


def test_after_the_last_try_a_message_fails_with_the_reason(notify_provider, queue_texts, settings, time_machine):
    settings.MESSAGING_MAX_ATTEMPTS = 3
    time_machine.move_to(timezone.now(), tick=False)
    [message] = queue_texts(1)
    notify_provider.fail_next(10, status=500)
    for _ in range(3):
        messages_send_waiting()
        time_machine.shift(timedelta(minutes=10))
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 3)
    assert message.status_note == "Not sent after 3 tries: Notify answered 500: Internal server error"
    messages_send_waiting()
    assert notify_provider.received() == []


def test_a_refused_message_fails_at_once_with_the_providers_words(notify_provider, queue_texts, statuses):
    [message] = queue_texts(1, to="+447700900999")
    notify_provider.fail_next(1, status=400, message="Can’t send to this recipient when service is in trial mode")
    messages_send_waiting()
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.attempts == 1
    assert message.status_note == (
        "Notify refused the message: Can’t send to this recipient when service is in trial mode"
    )
    assert statuses == [(message.idempotency_key, MessageStatus.FAILED)]


def test_a_dead_workers_messages_are_found_at_the_provider_or_sent_again_never_twice(notify_provider, queue_texts):
    arrived, lost, fresh = queue_texts(3)
    # A worker claimed two, handed the first to Notify and died before recording it.
    claimed = timezone.now() - stuck_after() - timedelta(seconds=1)
    Message.objects.filter(pk__in=[arrived.pk, lost.pk]).update(status=MessageStatus.SENDING, claimed_at=claimed)
    accepted = get_provider().send(arrived)
    # Another worker still sending (its claim is fresh) is left alone.
    Message.objects.filter(pk=fresh.pk).update(status=MessageStatus.SENDING, claimed_at=timezone.now())
    summary = messages_send_waiting()
    assert (summary.recovered_sent, summary.recovered_queued) == (1, 1)
    arrived.refresh_from_db(), lost.refresh_from_db(), fresh.refresh_from_db()
    assert (arrived.status, arrived.provider_ref) == (MessageStatus.SENT, accepted.provider_ref)
    assert lost.status == MessageStatus.SENT
    assert fresh.status == MessageStatus.SENDING
    assert notify_provider.accepted_counts() == {arrived.idempotency_key: 1, lost.idempotency_key: 1}


def test_a_claim_taken_back_is_not_sent_by_the_worker_that_lost_it(notify_provider, queue_texts):
    from messaging import sending

    [message] = queue_texts(1)
    [claimed] = sending._claim_batch(10)
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.QUEUED, claimed_at=None)  # recovered meanwhile
    summary = sending.SendSummary()
    sending._send_batch([claimed], get_provider(), sending.RateLimiter(), summary)
    assert summary.outcomes == {"claim_lost": 1}
    assert notify_provider.received() == []


def test_backoff_doubles_with_jitter_and_respects_retry_after():
    for attempts, ceiling in ((1, 2), (2, 4), (3, 8), (20, 600)):
        assert ceiling / 2 <= backoff_seconds(attempts) <= ceiling
    assert backoff_seconds(1, retry_after=30) == 30


def test_the_rate_limiter_gives_every_sender_the_next_slot_on_one_shared_schedule(settings):
    """Two limiters stand for two worker processes: on Redis they share one schedule, one slot a second here."""
    from messaging import sending

    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.skip("the shared limiter lives on the Redis broker")
    key = f"test:limiter:{uuid.uuid4().hex}"  # this test's schedule, not the test database's
    first, second = sending.RateLimiter(per_second=1, key=key), sending.RateLimiter(per_second=1, key=key)
    waits = [first._reserve(pause=0), second._reserve(pause=0), first._reserve(pause=0)]
    assert waits[0] < 0.5 and 0.5 < waits[1] <= 1.0 and 1.5 < waits[2] <= 2.0
    second.pause(30)  # the provider said Retry-After: 30
    assert 29 < first._reserve(pause=0) <= 30


def test_without_a_broker_the_limiter_paces_within_the_process(monkeypatch):
    from messaging import sending

    monkeypatch.setattr(sending, "_local_next", [0.0])  # this test's schedule, not the process's
    limiter = sending.RateLimiter(per_second=1, redis_url="")
    waits = [limiter._reserve(pause=0) for _ in range(3)]
    assert waits[1] - waits[0] > 0.5 and waits[2] - waits[1] > 0.5


def test_a_message_whose_worker_dies_every_time_fails_after_the_last_try(notify_provider, queue_texts, settings):
    [message] = queue_texts(1)
    claimed = timezone.now() - stuck_after() - timedelta(seconds=1)
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, claimed_at=claimed, attempts=settings.MESSAGING_MAX_ATTEMPTS
    )
    messages_send_waiting()
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.status_note == "Not sent after 5 tries: the worker sending it stopped each time."
    assert notify_provider.received() == []


@pytest.mark.django_db
def test_with_an_sms_provider_an_email_goes_through_the_mail_settings_and_counts_as_delivered(http_sms_provider):
    from django.core import mail

    from messaging.constants import Channel
    from tests.messaging.conftest import texts_queue

    (message,) = texts_queue(1, channel=Channel.EMAIL, to="ada@example.org", subject="Your rent", body="Please call.")
    messages_send_waiting()
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED and message.delivered_at is not None
    assert "mail server" in message.status_note
    (email,) = mail.outbox
    assert (email.to, email.subject, email.body) == (["ada@example.org"], "Your rent", "Please call.")
    assert email.extra_headers["X-Rentwise-Reference"] == message.idempotency_key
    assert http_sms_provider.received() == []  # the SMS provider was not asked to send an email
