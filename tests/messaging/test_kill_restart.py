"""A real Celery worker process sending a campaign is killed outright (SIGKILL) mid-batch, just after the provider
accepted a message but before the worker heard so; another worker starts; every message is sent, and the provider
(the local Notify server, over real HTTP) accepted every reference exactly once."""

import os
import uuid
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from incomeapp.celery import app as celery_app
from messaging.constants import MessageStatus
from messaging.models import Message
from messaging.sending import stuck_after
from messaging.tasks import send_waiting_messages
from tests.conftest import skip_or_fail
from tests.documents.workers import Worker, database_url, wait_for, worker_process_start
from tests.messaging.conftest import texts_queue

MESSAGES = 300
RATE = 100  # a second: the server's limit and the sender's pace


def _worker_env(server) -> dict[str, str]:
    """The product's own settings (not the test settings: tasks are not run inline), on the test database, with the
    provider at the local server and sending allowed at any hour."""
    return {
        **os.environ,
        **server.settings("notify"),
        "DJANGO_SETTINGS_MODULE": "incomeapp.settings.base",
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": django_settings.CELERY_RESULT_BACKEND or django_settings.CELERY_BROKER_URL,
        "MESSAGING_RATE_LIMIT_PER_SECOND": str(RATE),
        "MESSAGING_BATCH_SIZE": "100",
        "MESSAGING_SEND_FROM": "00:00",
        "MESSAGING_SEND_UNTIL": "24:00",
        "MESSAGING_SEND_ON_SUNDAYS": "true",
        "MESSAGING_SEND_ON_BANK_HOLIDAYS": "true",
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def _worker_start(env: dict[str, str]) -> Worker:
    name = f"messages-{uuid.uuid4().hex[:6]}@test"
    worker = worker_process_start(name, env)
    wait_for(lambda: len(celery_app.control.ping(destination=[name], timeout=1.0)) == 1, "the worker to answer")
    return worker


def _waiting() -> int:
    return Message.objects.filter(status__in=[MessageStatus.QUEUED, MessageStatus.SENDING]).count()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_and_another_started_sends_every_message_exactly_once(
    provider_server, notify_provider, settings
):
    if not settings.CELERY_BROKER_URL:
        skip_or_fail("CELERY_BROKER_URL is not set, so there is no broker for a worker")
    provider_server.rate_limit = RATE
    # The 61st message is accepted but its answer held back: the worker is killed while it waits for it.
    provider_server.hold_responses_after(60, seconds=60)
    env = _worker_env(provider_server)
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    started: list[Worker] = []
    try:
        started.append(_worker_start(env))
        # Queueing hands the messages to the sender once committed: the first worker takes them.
        messages = texts_queue(MESSAGES, prefix="campaign")
        assert all(message.status == MessageStatus.QUEUED for message in messages)
        wait_for(lambda: len(provider_server.received()) > 60, "the server to accept the first 61 messages")
        started[0].kill()
        provider_server.release_responses()
        accepted_before = len(provider_server.received())
        in_flight = provider_server.received()[-1].reference
        assert Message.objects.get(idempotency_key=in_flight).status == MessageStatus.SENDING
        assert Message.objects.filter(status=MessageStatus.SENT).count() == accepted_before - 1
        assert Message.objects.filter(status=MessageStatus.SENDING).count() > 1  # the rest of its batch
        # As if the few minutes had passed after which a claim nobody renews counts as a dead worker's.
        Message.objects.filter(status=MessageStatus.SENDING).update(
            claimed_at=timezone.now() - stuck_after() - timedelta(seconds=1)
        )
        started.append(_worker_start(env))
        send_waiting_messages.delay()
        wait_for(lambda: _waiting() == 0, "every message to be sent", seconds=180)
    finally:
        celery_app.conf.task_always_eager = eager
        for worker in started:
            worker.kill()
    counts = provider_server.accepted_counts()
    assert len(counts) == MESSAGES
    assert {key: count for key, count in counts.items() if count != 1} == {}
    assert set(counts) == {message.idempotency_key for message in messages}
    assert Message.objects.filter(status=MessageStatus.SENT).count() == MESSAGES
    recovered = Message.objects.get(idempotency_key=in_flight)
    assert recovered.status_note == "Found at the provider after the worker sending it stopped."
    assert recovered.provider_ref == next(item.id for item in provider_server.received() if item.reference == in_flight)
