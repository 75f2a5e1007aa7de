"""Replies from tenants (messaging.services_receipts.reply_record through the callback pages): kept once each, linked
to the message they answer; STOP (and the other opt-out words) honoured at once, for messages not yet made and those
already queued; START lifts a STOP but never a wrong-number mark; a reply from a number no tenant has is kept and
listed for a manager."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from arrears.models import Contact
from incomeapp.constants import Role
from messaging.constants import Channel, MessageStatus, SuppressionReason
from messaging.models import InboundMessage, Message, Suppression
from messaging.services import Draft, messages_queue, suppressed_addresses
from messaging.services_receipts import is_opt_out, reply_record
from messaging.signals import address_suppressed, reply_received
from tests.factories import signals_caught, user_with_role
from tests.messaging.test_receipts import NUMBER, TOKEN, WEDNESDAY, owing_case, post, sent_text, texter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def callbacks_on(settings, time_machine):
    from tests.factories import london_noon

    settings.MESSAGING_CALLBACK_TOKEN = TOKEN
    settings.MESSAGING_PROVIDER = "notify"
    time_machine.move_to(london_noon(WEDNESDAY), tick=False)


def notify_reply(text, *, number="07700 900123", reply_id="reply-1"):
    return {
        "id": reply_id,
        "source_number": number,
        "destination_number": "07700900000",
        "message": text,
        "date_received": "2026-11-25T12:00:00.000000Z",
    }


def test_stop_suppresses_the_number_at_once_for_new_and_already_queued_texts(client):
    person = texter()
    case = owing_case(person)
    answered = sent_text(case, person)
    (waiting,) = messages_queue(
        [Draft(Channel.TEXT, NUMBER, person.full_name, "RW1", f"case:{case.pk}", "waiting:1", "Call us.")]
    )
    assert waiting.status == MessageStatus.QUEUED
    with signals_caught(address_suppressed) as suppressed, signals_caught(reply_received) as replies:
        response = post(client, "messaging:notify_replies", notify_reply("  stop. "))
    assert response.status_code == 200 and response.json() == {"recorded": True, "new": True, "opt_out": True}
    inbound = InboundMessage.objects.get()
    assert inbound.is_opt_out and inbound.from_address == NUMBER and inbound.replying_to == answered
    suppression = Suppression.objects.get()
    assert (suppression.address, suppression.reason, suppression.inbound) == (
        NUMBER,
        SuppressionReason.OPTED_OUT,
        inbound,
    )
    assert [s["suppression"] for s in suppressed] == [suppression]
    assert [r["inbound"] for r in replies] == [inbound]  # the reply is announced after the opt-out is recorded
    # The text already queued: the sender checks this list just before it goes.
    assert suppressed_addresses([waiting.to]) == {NUMBER: SuppressionReason.OPTED_OUT}
    # A new one is withheld when queued.
    (later,) = messages_queue(
        [Draft(Channel.TEXT, NUMBER, person.full_name, "RW1", f"case:{case.pk}", "later:1", "Call us.")]
    )
    assert later.status == MessageStatus.WITHHELD
    assert later.status_note == "Replied STOP: no more messages to this number"
    # The person no longer agrees to texts, recorded today, with history.
    person.refresh_from_db()
    assert person.texts_allowed is False and person.consent_recorded_on == WEDNESDAY
    assert person.history.first().history_change_reason == "Replied STOP to a text: no more texts"


@pytest.mark.parametrize(
    ("text", "opt_out"),
    [
        ("STOP", True),
        ("stopall", True),
        ("Unsubscribe!", True),
        ("cancel", True),
        ("End", True),
        ("QUIT", True),
        ("please stop texting me", False),
        ("I can't pay until Friday", False),
        ("", False),
    ],
)
def test_only_an_opt_out_word_on_its_own_opts_out(text, opt_out):
    assert is_opt_out(text) is opt_out


def test_start_lifts_a_stop_but_never_a_wrong_number_mark(client):
    person = texter()
    owing_case(person)
    post(client, "messaging:notify_replies", notify_reply("STOP", reply_id="r1"))
    assert suppressed_addresses([NUMBER]) == {NUMBER: SuppressionReason.OPTED_OUT}
    post(client, "messaging:notify_replies", notify_reply("Start", reply_id="r2"))
    assert suppressed_addresses([NUMBER]) == {}
    lifted = Suppression.objects.get(reason=SuppressionReason.OPTED_OUT)
    assert lifted.lifted_at == timezone.now() and lifted.lifted_by is None
    assert lifted.lift_note == "The tenant texted START on 25 November 2026."
    # Consent on the person record is for an officer to record again (the START is in the diary for them).
    person.refresh_from_db()
    assert person.texts_allowed is False
    # A number marked wrong stays marked whatever is texted from it.
    Suppression.objects.create(address=NUMBER, reason=SuppressionReason.WRONG)
    post(client, "messaging:notify_replies", notify_reply("START", reply_id="r3"))
    assert suppressed_addresses([NUMBER]) == {NUMBER: SuppressionReason.WRONG}


def test_a_reply_posted_twice_is_kept_once_and_lands_in_the_diary_once(client):
    person = texter()
    case = owing_case(person)
    sent_text(case, person)
    first = post(client, "messaging:notify_replies", notify_reply("I will pay on Friday"))
    again = post(client, "messaging:notify_replies", notify_reply("I will pay on Friday"))
    assert first.json()["new"] is True and again.json()["new"] is False
    assert InboundMessage.objects.count() == 1
    assert Contact.objects.filter(inbound__isnull=False).count() == 1


def test_the_generic_sms_providers_inbound_text(client):
    person = texter()
    case = owing_case(person)
    answered = sent_text(case, person)
    response = post(
        client,
        "messaging:sms_replies",
        {"id": "sms-9", "from": "447700900123", "to": "60000", "body": "ok", "received_at": "2026-11-25T13:00:00Z"},
    )
    assert response.status_code == 200
    inbound = InboundMessage.objects.get()
    assert (inbound.provider, inbound.from_address, inbound.replying_to) == ("http_sms", NUMBER, answered)
    assert inbound.received_at == timezone.now() + timedelta(hours=1)


def test_a_reply_links_to_the_latest_text_sent_to_that_number_before_it_came(client, time_machine):
    person = texter()
    case = owing_case(person)
    older = sent_text(case, person, provider_ref="n-1")
    newer = sent_text(case, person, provider_ref="n-2")
    Message.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=2))
    Message.objects.filter(pk=newer.pk).update(created_at=timezone.now() - timedelta(days=1))
    queued = sent_text(case, person, provider_ref="n-3", status=MessageStatus.QUEUED)  # not sent: not answered
    assert queued.pk
    inbound, new = reply_record(provider="notify", provider_ref="r", from_address="07700900123", body="Yes")
    assert new and inbound.replying_to == newer


def test_a_reply_from_a_number_no_tenant_has_is_kept_and_listed_for_a_manager(client):
    owing_case(texter())
    post(client, "messaging:notify_replies", notify_reply("Who is this?", number="07700 900555"))
    inbound = InboundMessage.objects.get()
    assert inbound.from_address == "+447700900555" and not inbound.contacts.exists()
    client.force_login(user_with_role(Role.INCOME_MANAGER))
    page = client.get(reverse("messaging:replies_unmatched"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Replies from numbers no tenant has" in html
    assert "+447700900555" in html and "Who is this?" in html
    assert "+447700900123" not in html
