"""Webhooks end to end: domain events become signed posts to a real HTTP receiver (a server in the test), a failing
receiver is retried with backoff and then marked failed, and the subscriptions API keeps to its scopes and client."""

import json
import threading
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from api.constants import DeliveryState
from api.models import WebhookDelivery, WebhookSubscription
from api.services_clients import api_client_revoke
from api.webhooks import deliveries_send_due, signature_verify
from arrears.models import ArrearsCase
from arrears.review import review_run
from arrears.services import policies_install_shipped
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.imports.services import import_batch_create, import_batch_process
from rentaccounts.models import Transaction
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.factories import TenancyFactory, tenancy_on_patch_of, user_with_role

# transaction=True: API views run outside the request transaction, as in production (a 4xx answer marks the test's
# wrapping transaction for rollback through DRF's set_rollback otherwise), and events go out as their writes commit.
pytestmark = pytest.mark.django_db(transaction=True)

HEADER = b"payment_reference,date,amount,method,transaction_id\n"


class Receiver:
    """A real HTTP server on 127.0.0.1 that records each post and answers with `status`."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(outer.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.API_WEBHOOK_ALLOW_LOCAL_HTTP = True
    server = Receiver()
    yield server
    server.close()


def _subscribe(http, url, events) -> dict:
    response = http.post("/api/v1/webhooks/", {"url": url, "events": events}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _import_payment(django_capture_on_commit_callbacks, reference="RW000001", amount="100.00", txn="BANK-1"):
    content = HEADER + f"{reference},2026-11-23,{amount},dd,{txn}\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        batch = import_batch_create(file_name=f"{txn}.csv", content=content, format="generic-csv", uploaded_by=None)
        return import_batch_process(batch_id=batch.pk)


@pytest.fixture
def payment_subscriber(api_client_for, receiver):
    """A client subscribed to payment.posted at the receiver, and tenancy RW000001 for the imported payment."""
    policies_install_shipped()
    TenancyFactory(payment_reference="RW000001")
    http = api_client_for("webhooks", "accounts:read")
    return http, _subscribe(http, receiver.url, ["payment.posted"])


def test_a_payment_imported_reaches_the_receiver_signed(
    payment_subscriber, receiver, django_capture_on_commit_callbacks
):
    http, subscription = payment_subscriber
    secret = subscription["secret"]
    assert secret.startswith("whsec_")

    batch = _import_payment(django_capture_on_commit_callbacks)

    assert len(receiver.requests) == 1  # sent at once (Celery is eager in tests), after the import committed
    posted = receiver.requests[0]
    headers, body = posted["headers"], posted["body"]
    assert headers["Content-Type"] == "application/json"
    assert headers["Rentwise-Event"] == "payment.posted"
    document = json.loads(body)
    line = Transaction.objects.get(import_batch=batch)
    assert document["type"] == "payment.posted"
    assert document["data"] == {
        "transaction_id": line.pk,
        "account_id": line.account_id,
        "payment_reference": "RW000001",
        "transaction_type": "payment",
        "amount": "100.00",
        "effective_date": "2026-11-23",
        "external_reference": "BANK-1",
        "import_batch_id": batch.pk,
    }
    delivery = WebhookDelivery.objects.get()
    assert headers["Rentwise-Delivery"] == str(delivery.pk)
    assert document["id"] == str(delivery.event_id)
    assert (delivery.state, delivery.attempts, delivery.last_status) == (DeliveryState.DELIVERED, 1, 200)

    signature = headers["Rentwise-Signature"]
    assert signature_verify(secret, signature, body)
    assert not signature_verify(secret, signature, body.replace(b"100.00", b"900.00"))  # tampered body
    assert not signature_verify("whsec_wrong", signature, body)  # wrong secret
    assert not signature_verify(secret, signature, body, now=timezone.now().timestamp() + 3600)  # replayed later
    assert not signature_verify(secret, "t=abc,v1=00", body)

    # Delivered once: a later run sends nothing again.
    deliveries_send_due()
    assert len(receiver.requests) == 1
    # The client lists it with its state; the secret is never shown again.
    listed = http.get(f"/api/v1/webhooks/{subscription['id']}/deliveries/").json()["results"]
    assert [(d["state"], d["attempts"], d["last_status"]) for d in listed] == [("delivered", 1, 200)]
    assert "secret" not in http.get(f"/api/v1/webhooks/{subscription['id']}/").json()
    assert "secret" not in json.dumps(http.get("/api/v1/webhooks/").json())


def test_a_failing_receiver_is_retried_with_backoff_then_marked_failed(
    payment_subscriber, receiver, settings, django_capture_on_commit_callbacks
):
    http, subscription = payment_subscriber
    receiver.status = 500

    before = timezone.now()
    _import_payment(django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == (DeliveryState.RETRYING, 1, 500)
    assert "500" in delivery.last_error
    wait = (delivery.next_attempt_at - before).total_seconds()
    assert settings.API_WEBHOOK_RETRY_SECONDS <= wait <= settings.API_WEBHOOK_RETRY_SECONDS * 1.1 + 5

    deliveries_send_due()  # not due yet: nothing is sent
    assert len(receiver.requests) == 1

    for attempt in range(2, settings.API_WEBHOOK_MAX_ATTEMPTS + 1):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        previous_wait = delivery.next_attempt_at
        deliveries_send_due()
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        assert len(receiver.requests) == attempt
        if attempt < settings.API_WEBHOOK_MAX_ATTEMPTS:
            # Backoff: RETRY_SECONDS × 4^(attempts - 1), with a little jitter.
            expected = settings.API_WEBHOOK_RETRY_SECONDS * 4 ** (attempt - 1)
            seconds = (delivery.next_attempt_at - timezone.now()).total_seconds()
            assert expected - 5 <= seconds <= expected * 1.1 + 5, (attempt, seconds, previous_wait)
    assert (delivery.state, delivery.last_status, delivery.next_attempt_at) == (DeliveryState.FAILED, 500, None)

    deliveries_send_due()  # failed: never sent again by itself
    assert len(receiver.requests) == settings.API_WEBHOOK_MAX_ATTEMPTS
    # Every try carried the same event id, so a receiver can ignore a repeat.
    assert len({json.loads(r["body"])["id"] for r in receiver.requests}) == 1

    failed = http.get(f"/api/v1/webhooks/{subscription['id']}/deliveries/?state=failed").json()["results"]
    assert [d["id"] for d in failed] == [delivery.pk] and failed[0]["last_status"] == 500
    assert http.get(f"/api/v1/webhooks/{subscription['id']}/deliveries/?state=lost").status_code == 400

    # The client asks for it to be tried again once its receiver is fixed.
    receiver.status = 204
    retry = f"/api/v1/webhooks/{subscription['id']}/deliveries/{delivery.pk}/retry/"
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(retry, HTTP_IDEMPOTENCY_KEY="retry-1")
    assert response.status_code == 202, response.content
    delivery.refresh_from_db()
    assert (delivery.state, delivery.last_status, delivery.attempts) == (DeliveryState.DELIVERED, 204, 1)
    assert len(receiver.requests) == settings.API_WEBHOOK_MAX_ATTEMPTS + 1
    again = http.post(retry)
    assert again.status_code == 422 and "nothing to retry" in again.json()["detail"]


def test_a_network_error_is_retried(api_client_for, settings):
    settings.API_WEBHOOK_ALLOW_LOCAL_HTTP = True
    http = api_client_for("webhooks", "cases:read")
    subscription = _subscribe(http, "http://127.0.0.1:9/nothing-listens", ["case.opened"])
    from api.webhooks import deliveries_create

    deliveries_create("case.opened", [{"case_id": 1}], list(WebhookSubscription.objects.filter(pk=subscription["id"])))
    deliveries_send_due()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == (DeliveryState.RETRYING, 1, None)
    assert delivery.last_error.startswith("Could not reach the address")


def test_breathing_space_needs_the_sensitive_scope(api_client_for, receiver):
    http = api_client_for("webhooks", "cases:read")
    response = http.post(
        "/api/v1/webhooks/", {"url": receiver.url, "events": ["breathing_space.recorded"]}, format="json"
    )
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
    assert "sensitive:read" in response.json()["detail"]
    assert not WebhookSubscription.objects.exists()

    allowed = api_client_for("webhooks", "sensitive:read")
    assert _subscribe(allowed, receiver.url, ["breathing_space.recorded"])["events"] == ["breathing_space.recorded"]


def test_subscriptions_are_checked_and_kept_to_their_client(api_client_for, receiver, settings):
    http = api_client_for("webhooks", "accounts:read")
    other = api_client_for("webhooks", "accounts:read")
    theirs = _subscribe(other, receiver.url, ["payment.posted"])
    assert http.get(f"/api/v1/webhooks/{theirs['id']}/").status_code == 404
    assert http.delete(f"/api/v1/webhooks/{theirs['id']}/").status_code == 404
    assert http.get(f"/api/v1/webhooks/{theirs['id']}/deliveries/").status_code == 404
    assert http.get("/api/v1/webhooks/99999999999999999999/").status_code == 404
    assert http.get("/api/v1/webhooks/").json()["results"] == []

    bad = http.post("/api/v1/webhooks/", {"url": "ftp://x", "events": ["payment.sent"]}, format="json")
    assert bad.status_code == 400
    assert {e["pointer"] for e in bad.json()["errors"]} == {"/url", "/events/0"}
    settings.API_WEBHOOK_ALLOW_LOCAL_HTTP = False
    local = http.post("/api/v1/webhooks/", {"url": receiver.url, "events": ["payment.posted"]}, format="json")
    assert local.status_code == 400 and "https://" in local.json()["errors"][0]["detail"]
    private = http.post("/api/v1/webhooks/", {"url": "https://10.1.2.3/h", "events": ["payment.posted"]}, format="json")
    assert private.status_code == 400
    assert http.post("/api/v1/webhooks/", {"url": "https://x.example", "events": []}, format="json").status_code == 400

    no_scope = api_client_for("accounts:read")
    assert no_scope.get("/api/v1/webhooks/").status_code == 403

    # Ending one keeps it (and its history), inactive.
    assert other.delete(f"/api/v1/webhooks/{theirs['id']}/").status_code == 204
    ended = other.get(f"/api/v1/webhooks/{theirs['id']}/").json()
    assert ended["active"] is False and ended["ended_at"]
    assert other.delete(f"/api/v1/webhooks/{theirs['id']}/").status_code == 204


def test_a_revoked_clients_subscriptions_get_nothing(
    administrator, payment_subscriber, receiver, django_capture_on_commit_callbacks
):
    http, subscription = payment_subscriber
    # One queued before the revoke (say the sender was down) is not sent after it either.
    from api.webhooks import deliveries_create

    deliveries_create("payment.posted", [{"transaction_id": 1}], [WebhookSubscription.objects.get()])
    api_client_revoke(by=administrator, client=http.client)

    _import_payment(django_capture_on_commit_callbacks)
    deliveries_send_due()

    assert receiver.requests == []
    assert not WebhookSubscription.objects.get(pk=subscription["id"]).active
    assert list(WebhookDelivery.objects.values_list("state", flat=True)) == [DeliveryState.FAILED]


def _rent_owed_for_three_weeks():
    """With the shipped policies, a tenancy on an officer's patch owing £250.00 of rent due three weeks ago: the next
    review opens a case. Returns (officer, tenancy, account, the day the rent was due)."""
    policies_install_shipped()
    officer = user_with_role(Role.INCOME_OFFICER)
    tenancy = tenancy_on_patch_of(officer)
    account = account_get_or_create(tenancy=tenancy)
    day = timezone.localdate() - timedelta(days=21)
    transactions_post(postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("250.00"), day, "owed")])
    return officer, tenancy, account, day


def test_a_review_that_opens_a_case_sends_case_opened(api_client_for, receiver, django_capture_on_commit_callbacks):
    _, tenancy, account, day = _rent_owed_for_three_weeks()
    http = api_client_for("webhooks", "cases:read")
    _subscribe(http, receiver.url, ["case.opened", "case.closed"])

    with django_capture_on_commit_callbacks(execute=True):
        review_run(as_of=timezone.localdate())

    case = ArrearsCase.objects.get(account=account)
    assert len(receiver.requests) == 1
    document = json.loads(receiver.requests[0]["body"])
    assert document["type"] == "case.opened"
    assert document["data"] == {
        "case_id": case.pk,
        "account_id": account.pk,
        "payment_reference": tenancy.payment_reference,
        "status": "open",
        "ladder": case.ladder,
        "opened_on": timezone.localdate().isoformat(),
        "closed_on": None,
    }

    # Paid off: the next review closes the case, and case.closed follows.
    transactions_post(postings=[Posting(account.pk, TransactionType.PAYMENT, Decimal("-250.00"), day, "paid")])
    with django_capture_on_commit_callbacks(execute=True):
        review_run(as_of=timezone.localdate() + timedelta(days=7))
    assert [json.loads(r["body"])["type"] for r in receiver.requests] == ["case.opened", "case.closed"]
    assert json.loads(receiver.requests[1]["body"])["data"]["case_id"] == case.pk


def test_a_changed_recommendation_is_announced(api_client_for, receiver, django_capture_on_commit_callbacks):
    from arrears.constants import ContactKind, ContactOutcome
    from arrears.services import contact_record

    officer, _, account, _ = _rent_owed_for_three_weeks()
    review_run(as_of=timezone.localdate())
    case = ArrearsCase.objects.select_related("latest_recommendation").get(account=account)
    assert case.latest_recommendation.action == "contact_before_send_reminder_1"
    http = api_client_for("webhooks", "cases:read")
    _subscribe(http, receiver.url, ["recommendation.changed"])

    with django_capture_on_commit_callbacks(execute=True):
        contact_record(
            case=case,
            kind=ContactKind.CALL,
            outcome=ContactOutcome.NO_ANSWER,
            occurred_on=timezone.localdate(),
            recorded_by=officer,
        )

    assert len(receiver.requests) == 1
    data = json.loads(receiver.requests[0]["body"])["data"]
    case.refresh_from_db()
    assert (data["case_id"], data["previous_action"], data["action"]) == (
        case.pk,
        "contact_before_send_reminder_1",
        "send_reminder_1",
    )
    assert data["recommendation_id"] == case.latest_recommendation_id
