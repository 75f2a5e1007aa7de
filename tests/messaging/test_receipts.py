"""Delivery reports from the provider (messaging.services_receipts.receipt_record through the callback pages): each
moves its message forward only and puts the diary outcome right; a permanent failure marks the number wrong, so later
messages to it are withheld; a repeated or late report changes nothing; the callbacks refuse a bad token and bad
input in plain words."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from arrears.constants import ContactKind, ContactOutcome
from arrears.models import ArrearsCase, Contact
from messaging.constants import Channel, MessageStatus, SuppressionReason
from messaging.models import DeliveryReceipt, Message, Suppression
from messaging.services import Draft, messages_queue, suppressed_addresses
from messaging.services_receipts import receipt_record
from messaging.signals import address_suppressed, message_status_changed
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tenancies.models import Person, TenancyTenant
from tests.factories import PersonFactory, TenancyFactory, london_noon, signals_caught

pytestmark = pytest.mark.django_db

TOKEN = "callback-secret-for-tests"
WEDNESDAY = date(2026, 11, 25)
NUMBER = "+447700900123"


@pytest.fixture(autouse=True)
def callbacks_on(settings, time_machine):
    settings.MESSAGING_CALLBACK_TOKEN = TOKEN
    settings.MESSAGING_PROVIDER = "notify"
    time_machine.move_to(london_noon(WEDNESDAY), tick=False)


def texter(mobile="07700 900123", **fields) -> Person:
    return PersonFactory(mobile=mobile, texts_allowed=True, preferred_contact="sms", **fields)


def owing_case(lead=None, *others) -> ArrearsCase:
    tenancy = TenancyFactory(lead_tenant=lead or texter())
    for person in others:
        TenancyTenant.objects.create(tenancy=tenancy, person=person, is_lead=False)
    account = account_get_or_create(tenancy=tenancy)
    transactions_post(
        postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("60.00"), WEDNESDAY - timedelta(days=2), "d")]
    )
    return ArrearsCase.objects.create(account=account, opened_on=WEDNESDAY)


def sent_text(case, person, *, to=NUMBER, provider_ref="notify-1", status=MessageStatus.SENT, key="") -> Message:
    """A text the sender handed to Notify about `case`, with its diary entry (as the arrears app makes them)."""
    message = Message.objects.create(
        channel=Channel.TEXT,
        to=to,
        recipient_name=person.full_name,
        reference=case.account.tenancy.payment_reference,
        subject_key=f"case:{case.pk}",
        idempotency_key=key or f"case:{case.pk}:{provider_ref}",
        body="Your rent payment was missed.",
        status=status,
        send_after=timezone.now(),
        provider="notify",
        provider_ref=provider_ref,
        sent_at=timezone.now(),
    )
    diary_text_queued(case, person, message)
    return message


def diary_text_queued(case, person, message) -> Contact:
    """The case diary's entry for the text to `person`, queued on Wednesday."""
    return Contact.objects.create(
        case=case,
        person=person,
        kind=ContactKind.SMS,
        outcome=ContactOutcome.QUEUED,
        occurred_on=WEDNESDAY,
        message=message,
    )


