"""POST /api/v1/payments/: payments post as a payment file does, once per Idempotency-Key and once per transaction id;
a bad payment anywhere posts nothing and says why, by pointer."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from api.models import IdempotencyRecord
from api.services_clients import api_client_revoke
from rentaccounts.constants import AccountKind, SuspenseStatus, TransactionType
from rentaccounts.models import Account, ImportBatch, SuspenseItem, Transaction
from rentaccounts.selectors import balance_differences
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.factories import TenancyFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/payments/"


@pytest.fixture
def tenancies():
    return [TenancyFactory(payment_reference=ref) for ref in ("RW000001", "RW000002")]


def _yesterday() -> str:
    return (timezone.localdate() - timedelta(days=1)).isoformat()


def _payment(**fields) -> dict:
    payment = {
        "payment_reference": "RW000001",
        "amount": "12.50",
        "date": _yesterday(),
        "method": "card",
        "transaction_id": "CARD-1",
    }
    payment.update(fields)
    return {name: value for name, value in payment.items() if value is not None}


def _post(http, payments, key="key-1"):
    return http.post(URL, {"payments": payments}, format="json", HTTP_IDEMPOTENCY_KEY=key)


def _rent(reference: str) -> Account:
    return Account.objects.get(tenancy__payment_reference=reference, kind=AccountKind.RENT)


def test_payments_post_to_the_ledger_as_the_client_and_say_where(api_client_for, tenancies):
    http = api_client_for("payments:write")
    response = _post(
        http,
        [
            _payment(),
            _payment(payment_reference="rw000002", amount="45.5", method="Direct Debit", transaction_id="DD-9"),
        ],
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    first, second = body["payments"]
    line = Transaction.objects.get(idempotency_key="import:generic-csv:CARD-1")
    assert (line.amount, line.account, line.posted_by, line.payment_method) == (
        Decimal("-12.50"), _rent("RW000001"), http.client.user, "card",
    )  # fmt: skip
    assert first == {
        "transaction_id": "CARD-1",
        "payment_reference": "RW000001",
        "amount": "12.50",
        "outcome": "posted",
        "reason": "",
        "transactions": [
            {
                "id": line.pk,
                "account_id": line.account_id,
                "account_kind": "rent",
                "amount": "-12.50",
                "effective_date": _yesterday(),
            }
        ],
        "suspense_item_id": None,
    }
    assert second["outcome"] == "posted"
    assert second["transactions"][0]["account_id"] == _rent("RW000002").pk
    assert Transaction.objects.get(idempotency_key="import:generic-csv:DD-9").payment_method == "direct_debit"
    assert body["totals"] == {
        "payments": 2, "posted": 2, "posted_amount": "58.00", "suspense": 0, "suspense_amount": "0.00",
        "already_posted": 0, "rejected": 0,
    }  # fmt: skip
    batch = ImportBatch.objects.get(pk=body["batch_id"])
    assert batch.uploaded_by == http.client.user
    assert batch.file_name == f"API {http.client.name} key-1"
    assert _rent("RW000001").balance == Decimal("-12.50")
    assert balance_differences() == []


def test_a_client_without_payments_write_is_403_and_posts_nothing(api_client_for, tenancies):
    http = api_client_for("accounts:read", "contacts:write")
    response = _post(http, [_payment()])
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
    assert "payments:write" in response.json()["detail"]
    assert not Transaction.objects.exists()
    assert not ImportBatch.objects.exists()


def test_a_revoked_key_is_401_and_posts_nothing(api_client_for, administrator, tenancies):
    http = api_client_for("payments:write")
    api_client_revoke(by=administrator, client=http.client)
    response = _post(http, [_payment()])
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    assert not Transaction.objects.exists()


def test_the_idempotency_key_is_required(api_client_for, tenancies):
    http = api_client_for("payments:write")
    response = http.post(URL, {"payments": [_payment()]}, format="json")
    assert response.status_code == 400
    assert response.json()["type"] == "urn:rentwise:problem:idempotency-key-missing"
    assert not Transaction.objects.exists()


def test_the_same_request_twice_posts_once_and_replays_the_first_answer(api_client_for, tenancies):
    http = api_client_for("payments:write")
    first = _post(http, [_payment()])
    assert first.status_code == 201
    again = _post(http, [_payment()])
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert again.json() == first.json()
    assert Transaction.objects.filter(external_reference="CARD-1").count() == 1
    assert ImportBatch.objects.count() == 1
    assert _rent("RW000001").balance == Decimal("-12.50")


def test_a_key_freed_by_a_failed_call_just_as_another_claims_it_is_claimed_again(
    api_client_for, tenancies, monkeypatch
):
    """Two calls with one key at once (schemathesis's workers do this): the first holds the key, the second's claim
    is refused, and the first fails and frees the key before the second looks for it. The second claims it again
    and posts once, rather than failing with a server error."""
    http = api_client_for("payments:write")
    holder = IdempotencyRecord.objects.create(client=http.client, key="key-1", request_hash="another request")
    queryset, uses = IdempotencyRecord.objects.get_queryset, []

    def holder_fails_after_the_first_insert(*args, **kwargs):
        if uses:  # the claim's insert has been refused: the holding call fails now and frees the key
            IdempotencyRecord._base_manager.filter(pk=holder.pk).delete()
        uses.append(True)
        return queryset(*args, **kwargs)

    monkeypatch.setattr(IdempotencyRecord.objects, "get_queryset", holder_fails_after_the_first_insert)
    response = _post(http, [_payment()])
    assert response.status_code == 201, response.content
    assert Transaction.objects.filter(external_reference="CARD-1").count() == 1
    assert IdempotencyRecord.objects.get(key="key-1").status == 201


def test_the_same_key_with_another_body_is_422_and_posts_nothing(api_client_for, tenancies):
    http = api_client_for("payments:write")
    assert _post(http, [_payment()]).status_code == 201
    response = _post(http, [_payment(amount="99.00", transaction_id="CARD-2")])
    assert response.status_code == 422
    assert response.json()["type"] == "urn:rentwise:problem:idempotency-key-reused"
    assert not Transaction.objects.filter(external_reference="CARD-2").exists()
    assert Transaction.objects.count() == 1


def test_an_invalid_payment_among_valid_ones_posts_nothing_and_names_each_problem(api_client_for, tenancies):
    http = api_client_for("payments:write")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    payments = [
        _payment(transaction_id="OK-1"),
        _payment(amount="-5", transaction_id="BAD-1"),
        _payment(amount="12.345", transaction_id="BAD-2"),
        _payment(date=tomorrow, transaction_id="BAD-3"),
        _payment(transaction_id=None),
        _payment(method="cheque", transaction_id="BAD-5"),
        _payment(amount=12.5, transaction_id="BAD-6"),
        _payment(transaction_id="OK-2", payment_reference="RW000002"),
    ]
    response = _post(http, payments)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    errors = {error["pointer"]: error["detail"] for error in body["errors"]}
    assert set(errors) == {
        "/payments/1/amount",
        "/payments/2/amount",
        "/payments/3/date",
        "/payments/4/transaction_id",
        "/payments/5/method",
        "/payments/6/amount",
    }
    assert "more than 0.00" in errors["/payments/1/amount"]
    assert "more than 2 decimal places" in errors["/payments/2/amount"]
    assert "in the future" in errors["/payments/3/date"]
    assert "transaction_id" in errors["/payments/4/transaction_id"]
    assert "'cheque' is not a payment method we know" in errors["/payments/5/method"]
    assert "not a number" in errors["/payments/6/amount"]
    assert "Nothing was changed" in body["detail"]
    assert not Transaction.objects.exists()
    assert not ImportBatch.objects.exists()
    assert not IdempotencyRecord.objects.exists()  # the key is free for the corrected request
    corrected = _post(http, [_payment(transaction_id="OK-1")])
    assert corrected.status_code == 201


@pytest.mark.parametrize(
    "body, pointer",
    [
        ({"payments": []}, "/payments"),
        ({}, "/payments"),
        ({"payments": "all of them"}, "/payments"),
        ({"payments": [_payment() | {"transaction_id": f"T-{n}"} for n in range(1001)]}, "/payments"),
        ({"payments": [_payment(), _payment()]}, "/payments/1/transaction_id"),
        ({"payments": [_payment(transaction_id="X" * 101)]}, "/payments/0/transaction_id"),
        ({"payments": [_payment(transaction_id="A\nB")]}, "/payments/0/transaction_id"),
        ({"payments": [_payment(date="23/11/2026")]}, "/payments/0/date"),
        ({"payments": [_payment(amount="1000000.00")]}, "/payments/0/amount"),
        ({"payments": [_payment(payment_reference=None)]}, "/payments/0/payment_reference"),
        ({"payments": ["not a payment"]}, "/payments/0"),
    ],
)
def test_rubbish_is_a_400_problem_with_a_pointer(api_client_for, tenancies, body, pointer):
    http = api_client_for("payments:write")
    response = http.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 400, response.json()
    assert pointer in [error["pointer"] for error in response.json()["errors"]]
    assert not Transaction.objects.exists()
    assert not ImportBatch.objects.exists()


def test_an_unknown_reference_goes_to_suspense_with_its_reason(api_client_for, tenancies):
    http = api_client_for("payments:write")
    response = _post(http, [_payment(), _payment(payment_reference="ZZ999999", amount="60.00", transaction_id="SO-7")])
    assert response.status_code == 201
    body = response.json()
    held = body["payments"][1]
    item = SuspenseItem.objects.get()
    assert held == {
        "transaction_id": "SO-7",
        "payment_reference": "ZZ999999",
        "amount": "60.00",
        "outcome": "suspense",
        "reason": "No tenancy has the payment reference 'ZZ999999'.",
        "transactions": [],
        "suspense_item_id": item.pk,
    }
    assert (item.amount, item.external_id, item.status) == (Decimal("-60.00"), "SO-7", SuspenseStatus.OPEN)
    assert item.batch_id == body["batch_id"]
    assert body["totals"]["suspense"] == 1 and body["totals"]["suspense_amount"] == "60.00"
    assert not Transaction.objects.filter(external_reference="SO-7").exists()
    assert balance_differences() == []


def test_a_transaction_id_posted_before_is_already_posted_and_not_posted_again(api_client_for, tenancies):
    http = api_client_for("payments:write")
    first = _post(http, [_payment()], key="key-1").json()
    # The same payment again under a new key (the provider's retry made a new key), beside a new one.
    response = _post(http, [_payment(), _payment(transaction_id="CARD-2", amount="5.00")], key="key-2")
    assert response.status_code == 201
    again, new = response.json()["payments"]
    assert again["outcome"] == "already_posted"
    assert "not posted again" in again["reason"]
    assert again["transactions"] == first["payments"][0]["transactions"]
    assert new["outcome"] == "posted"
    assert Transaction.objects.filter(external_reference="CARD-1").count() == 1
    assert response.json()["totals"]["already_posted"] == 1
    assert _rent("RW000001").balance == Decimal("-17.50")
    # Exactly the same payments under a third key: all already posted, not refused as a file imported before.
    third = _post(http, [_payment()], key="key-3")
    assert third.status_code == 201
    assert third.json()["payments"][0]["outcome"] == "already_posted"
    assert Transaction.objects.count() == 2
    assert balance_differences() == []


def test_a_payment_clears_a_sub_account_first_and_every_leg_is_listed(api_client_for, tenancies):
    costs = account_get_or_create(tenancy=tenancies[0], kind=AccountKind.COURT_COSTS)
    transactions_post(
        postings=[Posting(costs.pk, TransactionType.COURT_COSTS, Decimal("5.00"), timezone.localdate(), "costs:1")]
    )
    http = api_client_for("payments:write")
    response = _post(http, [_payment()])
    assert response.status_code == 201
    legs = response.json()["payments"][0]["transactions"]
    posted = Transaction.objects.filter(external_reference="CARD-1").order_by("id")
    assert sorted(leg["id"] for leg in legs) == [line.pk for line in posted]
    assert sum(Decimal(leg["amount"]) for leg in legs) == Decimal("-12.50")
    assert len(legs) == 2 and {leg["account_kind"] for leg in legs} == {"rent", "court_costs"}
    assert balance_differences() == []
