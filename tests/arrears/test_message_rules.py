"""The rules that protect a tenant when a text or email about their arrears is queued
(arrears.services.messages.case_messages_queue): consent, preferred channel, STOP, quiet hours, Breathing Space (when
queued and again when sent), wrong numbers, once per case, step and week, and one message per named tenant."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from arrears.constants import BreathingSpaceKind, ContactKind, ContactOutcome
from arrears.models import ArrearsCase, BreathingSpace, Contact
from arrears.services.messages import case_messages_queue
from messaging.constants import Channel, MessageStatus, SuppressionReason
from messaging.guards import withheld
from messaging.models import Message, Suppression
from messaging.parts import gsm_length, text_parts
from messaging.services_shipped import message_templates_install_shipped, shipped_message_templates
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tenancies.models import TenancyTenant
from tests.factories import PersonFactory, TenancyFactory, london_noon

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
WEDNESDAY = date(2026, 11, 25)
TEXTS = ["payment_missed_text", "payment_missed_email"]


@pytest.fixture(autouse=True)
def templates(time_machine, settings):
    settings.MESSAGING_PROVIDER = "notify"  # messages wait to send (no provider would keep them as not sent)
    time_machine.move_to(london_noon(WEDNESDAY), tick=False)
    message_templates_install_shipped()


def texter(**fields):
    values = {"mobile": "07700 900123", "texts_allowed": True, "preferred_contact": "sms"} | fields
    return PersonFactory(**values)


def owing_case(lead=None, *others, owed="60.00") -> ArrearsCase:
    tenancy = TenancyFactory(lead_tenant=lead or texter())
    for person in others:
        TenancyTenant.objects.create(tenancy=tenancy, person=person, is_lead=False)
    account = account_get_or_create(tenancy=tenancy)
    transactions_post(
        postings=[
            Posting(
                account.pk, TransactionType.RENT_DEBIT, Decimal(owed), WEDNESDAY - timedelta(days=2), f"d:{account.pk}"
            )
        ]
    )
    case = ArrearsCase.objects.create(account=account, opened_on=WEDNESDAY)
    return ArrearsCase.objects.select_related("account__tenancy").get(pk=case.pk)


def queue(*cases, keys=TEXTS, scope="step:payment_missed_text:2026-11-23", **kwargs):
    return case_messages_queue(
        cases=list(cases),
        template_keys=keys,
        code="payment_missed_text",
        on=WEDNESDAY,
        idempotency_scope=scope,
        **kwargs,
    )


def reasons(result) -> list[str]:
    return [reason for _, _, reason in result.skipped]


def test_a_tenant_who_agreed_gets_one_text_recorded_in_the_diary():
    case = owing_case()
    result = queue(case)
    assert len(result.contacts) == 1 and result.skipped == []
    contact = result.contacts[0]
    message = contact.message
    tenancy = case.account.tenancy
    assert message.channel == Channel.TEXT and message.to == "+447700900123"
    assert message.subject_key == f"case:{case.pk}" and message.reference == tenancy.payment_reference
    person = tenancy.named_tenants()[0]
    assert message.idempotency_key == f"case:{case.pk}:step:payment_missed_text:2026-11-23:person:{person.pk}"
    assert "£60.00 behind" in message.body and tenancy.payment_reference in message.body
    assert message.status == MessageStatus.QUEUED and message.template_version.template.key == "payment_missed_text"
    assert contact.kind == ContactKind.SMS and contact.code == "payment_missed_text" and contact.person == person
    assert contact.outcome == ContactOutcome.QUEUED and contact.occurred_on == WEDNESDAY
    assert contact.notes == "Payment missed text (automatic, arrears review)"


def test_no_text_without_consent_and_the_reason_is_given():
    case = owing_case(texter(texts_allowed=False, first_name="Ann", last_name="Lee", title=""))
    result = queue(case)
    assert result.contacts == [] and Message.objects.count() == 0
    assert reasons(result) == ["Ann Lee has not agreed to text messages, and has not agreed to emails"]


def test_the_preferred_channel_is_used_when_a_template_is_given_for_it():
    emailer = PersonFactory(
        email="ann@Example.org",
        emails_allowed=True,
        mobile="07700900111",
        texts_allowed=True,
        preferred_contact="email",
    )
    result = queue(owing_case(emailer))
    message = result.contacts[0].message
    assert message.channel == Channel.EMAIL and message.to == "ann@example.org"
    assert "a payment was missed" in message.subject and result.contacts[0].kind == ContactKind.EMAIL


def test_without_consent_to_their_preferred_channel_the_next_template_they_can_receive_is_used():
    person = PersonFactory(
        email="ann@example.org",
        emails_allowed=False,
        mobile="07700900111",
        texts_allowed=True,
        preferred_contact="email",
    )
    result = queue(owing_case(person))
    assert [contact.message.channel for contact in result.contacts] == [Channel.TEXT]


def test_a_letter_preference_gets_the_first_template_they_can_receive():
    person = PersonFactory(
        email="ann@example.org",
        emails_allowed=True,
        mobile="07700900111",
        texts_allowed=True,
        preferred_contact="letter",
    )
    assert queue(owing_case(person)).contacts[0].message.channel == Channel.TEXT
    person2 = PersonFactory(email="bo@example.org", emails_allowed=True, preferred_contact="letter")
    assert queue(owing_case(person2)).contacts[0].message.channel == Channel.EMAIL


def test_a_number_that_is_not_a_uk_mobile_gets_no_text():
    result = queue(owing_case(texter(mobile="020 7946 0000", first_name="Ann", last_name="Lee", title="")))
    assert result.contacts == [] and reasons(result) == [
        "Ann Lee has no UK mobile number, and has not agreed to emails"
    ]


def test_a_number_marked_wrong_gets_no_text():
    result = queue(owing_case(texter(mobile_wrong_on=date(2026, 11, 2), first_name="Ann", last_name="Lee", title="")))
    assert result.contacts == [] and Message.objects.count() == 0
    assert reasons(result) == [
        "Ann Lee has a mobile number marked wrong on 2 November 2026, and has not agreed to emails"
    ]


def test_a_stop_reply_is_honoured_at_once_and_no_withheld_message_is_made():
    Suppression.objects.create(address="+447700900123", reason=SuppressionReason.OPTED_OUT)
    result = queue(owing_case(texter(mobile="+44 7700 900123", first_name="Ann", last_name="Lee", title="")))
    assert result.contacts == [] and Message.objects.count() == 0
    assert reasons(result) == [
        "Ann Lee has a mobile number that must not be messaged (Replied STOP: no more messages to this number), "
        "and has not agreed to emails"
    ]


def test_a_stop_reply_lifted_lets_texts_go_again():
    Suppression.objects.create(address="+447700900123", reason=SuppressionReason.OPTED_OUT, lifted_at=timezone.now())
    assert len(queue(owing_case()).contacts) == 1


def test_a_tenant_who_stopped_texts_still_gets_an_email_they_agreed_to():
    Suppression.objects.create(address="+447700900123", reason=SuppressionReason.OPTED_OUT)
    person = texter(email="ann@example.org", emails_allowed=True)
    assert [c.message.channel for c in queue(owing_case(person)).contacts] == [Channel.EMAIL]


def test_a_text_queued_on_a_saturday_night_before_a_bank_holiday_waits_until_tuesday_morning(time_machine):
    # Saturday 29 August 2026, 21:00; Monday 31 August is the summer bank holiday.
    time_machine.move_to(datetime(2026, 8, 29, 21, 0, tzinfo=LONDON), tick=False)
    message = queue(owing_case()).contacts[0].message
    assert message.status == MessageStatus.QUEUED
    assert timezone.localtime(message.send_after) == datetime(2026, 9, 1, 8, 0, tzinfo=LONDON)


def test_quiet_hours_are_configurable(time_machine, settings):
    settings.MESSAGING_SEND_FROM, settings.MESSAGING_SEND_UNTIL = "09:30", "18:00"
    time_machine.move_to(datetime(2026, 11, 25, 18, 30, tzinfo=LONDON), tick=False)
    message = queue(owing_case()).contacts[0].message
    assert timezone.localtime(message.send_after) == datetime(2026, 11, 26, 9, 30, tzinfo=LONDON)
    time_machine.move_to(datetime(2026, 11, 26, 10, 0, tzinfo=LONDON), tick=False)
    message = queue(owing_case(texter(mobile="07700900111"))).contacts[0].message
    assert timezone.localtime(message.send_after) == datetime(2026, 11, 26, 10, 0, tzinfo=LONDON)


def _breathing_space(case, starts_on=WEDNESDAY - timedelta(days=1)) -> BreathingSpace:
    case.account.refresh_from_db()
    return BreathingSpace.objects.create(
        tenancy=case.account.tenancy,
        kind=BreathingSpaceKind.STANDARD,
        starts_on=starts_on,
        expected_end_on=starts_on + timedelta(days=60),
        ends_on=starts_on + timedelta(days=60),
        debt_covered=case.account.balance,
    )


def test_no_message_about_arrears_a_breathing_space_holds():
    case = owing_case()
    _breathing_space(case)
    result = queue(case)
    assert result.contacts == [] and Message.objects.count() == 0
    assert result.skipped == [(case.pk, None, "a Breathing Space holds these arrears: no messages about them")]


def test_a_breathing_space_recorded_after_the_text_was_queued_withholds_it_when_it_would_go():
    case, other = owing_case(), owing_case(texter(mobile="07700900111"))
    messages = [contact.message for contact in queue(case, other).contacts]
    assert withheld(messages) == {}
    _breathing_space(case)
    assert withheld(messages) == {messages[0].pk: "A Breathing Space now covers these arrears: no messages about them."}


def test_the_guard_lets_a_message_go_once_the_breathing_space_has_ended(time_machine):
    case = owing_case()
    message = queue(case).contacts[0].message
    _breathing_space(case, starts_on=WEDNESDAY - timedelta(days=70))
    assert withheld([message]) == {}


def test_once_per_case_step_and_week():
    case = owing_case()
    first = queue(case)
    again = queue(case)
    assert len(first.contacts) == 1 and again.contacts == []
    assert Message.objects.count() == 1 and Contact.objects.filter(case=case).count() == 1
    person = case.account.tenancy.named_tenants()[0]
    assert again.skipped == [(case.pk, person.pk, f"{person.full_name} was already sent this message")]
    next_week = queue(case, scope="step:payment_missed_text:2026-11-30")
    assert len(next_week.contacts) == 1 and Message.objects.count() == 2


def test_a_joint_tenancy_gets_one_text_per_named_tenant_with_a_mobile():
    lead = texter(mobile="07700900001")
    joint = texter(mobile="07700900002")
    no_mobile = PersonFactory(first_name="Cy", last_name="Doe", texts_allowed=True, preferred_contact="sms")
    case = owing_case(lead, joint, no_mobile)
    result = queue(case)
    assert sorted(c.message.to for c in result.contacts) == ["+447700900001", "+447700900002"]
    assert {c.person for c in result.contacts} == {lead, joint}
    assert {c.message.recipient_name for c in result.contacts} == {lead.full_name, joint.full_name}
    assert result.skipped == [(case.pk, no_mobile.pk, "Cy Doe has no UK mobile number, and has not agreed to emails")]


def test_an_officer_picks_one_tenant_and_edits_the_text():
    lead, joint = texter(mobile="07700900001"), texter(mobile="07700900002")
    case = owing_case(lead, joint)
    result = queue(
        case,
        keys=["officer_call_back_text"],
        scope="officer:abc123",
        people={case.pk: [joint.pk]},
        body="Hello {{ tenant_name }}, please call me.",
        recorded_by=None,
        run_label="",
    )
    [contact] = result.contacts
    assert contact.person == joint and contact.message.body == f"Hello {joint.full_name}, please call me."
    assert contact.message.template_version.template.key == "officer_call_back_text"


def test_an_officer_needs_the_permission_to_send_messages_and_the_diary_says_who():
    from django.core.exceptions import PermissionDenied

    from incomeapp.roles import Role
    from tests.factories import UserFactory, user_with_role

    case = owing_case()
    with pytest.raises(PermissionDenied):
        queue(case, scope="officer:t1", recorded_by=UserFactory())
    officer = user_with_role(Role.INCOME_OFFICER)
    [contact] = queue(case, keys=["officer_call_back_text"], scope="officer:t2", recorded_by=officer).contacts
    assert contact.recorded_by == officer and contact.notes == "Please call us back"
    assert contact.message.made_by == officer


def test_a_person_who_is_not_a_named_tenant_is_not_messaged():
    case, stranger = owing_case(), texter(mobile="07700900009")
    result = queue(case, scope="officer:t3", people={case.pk: [stranger.pk]})
    assert result.contacts == [] and (case.pk, stranger.pk, "not a named tenant of this tenancy") in result.skipped


def test_a_template_with_a_value_the_case_lacks_is_skipped_with_the_reason():
    case = owing_case()
    result = queue(case, keys=["agreement_reminder_text"], scope="officer:x")
    assert result.contacts == [] and "agreement" in reasons(result)[0]


def test_the_shipped_payment_missed_text_is_one_plain_text_part_once_filled_in():
    """With a long landlord name, a large balance and no officer's number (the longest it can be)."""
    body = shipped_message_templates()["payment_missed_text"]["body"]
    for phone in ("0161 496 0000", "the number on our website"):
        filled = (
            body.replace("{{ landlord_name }}", "Northfield Community Housing Association")
            .replace("{{ payment_reference }}", "RW123456")
            .replace("{{ balance }}", "£12,345.67")
            .replace("{{ officer_phone }}", phone)
        )
        assert gsm_length(filled) is not None and len(filled) <= 160 and text_parts(filled) == 1


def test_a_real_payment_missed_text_is_one_part():
    message = queue(owing_case()).contacts[0].message
    assert message.parts == 1 and "Please pay, or call" in message.body


def test_installing_the_shipped_templates_twice_changes_nothing():
    again = message_templates_install_shipped()
    assert again and all(line.endswith("kept as it is") for line in again)
