"""Sending a text or email from the case page: only named tenants who can get it may be chosen (the others are shown
with why); the check page shows the text with the case's details, its part count and when it goes (after quiet
hours); one press or two makes one message; it shows in the diary with its status; a support worker cannot send."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from arrears.constants import ContactKind
from arrears.models import Contact
from arrears.services import policies_install_shipped
from arrears.services.officer_messages import officer_message_queue
from messaging.constants import Channel, MessageStatus, SuppressionReason
from messaging.models import Message, MessageTemplate, Suppression
from tenancies.models import TenancyTenant
from tests.arrears.conftest import case_owing_a_fortnights_rent, tenancy_in_patch_of
from tests.factories import (
    PersonFactory,
    support_worker_for,
)

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
BODY = "Hello {{ tenant_name }}, your rent account {{ payment_reference }} owes {{ balance }}. Please call us."


@pytest.fixture
def case(officer, law):
    policies_install_shipped()
    ada = PersonFactory(first_name="Ada", last_name="Texter", mobile="07700 900123", texts_allowed=True)
    tenancy = tenancy_in_patch_of(officer, payment_reference="RW779001", lead_tenant=ada)
    TenancyTenant.objects.create(tenancy=tenancy, person=PersonFactory(first_name="Bo", last_name="Noconsent",
                                                                       mobile="07700 900456"))  # fmt: skip
    case = case_owing_a_fortnights_rent(tenancy)
    template = MessageTemplate.objects.create(key="officer_reminder", title="Rent reminder", channel=Channel.TEXT)
    template.versions.create(number=1, body=BODY, published_at=timezone.now())
    return case


def url(case, channel="text"):
    return f"/worklist/cases/{case.pk}/messages/?channel={channel}"


def token_from(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def people(case):
    return {p.first_name: p for p in case.account.tenancy.named_tenants()}


def checked(client, case, person) -> str:
    """The check page for `person` and the rent reminder, from a fresh form."""
    token = token_from(client.get(url(case)).content.decode())
    response = client.post(
        url(case), {"person": person.pk, "template": "officer_reminder", "token": token, "check": ""}
    )
    assert response.status_code == 200, response.content.decode()
    return response.content.decode()


def test_only_tenants_who_can_get_a_text_may_be_chosen_and_the_others_say_why(client, officer, case):
    client.force_login(officer)
    page = client.get(url(case)).content.decode()
    ada, bo = people(case)["Ada"], people(case)["Bo"]
    assert f'value="{ada.pk}"' in page and "Ada Texter (+447700900123)" in page
    assert f'value="{bo.pk}"' not in page
    assert "Bo Noconsent: has not agreed to text messages" in page
    assert "Rent reminder" in page
    # Choosing someone who cannot get it is refused in the error summary.
    response = client.post(
        url(case), {"person": bo.pk, "template": "officer_reminder", "token": token_from(page), "check": ""}
    )
    assert response.status_code == 400 and "Choose who the message is to" in response.content.decode()


def test_a_stop_reply_or_a_wrong_number_stops_a_tenant_being_chosen(client, officer, case):
    Suppression.objects.create(address="+447700900123", reason=SuppressionReason.OPTED_OUT)
    bo = people(case)["Bo"]
    bo.texts_allowed, bo.mobile_wrong_on = True, timezone.localdate()
    bo.save()
    client.force_login(officer)
    page = client.get(url(case)).content.decode()
    assert "Ada Texter: replied STOP: no more messages to this number" in page
    assert re.search(r"Bo Noconsent: [^<]*marked wrong on", page)
    assert 'type="radio"' not in page and "No named tenant can get a text message" in page


def test_the_check_page_shows_the_merged_text_its_parts_and_that_it_goes_now(client, officer, case):
    with time_machine.travel(datetime(2026, 12, 7, 10, 0, tzinfo=LONDON), tick=False):  # a Monday morning
        client.force_login(officer)
        page = checked(client, case, people(case)["Ada"])
    assert "Hello Ada Texter, your rent account RW779001 owes £250.00. Please call us." in page
    assert "1 part (the provider charges for each part)" in page
    assert re.search(r'id="when-it-goes">\s*Now', page)


def test_in_quiet_hours_the_check_page_says_when_it_will_go(client, officer, case):
    with time_machine.travel(datetime(2026, 12, 5, 21, 30, tzinfo=LONDON), tick=False):  # a Saturday evening
        client.force_login(officer)
        page = checked(client, case, people(case)["Ada"])
    assert "Not now: no messages after 20:00. It will wait and go at 08:00 on Monday 7 December 2026." in page


def test_an_edited_text_is_counted_again_and_sent_as_edited(client, officer, case, settings):
    settings.MESSAGING_PROVIDER = "http_sms"
    client.force_login(officer)
    ada = people(case)["Ada"]
    page = checked(client, case, ada)
    form = {"person": ada.pk, "template": "officer_reminder", "token": token_from(page)}
    long = "Please call us today about your rent ’" + "x" * 40
    page = client.post(url(case), {**form, "body": long, "count": ""}).content.decode()
    assert "2 parts (the provider charges for each part)" in page and "outside the basic text alphabet" in page
    response = client.post(url(case), {**form, "body": "", "send": ""})
    assert response.status_code == 400 and "Write the message" in response.content.decode()
    with time_machine.travel(datetime(2026, 12, 7, 10, 0, tzinfo=LONDON), tick=False):
        client.force_login(officer)
        response = client.post(url(case), {**form, "body": long, "send": ""}, follow=True)
    message = Message.objects.get()
    assert (message.body, message.parts, message.status, message.made_by) == (long, 2, MessageStatus.QUEUED, officer)
    assert Contact.objects.get(message=message).notes == "Rent reminder (text edited by the officer)"
    banner = response.content.decode()
    assert "Text message queued to Ada Texter (+447700900123): “Rent reminder”, 2 parts. It goes now." in banner
    assert "Its delivery status will show in the diary" in banner


def test_a_double_submit_makes_one_message_and_the_diary_shows_its_status(client, officer, case, settings):
    settings.MESSAGING_PROVIDER = ""
    client.force_login(officer)
    ada = people(case)["Ada"]
    page = checked(client, case, ada)
    form = {"person": ada.pk, "template": "officer_reminder", "token": token_from(page), "send": ""}
    form["body"] = "Hello Ada Texter, please call us about your rent."
    first = client.post(url(case), form)
    second = client.post(url(case), form, follow=True)
    assert first.status_code == 302
    assert Message.objects.count() == 1
    contact = Contact.objects.get(kind=ContactKind.SMS)
    assert (contact.person, contact.code, contact.recorded_by, contact.message) == (
        ada, "officer_message", officer, Message.objects.get()
    )  # fmt: skip
    assert "This message was already sent from this form: it was not sent again." in second.content.decode()
    page = client.get(f"/worklist/cases/{case.pk}/").content.decode()
    entry = page[page.index(f'id="diary-contact-{contact.pk}"') :][:3000]
    assert "Text message with Ada Texter" in entry
    assert "Not sent: no provider is set up" in entry
    assert "Why: No text message or email provider is set up" in entry
    assert "Send a text or email" in page


def test_a_delivered_message_shows_when_in_the_diary(client, officer, case, settings):
    settings.MESSAGING_PROVIDER = "http_sms"
    ada = people(case)["Ada"]
    result = officer_message_queue(
        case=case, template_key="officer_reminder", person_id=ada.pk, body="Please call us.", token="t" * 20,
        officer=officer,
    )  # fmt: skip
    message = result.contacts[0].message
    delivered = datetime(2026, 12, 7, 10, 15, tzinfo=LONDON)
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.DELIVERED, delivered_at=delivered)
    client.force_login(officer)
    page = client.get(f"/worklist/cases/{case.pk}/").content.decode()
    entry = page[page.index(f'id="diary-contact-{result.contacts[0].pk}"') :][:3000]
    assert "Delivered" in entry and "Delivered 7 December 2026 at 10:15." in entry


def test_a_support_worker_cannot_send_a_message(client, case):
    worker = support_worker_for(case.account.tenancy)
    client.force_login(worker)
    assert client.get(url(case)).status_code == 403
    assert "Send a text or email" not in client.get(f"/worklist/cases/{case.pk}/").content.decode()
    with pytest.raises(PermissionDenied):
        officer_message_queue(
            case=case, template_key="officer_reminder", person_id=people(case)["Ada"].pk, body="Hi",
            token="t" * 20, officer=worker,
        )  # fmt: skip
    assert not Message.objects.exists()


def test_an_email_goes_to_a_tenant_who_agreed_to_emails_with_the_templates_subject(client, officer, case, settings):
    settings.MESSAGING_PROVIDER = "notify"
    template = MessageTemplate.objects.create(key="officer_email", title="Please get in touch", channel=Channel.EMAIL)
    template.versions.create(
        number=1, subject="Your rent account {{ payment_reference }}", body=BODY, published_at=timezone.now()
    )
    bo = people(case)["Bo"]
    bo.email, bo.emails_allowed = "Bo@Example.ORG", True
    bo.save()
    client.force_login(officer)
    page = client.get(url(case, "email")).content.decode()
    assert "Bo Noconsent (Bo@example.org)" in page and "Ada Texter: has not agreed to emails" in page
    response = client.post(
        url(case, "email"),
        {"person": bo.pk, "template": "officer_email", "token": token_from(page), "check": ""},
    )
    page = response.content.decode()
    assert "Your rent account RW779001" in page and "part" not in page.split("When it goes")[1].split("</dl>")[0]
    form = {
        "person": bo.pk,
        "template": "officer_email",
        "token": token_from(page),
        "body": "Please call us.",
        "send": "",
    }
    response = client.post(url(case, "email"), form, follow=True)
    message = Message.objects.get()
    assert (message.channel, message.to, message.subject) == ("email", "Bo@example.org", "Your rent account RW779001")
    assert Contact.objects.get(message=message).kind == ContactKind.EMAIL
    assert "Email queued to Bo Noconsent (Bo@example.org): “Please get in touch”." in response.content.decode()
