"""A tenant's mobile number and consent to texts and emails on their person record: entered on the People form (the
number kept in one form), the day consent changed recorded, a number marked wrong shown until the officer changes it
or confirms it (which lets texts go to it again), each change with its history."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from incomeapp.constants import Role
from messaging.constants import Channel, MessageStatus, SuppressionReason
from messaging.models import Suppression
from messaging.services import Draft, messages_queue, suppressed_addresses
from tenancies.models import Person
from tenancies.services_people import person_create, person_update
from tests.factories import PersonFactory, london_noon, user_with_role

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)
NUMBER = "+447700900123"


@pytest.fixture(autouse=True)
def clock(time_machine, settings):
    settings.MESSAGING_PROVIDER = "notify"
    time_machine.move_to(london_noon(TODAY), tick=False)


@pytest.fixture
def officer():
    return user_with_role(Role.INCOME_OFFICER, first_name="Olu", last_name="Officer")


def _form(person, **changes) -> dict:
    values = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "preferred_contact": person.preferred_contact,
        "preferred_language": "English",
    }
    values.update({key: value for key, value in changes.items() if value is not False})
    return values


def test_the_people_form_records_the_mobile_and_consent_with_the_day(client, officer):
    person = PersonFactory(first_name="Ann", last_name="Lead")
    client.force_login(officer)
    form = client.get(reverse("people:change", args=[person.pk])).content.decode()
    assert "Mobile number for text messages (optional)" in form
    assert "They agreed to text messages about their account" in form
    response = client.post(
        reverse("people:change", args=[person.pk]), _form(person, mobile="07700 900123", texts_allowed="on")
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.mobile, person.texts_allowed, person.emails_allowed) == (NUMBER, True, False)
    assert person.consent_recorded_on == TODAY
    assert person.history.first().history_user == officer
    page = client.get(reverse("people:detail", args=[person.pk]), follow=True).content.decode()
    assert "changed mobile number and agreed to text messages" in page
    assert "Texts: agreed. Emails: not agreed." in page and "Last changed on 25 November 2026." in page


def test_a_mobile_that_is_not_a_uk_mobile_is_refused_and_what_was_typed_is_kept(client, officer):
    person = PersonFactory()
    client.force_login(officer)
    response = client.post(reverse("people:change", args=[person.pk]), _form(person, mobile="0117 496 0123"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "is not a UK mobile number. Enter one like 07700 900123." in html
    assert 'value="0117 496 0123"' in html
    person.refresh_from_db()
    assert person.mobile == ""


def test_consent_unchanged_records_no_new_day(time_machine):
    person = person_create(by=None, first_name="Cara", last_name="New", mobile="07700900123", emails_allowed=True)
    assert person.consent_recorded_on == TODAY and person.mobile == NUMBER
    time_machine.shift(timedelta(days=3))
    assert person_update(by=None, person=person, emails_allowed=True, mobile="07700 900 123") is False
    assert person_update(by=None, person=person, emails_allowed=False) is True
    person.refresh_from_db()
    assert person.consent_recorded_on == TODAY + timedelta(days=3)


def test_changing_a_mobile_marked_wrong_clears_the_mark(officer):
    person = PersonFactory(mobile=NUMBER, texts_allowed=True, mobile_wrong_on=TODAY - timedelta(days=1))
    person_update(by=officer, person=person, mobile="07700 900456", reason="New phone")
    person.refresh_from_db()
    assert person.mobile == "+447700900456" and person.mobile_wrong_on is None


def test_an_officer_confirms_a_number_marked_wrong_and_texts_can_go_to_it_again(client, officer):
    person = PersonFactory(first_name="Ann", last_name="Lead", mobile=NUMBER, texts_allowed=True)
    Suppression.objects.create(address=NUMBER, reason=SuppressionReason.WRONG)
    Suppression.objects.create(address=NUMBER, reason=SuppressionReason.OPTED_OUT)
    Person.objects.filter(pk=person.pk).update(mobile_wrong_on=TODAY)
    client.force_login(officer)
    page = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "Mobile marked wrong on 25 November 2026" in page and "This number is right" in page
    done = client.post(reverse("people:mobile_confirm", args=[person.pk]), follow=True).content.decode()
    assert "Confirmed +447700900123 as Ann Lead&#x27;s mobile number" in done
    assert "Mobile marked wrong on" not in done
    person.refresh_from_db()
    assert person.mobile_wrong_on is None
    assert person.history.first().history_change_reason == "Mobile number confirmed as right"
    lifted = Suppression.objects.get(reason=SuppressionReason.WRONG)
    assert lifted.lifted_by == officer and lifted.lift_note == "Checked and confirmed on Ann Lead's record."
    # The tenant's own STOP still stands: confirming a number is not consent.
    assert suppressed_addresses([NUMBER]) == {NUMBER: SuppressionReason.OPTED_OUT}
    Suppression.objects.filter(reason=SuppressionReason.OPTED_OUT).update(lifted_at=lifted.lifted_at)
    (message,) = messages_queue([Draft(Channel.TEXT, NUMBER, "Ann Lead", "RW1", "case:1", "after:1", "Hello")])
    assert message.status == MessageStatus.QUEUED
    again = client.post(reverse("people:mobile_confirm", args=[person.pk]), follow=True).content.decode()
    assert "mobile number was not marked wrong: nothing changed" in again


def test_a_support_worker_cannot_confirm_a_number(client):
    person = PersonFactory(mobile=NUMBER, mobile_wrong_on=TODAY)
    client.force_login(user_with_role(Role.SUPPORT_WORKER))
    assert client.post(reverse("people:mobile_confirm", args=[person.pk])).status_code in (403, 404)
    person.refresh_from_db()
    assert person.mobile_wrong_on == TODAY
