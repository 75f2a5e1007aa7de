"""Messages as steps of the ladder: the shipped policies text a tenant who has just fallen behind before any letter,
from the weekly review, once per case, step and week; the letters follow as before. A Breathing Space recorded after
a text was queued holds it back when it would go."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import yaml
from django.utils import timezone

from arrears.constants import BreathingSpaceKind, ContactKind, ContactOutcome
from arrears.engine import PolicyError, policy_check
from arrears.models import ArrearsCase, BreathingSpace, Contact, LetterRequest, Recommendation
from arrears.review import review_run
from arrears.services import SHIPPED_POLICIES, policies_install_shipped
from documents.services import templates_install_shipped
from messaging.constants import MessageStatus
from messaging.models import Message
from messaging.sending import messages_send_waiting
from messaging.services_shipped import message_templates_install_shipped
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tenancies.models import TenancyTenant
from tests.factories import PersonFactory, TenancyFactory, london_noon

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
MONDAY = date(2026, 11, 23)


@pytest.fixture
def installed(settings, tmp_path, time_machine):
    settings.MEDIA_ROOT = tmp_path
    settings.MESSAGING_PROVIDER = "notify"
    time_machine.move_to(london_noon(MONDAY), tick=False)
    policies_install_shipped()
    templates_install_shipped()
    message_templates_install_shipped()


def _post(account, amount: str, on: date, kind=TransactionType.RENT_DEBIT) -> None:
    transactions_post(postings=[Posting(account.pk, kind, Decimal(amount), on, f"rent:{account.pk}:{on}:{amount}")])


def _joint_tenancy_just_behind():
    """Two named tenants who agreed to texts, with mobiles; a third who never gave a mobile. £40 behind on £100 a
    week: under the first reminder's threshold."""
    lead = PersonFactory(mobile="07700 900001", texts_allowed=True, preferred_contact="sms")
    tenancy = TenancyFactory(payment_reference="RW555001", lead_tenant=lead)
    joint = PersonFactory(mobile="07700900002", texts_allowed=True)
    no_mobile = PersonFactory(texts_allowed=True)
    for person in (joint, no_mobile):
        TenancyTenant.objects.create(tenancy=tenancy, person=person, is_lead=False)
    account = account_get_or_create(tenancy=tenancy)
    _post(account, "40.00", MONDAY - timedelta(days=3))
    return account, (lead, joint, no_mobile)


def test_a_review_texts_each_named_tenant_with_a_mobile_before_any_letter_then_the_reminder_follows(
    installed, time_machine, django_capture_on_commit_callbacks
):
    account, (lead, joint, _) = _joint_tenancy_just_behind()
    run, summary = review_run(as_of=MONDAY)
    case = ArrearsCase.objects.get(account=account)
    recommendation = Recommendation.objects.get(run=run, account=account)
    assert recommendation.action == "send_payment_missed_text" and recommendation.mode == "automatic"
    assert recommendation.message == "payment_missed_text,payment_missed_email"
    assert recommendation.facts["can_message"] is True
    texts = Contact.objects.filter(case=case, kind=ContactKind.SMS).order_by("person_id")
    assert [(c.person, c.code, c.outcome) for c in texts] == [
        (lead, "payment_missed_text", ContactOutcome.QUEUED),
        (joint, "payment_missed_text", ContactOutcome.QUEUED),
    ]
    messages = Message.objects.filter(subject_key=f"case:{case.pk}").order_by("to")
    assert [m.to for m in messages] == ["+447700900001", "+447700900002"]
    assert all("RW555001 is £40.00 behind" in m.body and m.made_by_run == f"review:{run.pk}" for m in messages)
    assert not LetterRequest.objects.filter(case=case).exists()
    assert summary.messages_queued == 2

    # The same week again (a re-run, or the next day): nothing new.
    review_run(as_of=MONDAY + timedelta(days=1))
    assert Message.objects.count() == 2 and Contact.objects.filter(case=case).count() == 2

    # The next week, with the arrears grown past a week's rent and a call tried: the reminder as before, no text.
    next_monday = MONDAY + timedelta(days=7)
    time_machine.move_to(london_noon(next_monday), tick=False)
    _post(account, "100.00", next_monday)
    Contact.objects.create(case=case, kind=ContactKind.CALL, outcome=ContactOutcome.NO_ANSWER, occurred_on=next_monday)
    run, _ = review_run(as_of=next_monday)
    recommendation = Recommendation.objects.get(run=run, account=account)
    assert (recommendation.action, recommendation.letter) == ("send_reminder_1", "reminder_1")
    assert recommendation.message == ""
    assert LetterRequest.objects.get(case=case).letter == "reminder_1"
    assert Message.objects.count() == 2