def post(client, name, payload, *, token=TOKEN, raw=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    body = raw if raw is not None else json.dumps(payload)
    return client.post(reverse(name), data=body, content_type="application/json", **headers)


def notify_receipt(message, status, **fields):
    return {"id": message.provider_ref, "reference": message.idempotency_key, "to": message.to, "status": status}


def _outcome(message) -> str:
    return Contact.objects.get(message=message).outcome


def test_a_delivered_receipt_marks_the_text_delivered_and_the_diary_entry_sent(client):
    person = texter()
    case = owing_case(person)
    message = sent_text(case, person)
    with signals_caught(message_status_changed) as heard:
        response = post(client, "messaging:notify_receipts", notify_receipt(message, "delivered"))
    assert response.status_code == 200 and response.json() == {"recorded": True, "status_changed": True}
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED and message.delivered_at == timezone.now()
    assert _outcome(message) == ContactOutcome.SENT
    assert [sent["message"].pk for sent in heard] == [message.pk]
    receipt = DeliveryReceipt.objects.get()
    assert (receipt.message, receipt.provider, receipt.status) == (message, "notify", "delivered")
    assert receipt.payload["to"] == NUMBER


def test_a_permanent_failure_marks_the_number_wrong_and_later_texts_to_it_are_withheld(client):
    person = texter()
    other = texter(mobile="07700900999")  # another number: untouched
    case = owing_case(person, other)
    message = sent_text(case, person)
    with signals_caught(address_suppressed) as suppressed:
        response = post(client, "messaging:notify_receipts", notify_receipt(message, "permanent-failure"))
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == MessageStatus.PERMANENT_FAILURE and message.delivered_at is None
    assert "does not work" in message.status_note
    assert _outcome(message) == ContactOutcome.FAILED
    suppression = Suppression.objects.get()
    assert (suppression.address, suppression.reason, suppression.message) == (NUMBER, SuppressionReason.WRONG, message)
    assert [sent["suppression"] for sent in suppressed] == [suppression]
    person.refresh_from_db()
    other.refresh_from_db()
    assert person.mobile_wrong_on == WEDNESDAY and other.mobile_wrong_on is None
    assert person.history.first().history_change_reason.startswith("Mobile number marked wrong")
    # The next text to that number is withheld when queued; one to the other number waits to go.
    later = messages_queue(
        [
            Draft(Channel.TEXT, NUMBER, person.full_name, "RW1", f"case:{case.pk}", "later:1", "Please call us."),
            Draft(Channel.TEXT, "+447700900999", other.full_name, "RW1", f"case:{case.pk}", "later:2", "Call us."),
        ]
    )
    assert [m.status for m in later] == [MessageStatus.WITHHELD, MessageStatus.QUEUED]
    assert later[0].status_note == "Marked wrong: a message could not be delivered to it"


@pytest.mark.parametrize("word", ["temporary-failure", "technical-failure"])
def test_a_temporary_or_technical_failure_is_not_delivered_and_does_not_mark_the_number(client, word):
    person = texter()
    case = owing_case(person)
    message = sent_text(case, person)
    post(client, "messaging:notify_receipts", notify_receipt(message, word))
    message.refresh_from_db()
    person.refresh_from_db()
    assert message.status == MessageStatus.TEMPORARY_FAILURE
    assert _outcome(message) == ContactOutcome.FAILED
    assert not Suppression.objects.exists() and person.mobile_wrong_on is None
    # A provider that kept trying and then delivered it: the later, better news stands.
    post(client, "messaging:notify_receipts", notify_receipt(message, "delivered"))
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED and _outcome(message) == ContactOutcome.SENT


def test_a_repeated_or_late_receipt_changes_nothing_but_is_kept(client, time_machine):
    person = texter()
    case = owing_case(person)
    message = sent_text(case, person)
    post(client, "messaging:notify_receipts", notify_receipt(message, "delivered"))
    message.refresh_from_db()
    delivered_at = message.delivered_at
    time_machine.shift(timedelta(hours=1))
    with signals_caught(message_status_changed) as heard:
        again = post(client, "messaging:notify_receipts", notify_receipt(message, "delivered"))
        late = post(client, "messaging:notify_receipts", notify_receipt(message, "permanent-failure"))
        later = post(client, "messaging:notify_receipts", notify_receipt(message, "temporary-failure"))
    assert [r.json()["status_changed"] for r in (again, late, later)] == [False, False, False]
    assert heard == []
    message.refresh_from_db()
    assert (message.status, message.delivered_at) == (MessageStatus.DELIVERED, delivered_at)
    assert _outcome(message) == ContactOutcome.SENT
    assert not Suppression.objects.exists()
    assert DeliveryReceipt.objects.filter(message=message).count() == 4  # every report kept as it came


def test_a_receipt_before_the_sender_recorded_the_provider_id_finds_the_message_by_our_reference(client):
    person = texter()
    case = owing_case(person)
    message = sent_text(case, person, status=MessageStatus.SENDING, provider_ref=None, key="case:1:step")
    response = post(
        client,
        "messaging:notify_receipts",
        {"id": "notify-unknown", "reference": "case:1:step", "to": NUMBER, "status": "delivered"},
    )
    assert response.json()["status_changed"] is True
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED


def test_a_receipt_for_no_message_of_ours_is_kept_and_changes_nothing(client):
    response = post(client, "messaging:notify_receipts", {"id": "x", "reference": "y", "status": "delivered"})
    assert response.status_code == 200 and response.json()["status_changed"] is False
    assert DeliveryReceipt.objects.get().message is None


def test_the_http_sms_providers_receipt_words(client):
    person = texter()
    case = owing_case(person)
    message = sent_text(case, person)
    message.provider = "http_sms"
    message.save()
    post(client, "messaging:sms_receipts", {"id": "notify-1", "reference": message.idempotency_key, "status": "x"})
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT  # a word we do not know: kept, nothing moved
    post(client, "messaging:sms_receipts", {"id": "notify-1", "status": "permanent_failure"})
    message.refresh_from_db()
    assert message.status == MessageStatus.PERMANENT_FAILURE
    assert list(suppressed_addresses([NUMBER]).items()) == [(NUMBER, SuppressionReason.WRONG)]


def test_the_callbacks_refuse_a_bad_token_and_answer_bad_input_in_plain_words(client, settings):
    person = texter()
    case = owing_case(person)
    message = sent_text(case, person)
    payload = notify_receipt(message, "delivered")
    for token in ("wrong-token", "", None):
        refused = post(client, "messaging:notify_receipts", payload, token=token)
        assert refused.status_code == 401
        assert refused["Content-Type"] == "application/problem+json"
        assert refused.json()["title"] == "Unauthorised"
    basic = client.post(
        reverse("messaging:sms_replies"),
        data="{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {TOKEN}",
    )
    assert basic.status_code == 401
    bad_json = post(client, "messaging:notify_receipts", None, raw="{not json")
    assert (bad_json.status_code, bad_json.content.decode()) == (400, "The body is not JSON.")
    not_object = post(client, "messaging:notify_receipts", None, raw="[1, 2]")
    assert (not_object.status_code, not_object.content.decode()) == (400, "The body must be a JSON object.")
    no_status = post(client, "messaging:notify_receipts", {"id": "notify-1"})
    assert (no_status.status_code, no_status.content.decode()) == (400, "“status” is missing.")
    odd_status = post(client, "messaging:notify_receipts", {"id": "notify-1", "status": {"a": 1}})
    assert odd_status.status_code == 400
    bad_date = post(
        client,
        "messaging:notify_replies",
        {"id": "r", "source_number": NUMBER, "message": "hi", "date_received": "yesterday"},
    )
    assert (bad_date.status_code, bad_date.content.decode()) == (400, "“date_received” is not a date and time.")
    assert client.get(reverse("messaging:notify_receipts")).status_code == 405
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and not DeliveryReceipt.objects.exists()
    # With no token configured, every callback is refused, whatever it carries.
    settings.MESSAGING_CALLBACK_TOKEN = ""
    assert post(client, "messaging:notify_receipts", payload, token="").status_code == 401
    assert post(client, "messaging:notify_receipts", payload, token=TOKEN).status_code == 401


def test_receipt_record_is_the_same_service_the_pages_use():
    person = texter()
    case = owing_case(person)
    message = sent_text(case, person)
    receipt, changed = receipt_record(
        provider="notify", provider_ref="notify-1", provider_status="delivered", payload={"id": "notify-1"}
    )
    assert changed and receipt.message == message


@pytest.mark.django_db(transaction=True)
def test_a_real_receipt_from_the_local_notify_server_over_http(notify_provider, live_server, settings, time_machine):
    """The provider sends the text over real HTTP, then calls our receipt page over real HTTP, as Notify would."""
    from messaging.sending import messages_send_waiting

    time_machine.move_to(london_noon(WEDNESDAY), tick=True)  # the sender paces itself by the clock
    settings.MESSAGING_CALLBACK_TOKEN = TOKEN
    person = texter()
    case = owing_case(person)
    (message,) = messages_queue(
        [Draft(Channel.TEXT, NUMBER, person.full_name, "RW1", f"case:{case.pk}", "live:1", "Please call us.")]
    )
    diary_text_queued(case, person, message)
    messages_send_waiting()
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    url = live_server.url + reverse("messaging:notify_receipts")
    assert notify_provider.send_receipt(url, token="not-the-token", reference="live:1").status_code == 401
    response = notify_provider.send_receipt(url, token=TOKEN, reference="live:1", status="permanent-failure")
    assert response.status_code == 200, response.text
    message.refresh_from_db()
    person.refresh_from_db()
    assert message.status == MessageStatus.PERMANENT_FAILURE
    assert _outcome(message) == ContactOutcome.FAILED
    assert person.mobile_wrong_on == WEDNESDAY
