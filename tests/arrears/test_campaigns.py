"""Campaigns: a manager sends one message to a filtered list of open cases, previewed with its count (a dry run of the
send itself) before it goes. The filters pick the right cases, the preview's counts are what is queued, a second press
of Send makes nothing more, the tenant-protection rules leave people out with their reasons, and only managers may."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from arrears.constants import BreathingSpaceKind, ContactKind
from arrears.models import ArrearsCase, BreathingSpace, Contact
from arrears.selectors_campaigns import campaign_cases, campaign_status_counts
from arrears.services.campaigns import campaign_preview, campaign_send
from incomeapp.constants import Role
from messaging.constants import Channel, MessageStatus, SuppressionReason
from messaging.models import Campaign, Message, MessageTemplate, Suppression
from messaging.quiet_hours import next_sending_moment
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tenancies.models import TenancyTenant
from tests.factories import (
    PatchFactory,
    PersonFactory,
    PropertyFactory,
    TenancyFactory,
    london_noon,
    support_worker_for,
    user_with_role,
)

pytestmark = pytest.mark.django_db

FRIDAY = date(2026, 12, 18)  # before Christmas: the messages go at once (noon, a working day)
KEY = "bank_holiday_text"


@pytest.fixture(autouse=True)
def clock_and_template(time_machine, settings):
    settings.MESSAGING_PROVIDER = "notify"  # messages wait to send (with no provider they are kept as not sent)
    time_machine.move_to(london_noon(FRIDAY), tick=False)
    template = MessageTemplate.objects.create(key=KEY, title="Bank holiday opening times", channel=Channel.TEXT)
    template.versions.create(
        number=1,
        body="Hello {{ tenant_name }}, our office is closed on Christmas Day and Boxing Day. "
        "Your rent account {{ payment_reference }} is {{ balance }} behind.",
        published_at=timezone.now(),
    )


@pytest.fixture
def manager():
    return user_with_role(Role.INCOME_MANAGER, first_name="Mo", last_name="Manager")


@pytest.fixture
def north():
    return PatchFactory(name="North")


def texter(**fields):
    values = {"mobile": "07700 900123", "texts_allowed": True, "preferred_contact": "sms"} | fields
    return PersonFactory(**values)


def owing_case(*, patch, lead=None, others=(), owed="300.00") -> ArrearsCase:
    tenancy = TenancyFactory(lead_tenant=lead or texter(), property=PropertyFactory(patch=patch))
    for person in others:
        TenancyTenant.objects.create(tenancy=tenancy, person=person, is_lead=False)
    account = account_get_or_create(tenancy=tenancy)
    transactions_post(
        postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal(owed), FRIDAY - timedelta(days=3), "d")]
    )
    return ArrearsCase.objects.create(account=account, opened_on=FRIDAY)


def breathing_space(case):
    return BreathingSpace.objects.create(
        tenancy=case.account.tenancy,
        kind=BreathingSpaceKind.STANDARD,
        starts_on=FRIDAY - timedelta(days=5),
        expected_end_on=FRIDAY + timedelta(days=55),
        ends_on=FRIDAY + timedelta(days=55),
        debt_covered=case.account.balance,
    )


def form(patch, **extra) -> dict:
    return {"title": "North: Christmas opening", "template": KEY, "tab": "patch", "patch": patch.pk} | extra


def test_the_filters_pick_the_patchs_open_cases_only(north):
    south = PatchFactory(name="South")
    mine = [owing_case(patch=north), owing_case(patch=north, owed="50.00")]
    owing_case(patch=south)
    closed = owing_case(patch=north)
    ArrearsCase.objects.filter(pk=closed.pk).update(status="closed")
    picked = campaign_cases(criteria={"patch": north.pk}, as_of=FRIDAY)
    assert sorted(case.pk for case in picked) == sorted(case.pk for case in mine)
    # The minimum balance narrows it: only the case owing £300.00.
    picked = campaign_cases(criteria={"patch": north.pk, "min_balance": "100.00"}, as_of=FRIDAY)
    assert [case.pk for case in picked] == [mine[0].pk]


def test_the_officer_landlord_and_ladder_filters(north, manager):
    from arrears.constants import Ladder
    from tests.factories import ProviderFactory, SchemeFactory

    olu = user_with_role(Role.INCOME_OFFICER)
    theirs = owing_case(patch=north)
    ArrearsCase.objects.filter(pk=theirs.pk).update(officer=olu)
    other_landlord = SchemeFactory(provider=ProviderFactory(name="Hillside Homes"))
    elsewhere = TenancyFactory(lead_tenant=texter(), property=PropertyFactory(patch=north, scheme=other_landlord))
    hillside = ArrearsCase.objects.create(account=account_get_or_create(tenancy=elsewhere), opened_on=FRIDAY)
    former = owing_case(patch=north)
    ArrearsCase.objects.filter(pk=former.pk).update(ladder=Ladder.FORMER)

    def picked(**criteria):
        return {case.pk for case in campaign_cases(criteria={"patch": north.pk} | criteria, as_of=FRIDAY)}

    assert picked() == {theirs.pk, hillside.pk}
    assert picked(officer=olu.pk) == {theirs.pk}
    assert picked(provider=other_landlord.provider_id) == {hillside.pk}
    assert picked(tab="former") == {former.pk}
    assert picked(scheme=other_landlord.pk, tab="sundry") == set()


def test_the_cases_are_read_in_two_queries_whatever_their_number(north):
    for _ in range(6):
        owing_case(patch=north, others=[texter()])
    with CaptureQueriesContext(connection) as queries:
        picked = campaign_cases(criteria={"patch": north.pk}, as_of=FRIDAY)
        names = [row.person.full_name for case in picked for row in case.account.tenancy.tenancy_tenants.all()]
        references = [case.account.tenancy.payment_reference for case in picked]
    assert len(picked) == 6 and len(names) == 12 and len(references) == 6
    assert len(queries) == 2


def test_the_preview_counts_what_is_then_queued_and_leaves_out_breathing_space_and_no_consent(manager, north):
    sent_to = [owing_case(patch=north), owing_case(patch=north, others=[texter(mobile="07700 900456")])]
    no_consent = owing_case(patch=north, lead=texter(texts_allowed=False, first_name="Ann", last_name="Lee"))
    held = owing_case(patch=north)
    breathing_space(held)
    stopped = owing_case(patch=north, lead=texter(mobile="07700 900999", first_name="Sam", last_name="Stop"))
    Suppression.objects.create(address="+447700900999", reason=SuppressionReason.OPTED_OUT)
    owing_case(patch=PatchFactory(name="South"))  # not on the list

    criteria = {"tab": "patch", "patch": north.pk}
    preview = campaign_preview(title="Christmas", template_key=KEY, criteria=criteria, previewed_by=manager)
    # The dry run kept nothing.
    assert Campaign.objects.count() == 0 and Message.objects.count() == 0 and Contact.objects.count() == 0
    assert preview.cases == 5 and preview.people == 3
    groups = dict(preview.not_sent_groups)
    assert groups == {"Not agreed to texts": 1, "A Breathing Space holds the arrears": 1, "Replied STOP": 1}
    by_case = {row["case"]: row for row in preview.not_sent}
    assert by_case[no_consent.pk]["name"] == "Ann Lee"
    assert by_case[no_consent.pk]["reason"].startswith("has not agreed to text messages")
    assert by_case[held.pk]["person"] is None and "Breathing Space" in by_case[held.pk]["reason"]
    assert by_case[stopped.pk]["group"] == "Replied STOP"
    assert preview.sample["body"].startswith("Hello ") and "£300.00 behind" in preview.sample["body"]
    assert preview.sample["parts"] == 1 and preview.total_parts == 3
    assert timezone.localtime(preview.sends_at).date() == FRIDAY and preview.quiet == ""
    assert "patch: North" in preview.audience

    sent = campaign_send(title="Christmas", template_key=KEY, criteria=criteria, sent_by=manager, submission_key="k1")
    campaign = sent.campaign
    assert (sent.cases, sent.people, sent.not_sent_groups) == (preview.cases, preview.people, preview.not_sent_groups)
    messages = Message.objects.filter(campaign=campaign)
    assert messages.count() == 3 and set(messages.values_list("status", flat=True)) == {MessageStatus.QUEUED}
    assert {m.subject_key for m in messages} == {f"case:{case.pk}" for case in sent_to}
    assert campaign.audience_count == 3 and campaign.criteria["filters"] == criteria
    assert campaign.template_version.template.key == KEY and campaign.created_by == manager
    contacts = Contact.objects.filter(message__campaign=campaign)
    assert contacts.count() == 3 and {c.kind for c in contacts} == {ContactKind.SMS}
    assert {c.code for c in contacts} == {"campaign"} and {c.recorded_by for c in contacts} == {manager}


def test_sending_twice_with_the_same_key_makes_one_campaign_and_one_message_per_person(manager, north):
    owing_case(patch=north, others=[texter(mobile="07700 900456")])
    criteria = {"patch": north.pk}
    first = campaign_send(title="Once", template_key=KEY, criteria=criteria, sent_by=manager, submission_key="same")
    again = campaign_send(title="Once", template_key=KEY, criteria=criteria, sent_by=manager, submission_key="same")
    assert again.already and again.campaign == first.campaign and again.people == 2
    assert Campaign.objects.count() == 1 and Message.objects.count() == 2
    assert Message.objects.values("to").distinct().count() == 2


def test_the_pages_preview_then_send_once_with_the_banner(client, manager, north):
    owing_case(patch=north)
    owing_case(patch=north, lead=texter(texts_allowed=False))
    client.force_login(manager)
    assert client.get("/worklist/campaigns/new/").status_code == 200
    response = client.post("/worklist/campaigns/new/", form(north))
    html = response.content.decode()
    assert response.status_code == 200 and "Check the campaign before you send it" in html
    assert "1 person gets it, from 2 cases." in html and "Not agreed to texts" in html
    assert "1 in all (the provider charges by the part)" in html and "Now, from 18 December 2026 at 12:00" in html
    assert Campaign.objects.count() == 0
    answers = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))
    assert answers["submission"] and answers["title"] == "North: Christmas opening"
    response = client.post("/worklist/campaigns/new/", answers | {"confirm": "1"}, follow=True)
    html = response.content.decode()
    campaign = Campaign.objects.get()
    assert response.redirect_chain[-1][0] == f"/worklist/campaigns/{campaign.pk}/"
    assert "Campaign “North: Christmas opening” sent: 1 message queued, to go from 18 December 2026 at 12:00." in html
    assert "1 left out: 1 not agreed to texts." in html
    # A second press of Send: the same campaign, nothing new.
    response = client.post("/worklist/campaigns/new/", answers | {"confirm": "1"}, follow=True)
    assert "was already sent: nothing new was made" in response.content.decode()
    assert Campaign.objects.count() == 1 and Message.objects.count() == 1


def test_the_form_keeps_what_was_typed_and_says_what_is_wrong(client, manager, north):
    client.force_login(manager)
    response = client.post("/worklist/campaigns/new/", form(north, template="", min_balance="lots"))
    html = response.content.decode()
    assert response.status_code == 400 and "Choose the message to send" in html
    assert 'value="North: Christmas opening"' in html


def test_the_campaign_page_counts_its_messages_by_status_and_lists_who_was_left_out(client, manager, north):
    owing_case(patch=north, others=[texter(mobile="07700 900456"), texter(mobile="07700 900789")])
    owing_case(patch=north, lead=texter(mobile="", first_name="Nia", last_name="Nomobile"))
    sent = campaign_send(title="Counts", template_key=KEY, criteria={"patch": north.pk}, sent_by=manager)
    messages = list(Message.objects.filter(campaign=sent.campaign).order_by("id"))
    Message.objects.filter(pk=messages[0].pk).update(status=MessageStatus.DELIVERED)
    Message.objects.filter(pk=messages[1].pk).update(status=MessageStatus.PERMANENT_FAILURE)
    counts = {row["key"]: row["count"] for row in campaign_status_counts(sent.campaign)}
    assert counts == {"waiting": 1, "sent": 0, "delivered": 1, "failed": 1, "withheld": 0, "no_provider": 0}
    client.force_login(manager)
    html = client.get(f"/worklist/campaigns/{sent.campaign.pk}/").content.decode()
    rows = dict(re.findall(r'data-status="(\w+)">\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>(\d+)</td>', html))
    assert rows == {"waiting": "1", "sent": "0", "delivered": "1", "failed": "1", "withheld": "0", "no_provider": "0"}
    assert "Nia Nomobile" in html and "No mobile number" in html
    listing = client.get("/worklist/campaigns/").content.decode()
    assert "Counts" in listing and "patch: North" in listing


@pytest.mark.parametrize("role", ["officer", "support"])
def test_an_officer_or_a_support_worker_may_not_send_a_campaign(client, north, role):
    case = owing_case(patch=north)
    user = user_with_role(Role.INCOME_OFFICER) if role == "officer" else support_worker_for(case.account.tenancy)
    client.force_login(user)
    assert client.get("/worklist/campaigns/new/").status_code == 403
    assert client.post("/worklist/campaigns/new/", form(north) | {"confirm": "1"}).status_code == 403
    assert client.get("/worklist/campaigns/").status_code == 403
    with pytest.raises(PermissionDenied):
        campaign_send(title="No", template_key=KEY, criteria={}, sent_by=user)
    with pytest.raises(PermissionDenied):
        campaign_preview(title="No", template_key=KEY, criteria={}, previewed_by=user)
    assert Campaign.objects.count() == 0 and Message.objects.count() == 0


def test_in_quiet_hours_the_preview_says_when_the_messages_will_go(time_machine, manager, north):
    owing_case(patch=north)
    time_machine.move_to(timezone.make_aware(datetime(2026, 12, 24, 21, 0)), tick=False)
    criteria = {"patch": north.pk}
    preview = campaign_preview(title="Late", template_key=KEY, criteria=criteria, previewed_by=manager)
    assert preview.quiet == "no messages after 20:00"
    assert preview.sends_at == next_sending_moment(timezone.now()) and preview.sends_at.date() > date(2026, 12, 24)
    sent = campaign_send(title="Late", template_key=KEY, criteria=criteria, sent_by=manager)
    assert [m.send_after for m in Message.objects.filter(campaign=sent.campaign)] == [preview.sends_at]


def test_the_worklist_links_a_manager_to_a_campaign_for_the_cases_it_lists(client, manager, north):
    owing_case(patch=north)
    client.force_login(manager)
    html = client.get(f"/worklist/?tab=patch&officer=&patch={north.pk}").content.decode()
    link = re.search(r'<p class="govuk-body" id="campaign-from-worklist"><a class="govuk-link" href="([^"]+)"', html)
    assert link and "patch=" in link.group(1)
    form_html = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert re.search(rf'<option value="{north.pk}" selected>North</option>', form_html)
    assert re.search(r'<option value="patch" selected>', form_html)
    officer = user_with_role(Role.INCOME_OFFICER)
    client.force_login(officer)
    assert "campaign-from-worklist" not in client.get(f"/worklist/?tab=patch&patch={north.pk}").content.decode()