def test_the_text_is_not_repeated_while_the_arrears_episode_lasts(installed, time_machine):
    account, _ = _joint_tenancy_just_behind()
    review_run(as_of=MONDAY)
    next_monday = MONDAY + timedelta(days=7)
    time_machine.move_to(london_noon(next_monday), tick=False)
    run, _ = review_run(as_of=next_monday)
    assert Recommendation.objects.get(run=run, account=account).action == "no_action"
    assert Message.objects.count() == 2


def test_a_tenancy_nobody_can_be_texted_about_gets_no_text_step(installed):
    tenancy = TenancyFactory(lead_tenant=PersonFactory(mobile="07700900003", texts_allowed=False))
    account = account_get_or_create(tenancy=tenancy)
    _post(account, "40.00", MONDAY - timedelta(days=3))
    run, _ = review_run(as_of=MONDAY)
    recommendation = Recommendation.objects.get(run=run, account=account)
    assert recommendation.action == "no_action" and recommendation.facts["can_message"] is False
    assert not Message.objects.exists()


def test_a_number_marked_wrong_or_opted_out_is_not_counted_as_reachable(installed):
    from messaging.constants import SuppressionReason
    from messaging.models import Suppression

    wrong = TenancyFactory(lead_tenant=PersonFactory(mobile="07700900004", texts_allowed=True, mobile_wrong_on=MONDAY))
    stopped = TenancyFactory(lead_tenant=PersonFactory(mobile="07700900005", texts_allowed=True))
    Suppression.objects.create(address="+447700900005", reason=SuppressionReason.OPTED_OUT)
    accounts = []
    for tenancy in (wrong, stopped):
        account = account_get_or_create(tenancy=tenancy)
        _post(account, "40.00", MONDAY - timedelta(days=3))
        accounts.append(account)
    run, _ = review_run(as_of=MONDAY)
    for account in accounts:
        assert Recommendation.objects.get(run=run, account=account).facts["can_message"] is False
    assert not Message.objects.exists()


def test_a_breathing_space_recorded_after_the_review_withholds_the_text_when_it_would_go(
    installed, settings, time_machine
):
    account, _ = _joint_tenancy_just_behind()
    time_machine.move_to(datetime(2026, 11, 22, 21, 0, tzinfo=LONDON), tick=False)  # Sunday night: it waits
    review_run(as_of=date(2026, 11, 22))
    case = ArrearsCase.objects.get(account=account)
    messages = list(Message.objects.filter(subject_key=f"case:{case.pk}"))
    assert len(messages) == 2
    assert all(timezone.localtime(m.send_after) == datetime(2026, 11, 23, 8, 0, tzinfo=LONDON) for m in messages)
    time_machine.move_to(datetime(2026, 11, 23, 7, 30, tzinfo=LONDON), tick=False)
    account.refresh_from_db()
    BreathingSpace.objects.create(
        tenancy=account.tenancy,
        kind=BreathingSpaceKind.STANDARD,
        starts_on=date(2026, 11, 23),
        expected_end_on=date(2027, 1, 22),
        ends_on=date(2027, 1, 22),
        debt_covered=account.balance,
    )
    time_machine.move_to(datetime(2026, 11, 23, 8, 0, tzinfo=LONDON), tick=False)
    settings.MESSAGING_PROVIDER = ""  # nothing may reach a provider in this test: the guard acts before it would
    messages_send_waiting(budget_seconds=30)
    for message in messages:
        message.refresh_from_db()
        assert message.status == MessageStatus.WITHHELD
        assert message.status_note == "A Breathing Space now covers these arrears: no messages about them."
        assert Contact.objects.get(message=message).outcome == ContactOutcome.WITHHELD  # the diary says so


def test_hackney_sends_its_first_sms_as_the_shipped_text_and_reads_it_back_as_an_sms(classify):
    from tests.arrears.conftest import TODAY

    first = classify("hackney-2020", balance="7.00", weekly_rent="100.00")
    assert (first.action, first.mode) == ("send_first_sms", "automatic")
    assert first.message == "payment_missed_text,payment_missed_email"
    for code in ("sms", "send_first_sms"):  # an officer's text recorded by hand, or the review's own
        recent = classify("hackney-2020", balance="7.00", last_contact_code=code, last_contact_date=TODAY)
        assert recent.action != "send_first_sms"
        again = TODAY - timedelta(days=8)
        assert classify("hackney-2020", balance="7.00", last_contact_code=code, last_contact_date=again).action == (
            "send_first_sms"
        )


def test_a_policy_names_its_message_templates_as_keys():
    policy = yaml.safe_load((SHIPPED_POLICIES / "rentwise-default.yaml").read_text())
    rule = next(rule for rule in policy["rules"] if rule["key"] == "payment_missed_text")
    rule["outcome"]["message"] = "payment missed!"
    with pytest.raises(PolicyError, match="is not a message template key"):
        policy_check(policy)
    rule["outcome"]["message"] = "payment_missed_text, payment_missed_email"
    assert policy_check(policy)
