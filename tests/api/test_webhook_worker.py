"""A real Celery worker (through Redis) sends a webhook to a receiver that keeps failing: it is tried again with
growing waits, by Celery alone (the task schedules its next run; no beat here), then marked failed, every try with the
same event id and a signature the receiver can check."""

import json
import os
import uuid

import pytest
from django.conf import settings as django_settings

from api.constants import DeliveryState, Event
from api.models import WebhookDelivery
from api.services_webhooks import subscription_create
from api.webhooks import deliveries_create, sender_start, signature_verify
from incomeapp.celery import app as celery_app
from tests.api.test_webhooks import Receiver
from tests.conftest import skip_or_fail
from tests.documents.workers import database_url, wait_for, worker_process_start

TRIES = 3
FIRST_WAIT = 1  # seconds: then 4


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_failing_receiver_is_retried_by_celery_with_backoff_then_marked_failed(api_client_for, settings):
    if not settings.CELERY_BROKER_URL:
        skip_or_fail("CELERY_BROKER_URL is not set, so there is no broker for a worker")
    settings.API_WEBHOOK_ALLOW_LOCAL_HTTP = True
    receiver = Receiver()
    receiver.status = 500
    http = api_client_for("webhooks", "accounts:read")
    issued = subscription_create(
        by=http.client.user, client=http.client, url=receiver.url, events=[Event.PAYMENT_POSTED]
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "incomeapp.settings.base",
        "DJANGO_DEBUG": "true",  # http:// to 127.0.0.1 is allowed on a development server
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": django_settings.CELERY_RESULT_BACKEND or django_settings.CELERY_BROKER_URL,
        "API_WEBHOOK_MAX_ATTEMPTS": str(TRIES),
        "API_WEBHOOK_RETRY_SECONDS": str(FIRST_WAIT),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    name = f"webhooks-{uuid.uuid4().hex[:6]}@test"
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    worker = worker_process_start(name, env)
    try:
        wait_for(lambda: len(celery_app.control.ping(destination=[name], timeout=1.0)) == 1, "the worker to answer")
        deliveries_create(Event.PAYMENT_POSTED, [{"transaction_id": 1, "amount": "100.00"}], [issued.subscription])
        sender_start()
        wait_for(
            lambda: WebhookDelivery.objects.filter(state=DeliveryState.FAILED).exists(),
            "the delivery to be failed after its tries",
            seconds=60,
        )
    finally:
        worker.kill()
        celery_app.conf.task_always_eager = eager
        receiver.close()

    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == TRIES and delivery.last_status == 500
    assert len(receiver.requests) == TRIES
    bodies = [json.loads(request["body"]) for request in receiver.requests]
    assert len({body["id"] for body in bodies}) == 1  # the same event every try
    for request in receiver.requests:
        assert signature_verify(issued.secret, request["headers"]["Rentwise-Signature"], request["body"])
    first = receiver.requests[0]
    assert not signature_verify("another secret", first["headers"]["Rentwise-Signature"], first["body"])
