"""POST /api/v1/contacts/: a CRM's contact lands in the open case's diary, recorded by the client's service user,
through the officers' own service; what cannot be recorded is a plain problem and records nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from arrears.constants import CaseStatus
from arrears.models import ArrearsCase, Contact
from arrears.services import policies_install_shipped
from rentaccounts.constants import AccountKind, TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.factories import PersonFactory, TenancyFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/contacts/"


TOMORROW = object()  # worked out when the test runs, not when it is collected (a run may cross midnight)


def _ago(days: int):
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def case():
    policies_install_shipped()
    lead = PersonFactory(source_reference="HMS-P-1")
    tenancy = TenancyFactory(payment_reference="RW000001", lead_tenant=lead)
    account = account_get_or_create(tenancy=tenancy)
    transactions_post(postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("300.00"), _ago(20), "d:1")])
    return ArrearsCase.objects.create(account=account, opened_on=_ago(10))


def _contact(**fields) -> dict:
    body = {
        "payment_reference": "RW000001",
        "kind": "call",
        "outcome": "spoke",
        "occurred_on": _ago(1).isoformat(),
        "notes": "Universal Credit was late; will pay on Friday.",
    }
    body.update(fields)
    return {name: value for name, value in body.items() if value is not None}


def _post(http, body, key="c-1"):
    return http.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_contact_lands_in_the_case_diary_recorded_by_the_client(api_client_for, case):
    http = api_client_for("contacts:write", name="Housing CRM")
    body = _contact(
        person="HMS-P-1", promise_amount="50.00", promise_on=(_ago(-4)).isoformat(), non_payment_reason="benefit_delay"
    )
    response = _post(http, body)
    assert response.status_code == 201, response.json()
    # Only the client's contact is recorded by its service user (the re-review may queue a letter of its own).
    contact = Contact.objects.get(case=case, recorded_by=http.client.user)
    assert (contact.kind, contact.outcome, contact.occurred_on, contact.notes) == (
        "call", "spoke", _ago(1), "Universal Credit was late; will pay on Friday.",
    )  # fmt: skip
    assert contact.person.source_reference == "HMS-P-1"
    assert (contact.promise_amount, contact.promise_on) == (Decimal("50.00"), _ago(-4))
    assert contact.non_payment_reason == "benefit_delay"
    answer = response.json()
    case.refresh_from_db()
    assert answer["id"] == contact.pk and answer["case_id"] == case.pk
    assert answer["person"] == "HMS-P-1" and answer["promise_amount"] == "50.00"
    assert answer["recorded_by"] == "API: Housing CRM"
    assert answer["re_review_requested"] is True
    # The re-review ran for the case (a live policy): the answer shows the recommendation it made.
    assert case.latest_recommendation is not None
    assert answer["recommendation"]["id"] == case.latest_recommendation_id
    assert case.latest_recommendation.run.scope == f"case:{case.pk}"


def test_the_same_contact_twice_with_one_key_is_recorded_once(api_client_for, case):
    http = api_client_for("contacts:write")
    first = _post(http, _contact())
    again = _post(http, _contact())
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Contact.objects.filter(case=case, kind="call").count() == 1


def test_no_open_case_is_422_and_records_nothing(api_client_for, case):
    ArrearsCase.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_on=_ago(1))
    http = api_client_for("contacts:write")
    response = _post(http, _contact())
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "urn:rentwise:problem:no-open-case"
    assert "There is no open arrears case for tenancy RW000001" in problem["detail"]
    assert not Contact.objects.exists()


def test_the_rent_case_is_chosen_over_a_sundry_case(api_client_for, case):
    sundry = account_get_or_create(tenancy=case.account.tenancy, kind=AccountKind.SUNDRY)
    ArrearsCase.objects.create(account=sundry, opened_on=_ago(1), ladder="sundry")
    http = api_client_for("contacts:write")
    response = _post(http, _contact())
    assert response.json()["case_id"] == case.pk
    assert Contact.objects.get(kind="call").case == case


@pytest.mark.parametrize(
    "fields, pointer, words",
    [
        ({"kind": "fax"}, "/kind", "'fax' is not a kind of contact we know. Send one of: call, visit"),
        ({"kind": None}, "/kind", "Send a kind of contact"),
        ({"outcome": "sent"}, "/outcome", "spoke, no_answer, left_message, returned"),
        ({"non_payment_reason": "lazy"}, "/non_payment_reason", "benefit_delay"),
        ({"occurred_on": TOMORROW}, "/occurred_on", "in the future"),
        ({"occurred_on": "23/11/2026"}, "/occurred_on", "YYYY-MM-DD"),
        ({"promise_amount": "50.00"}, "/promise_on", "both an amount"),
        ({"promise_amount": 50, "promise_on": "2026-12-31"}, "/promise_amount", "as a string"),
        ({"payment_reference": "ZZ999999"}, "/payment_reference", "No tenancy has the payment reference"),
        ({"notes": "a\x00b"}, "/notes", "control character"),
        ({"person": "HMS-P-404"}, "/person", "is not the reference of a named tenant of tenancy RW000001"),
    ],
)
def test_bad_fields_are_400_with_a_pointer_and_record_nothing(api_client_for, case, fields, pointer, words):
    fields = {name: _ago(-1).isoformat() if value is TOMORROW else value for name, value in fields.items()}
    http = api_client_for("contacts:write")
    response = _post(http, _contact(**fields))
    assert response.status_code == 400, response.json()
    errors = {error["pointer"]: error["detail"] for error in response.json()["errors"]}
    assert pointer in errors
    assert words in errors[pointer]
    assert not Contact.objects.exists()


def test_a_person_who_is_not_a_named_tenant_of_the_tenancy_is_400(api_client_for, case):
    TenancyFactory(payment_reference="RW000002", lead_tenant=PersonFactory(source_reference="HMS-P-2"))
    http = api_client_for("contacts:write")
    response = _post(http, _contact(person="HMS-P-2"))
    assert response.status_code == 400
    assert [error["pointer"] for error in response.json()["errors"]] == ["/person"]
    assert not Contact.objects.exists()


def test_without_contacts_write_is_403(api_client_for, case):
    http = api_client_for("payments:write", "cases:read")
    response = _post(http, _contact())
    assert response.status_code == 403
    assert "contacts:write" in response.json()["detail"]
    assert not Contact.objects.exists()
