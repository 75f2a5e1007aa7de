"""A tenant's reply in the arrears work: it lands in the case's diary as contact from the named tenant whose number it
came from (on a joint tenancy, the right one), the case shows on the worklist's Replies tab and is marked on its row
until an officer marks the replies read on the case page, and it counts for the pre-action protocol's contact step
(as does a delivered text, but not a queued or failed one)."""

import json

import pytest
from django.urls import reverse

from arrears.constants import ContactKind, ContactOutcome
from arrears.models import ArrearsCase, Contact
from courts.selectors import tenants_reached
from incomeapp.constants import Role
from messaging.constants import MessageStatus
from messaging.models import InboundMessage
from tests.factories import london_noon, user_with_role
from tests.messaging.test_receipts import TOKEN, WEDNESDAY, owing_case, sent_text, texter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def callbacks_on(settings, time_machine):
    settings.MESSAGING_CALLBACK_TOKEN = TOKEN
    settings.MESSAGING_PROVIDER = "notify"
    time_machine.move_to(london_noon(WEDNESDAY), tick=False)


def reply(client, number, text, reply_id):
    payload = {"id": reply_id, "source_number": number, "message": text, "date_received": "2026-11-25T12:30:00Z"}
    return client.post(
        reverse("messaging:notify_replies"),
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {TOKEN}",
    )


def test_a_reply_on_a_joint_tenancy_is_contact_from_the_tenant_whose_number_it_is_and_shows_on_the_worklist(client):
    officer = user_with_role(Role.INCOME_OFFICER, first_name="Olu", last_name="Officer")
    ann = texter(first_name="Ann", last_name="Lead", mobile="07700 900111")
    ben = texter(first_name="Ben", last_name="Joint", mobile="+44 7700 900222")
    case = owing_case(ann, ben)
    case.officer = officer
    case.save()
    quiet = owing_case(texter(mobile="07700900333"))  # another of the officer's cases, no reply
    quiet.officer = officer
    quiet.save()
    sent_text(case, ann, to="+447700900111", provider_ref="to-ann")
    sent_text(case, ben, to="+447700900222", provider_ref="to-ben")

    assert reply(client, "447700900222", "Lost my job, can we talk?", "r-ben").status_code == 200

    contact = Contact.objects.get(outcome=ContactOutcome.REPLIED)
    inbound = InboundMessage.objects.get()
    assert (contact.case, contact.person, contact.kind, contact.inbound) == (case, ben, ContactKind.SMS, inbound)
    assert contact.notes == "Lost my job, can we talk?" and contact.occurred_on == WEDNESDAY
    assert inbound.replying_to.provider_ref == "to-ben"

    client.force_login(officer)
    worklist = client.get(reverse("arrears:index"), {"tab": "replies"}).content.decode()
    assert "Replies (1)" in worklist
    assert f'href="{reverse("arrears:case", args=[case.pk])}"' in worklist
    assert f'href="{reverse("arrears:case", args=[quiet.pk])}"' not in worklist
    assert "New reply" in worklist
    # The marker shows on the row in the other tabs too.
    patch = client.get(reverse("arrears:index"), {"tab": "patch"}).content.decode()
    assert patch.count("New reply") == 1

    page = client.get(reverse("arrears:case", args=[case.pk])).content.decode()
    assert "Reply by text message from Ben Joint" in page
    assert "Lost my job, can we talk?" in page and "Not read yet" in page
    assert "1 unread reply" in page and "Mark replies as read" in page

    done = client.post(reverse("arrears:replies_read", args=[case.pk]), follow=True)
    html = done.content.decode()
    assert "Marked 1 reply as read by you" in html
    assert "Read by Olu Officer on 25 November 2026" in html
    inbound.refresh_from_db()
    assert inbound.read_by == officer and inbound.read_at is not None
    worklist = client.get(reverse("arrears:index"), {"tab": "replies"}).content.decode()
    assert "Replies (0)" in worklist
    assert f'href="{reverse("arrears:case", args=[case.pk])}"' not in worklist
    again = client.post(reverse("arrears:replies_read", args=[case.pk]), follow=True).content.decode()
    assert "There were no unread replies on this case: nothing changed." in again


def test_a_reply_to_no_message_of_ours_goes_to_that_tenants_open_case():
    from messaging.services_receipts import reply_record

    person = texter(mobile="07700900444")
    case = owing_case(person)
    inbound, _ = reply_record(provider="notify", provider_ref="r", from_address="07700 900444", body="Hello")
    assert inbound.replying_to is None
    contact = Contact.objects.get(inbound=inbound)
    assert (contact.case, contact.person) == (case, person)


def test_a_reply_from_a_tenant_with_no_open_case_is_kept_for_a_manager():
    from messaging.services_receipts import reply_record

    person = texter(mobile="07700900445")
    case = owing_case(person)
    ArrearsCase.objects.filter(pk=case.pk).update(status="closed")
    inbound, _ = reply_record(provider="notify", provider_ref="r", from_address="07700900445", body="Hi")
    assert not inbound.contacts.exists()


def test_the_protocol_counts_a_delivered_text_and_a_reply_but_not_a_queued_or_failed_text(client):
    ann = texter(first_name="Ann", mobile="07700 900111")
    ben = texter(first_name="Ben", mobile="07700 900222")
    cara = texter(first_name="Cara", mobile="07700 900333")
    dev = texter(first_name="Dev", mobile="07700 900444")
    case = owing_case(ann, ben, cara, dev)
    people = [ann.pk, ben.pk, cara.pk, dev.pk]
    cases = ArrearsCase.objects.filter(pk=case.pk)

    def reached():
        return tenants_reached(person_ids=people, cases=cases, reference=case.account.tenancy.payment_reference)

    to_ann = sent_text(case, ann, to="+447700900111", provider_ref="a")
    to_ben = sent_text(case, ben, to="+447700900222", provider_ref="b")
    sent_text(case, cara, to="+447700900333", provider_ref="c", status=MessageStatus.QUEUED)
    assert reached() == set()  # handed to the provider is not reached: only delivered is

    def receipt(message, status):
        return client.post(
            reverse("messaging:notify_receipts"),
            data=json.dumps({"id": message.provider_ref, "status": status}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {TOKEN}",
        )

    receipt(to_ann, "delivered")
    receipt(to_ben, "permanent-failure")
    assert reached() == {ann.pk}
    # Dev was never texted but replied (to a letter, say): the tenant writing to us is contact with them.
    reply(client, "07700900444", "I got your letter", "r-dev")
    assert reached() == {ann.pk, dev.pk}
    # A returned letter for Dev does not cancel his reply.
    Contact.objects.create(
        case=case, person=dev, kind=ContactKind.LETTER, outcome=ContactOutcome.RETURNED, occurred_on=WEDNESDAY
    )
    assert reached() == {ann.pk, dev.pk}
