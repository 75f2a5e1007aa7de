"""Message template pages: officers read them; managers write a draft (a bad merge field refused in plain words),
publish it and go back to an earlier version, append-only; a text template shows its part count (160/306/459
characters in the basic alphabet, 70 a part once a character like a curly quote is in it)."""

import pytest

from incomeapp.constants import Role
from messaging.constants import Channel
from messaging.models import MessageTemplate, MessageTemplateVersion
from messaging.selectors import template_version_current
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

FIRST = "Hello {{ tenant_name }}, your rent account {{ payment_reference }} is behind. Please call us."


@pytest.fixture
def manager():
    return user_with_role(Role.INCOME_MANAGER, first_name="Mina", last_name="Manager")


@pytest.fixture
def officer():
    return user_with_role(Role.INCOME_OFFICER)


@pytest.fixture
def template():
    template = MessageTemplate.objects.create(key="rent_behind", title="Rent behind", channel=Channel.TEXT)
    template.versions.create(number=1, body=FIRST, published_at="2026-11-30T10:00:00Z")
    return template


def test_the_list_shows_each_template_with_its_channel_and_version_in_use(client, officer, template):
    MessageTemplate.objects.create(key="statement_ready", title="Statement ready", channel=Channel.EMAIL)
    client.force_login(officer)
    page = client.get("/messaging/templates/").content.decode()
    assert "Rent behind" in page and "Text message" in page and "Version 1" in page
    assert "Statement ready" in page and "Email" in page and "None published" in page


def test_an_officer_reads_a_template_but_cannot_change_it(client, officer, template):
    client.force_login(officer)
    page = client.get("/messaging/templates/rent_behind/").content.decode()
    assert "your rent account" in page and "Write a new version" not in page
    assert client.post("/messaging/templates/rent_behind/", {"body": "Changed"}).status_code == 403
    assert client.post("/messaging/templates/rent_behind/versions/1/revert/").status_code == 403
    assert template.versions.count() == 1


def test_a_support_worker_cannot_see_message_templates(client, template):
    client.force_login(user_with_role(Role.SUPPORT_WORKER))
    assert client.get("/messaging/templates/").status_code == 403


def test_a_draft_is_kept_unused_until_published_then_a_revert_makes_a_new_version(client, manager, template):
    client.force_login(manager)
    page = client.get("/messaging/templates/rent_behind/").content.decode()
    assert "Merge fields you can use" in page and "tenant_name" in page

    response = client.post("/messaging/templates/rent_behind/", {"body": "Hi {{ tenant_name }}, please pay today."})
    assert response.status_code == 302 and response.url == "/messaging/templates/rent_behind/versions/2/"
    draft = template.versions.get(number=2)
    assert draft.published_at is None and draft.created_by == manager
    assert template_version_current("rent_behind").number == 1  # a draft is used by no message
    page = client.get(response.url).content.decode()
    assert "Saved as draft version 2" in page and "Publish version 2" in page

    response = client.post("/messaging/templates/rent_behind/versions/2/publish/", follow=True)
    assert "Published version 2 of “Rent behind”" in response.content.decode()
    assert template_version_current("rent_behind").number == 2

    response = client.post("/messaging/templates/rent_behind/versions/1/revert/", follow=True)
    assert "Went back to version 1: its text is now version 3" in response.content.decode()
    current = template_version_current("rent_behind")
    assert (current.number, current.body, current.reverted_from.number) == (3, FIRST, 1)
    assert MessageTemplateVersion.objects.filter(template=template).count() == 3  # nothing changed or deleted


def test_a_version_published_before_cannot_be_published_again(client, manager, template):
    client.force_login(manager)
    response = client.post("/messaging/templates/rent_behind/versions/1/publish/", follow=True)
    assert "Version 1 was already published" in response.content.decode()


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("Hello {{ tenant_nme }}", "The template uses {{ tenant_nme }}, which is not a merge field."),
        ("Hello {{ tenant_name", "A merge field is not closed: write it as {{ tenant_name }}."),
        ("{% if x %}Hello{% endif %}", "Templates cannot contain {% … %}."),
    ],
)
def test_a_bad_merge_field_is_refused_in_plain_words_keeping_what_was_typed(client, manager, template, body, said):
    client.force_login(manager)
    response = client.post("/messaging/templates/rent_behind/", {"body": body})
    page = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in page and said in page
    assert body in page  # kept as typed
    assert template.versions.count() == 1


def test_an_email_template_needs_a_subject(client, manager):
    MessageTemplate.objects.create(key="statement_ready", title="Statement ready", channel=Channel.EMAIL)
    client.force_login(manager)
    response = client.post("/messaging/templates/statement_ready/", {"subject": "", "body": "Your statement"})
    assert response.status_code == 400 and "Write the email&#x27;s subject line" in response.content.decode()
    response = client.post(
        "/messaging/templates/statement_ready/", {"subject": "Your statement", "body": "Dear {{ tenant_name }}"}
    )
    assert response.status_code == 302
    assert MessageTemplateVersion.objects.get(template__key="statement_ready").subject == "Your statement"


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ("a" * 160, "160 characters: 1 part. 160 characters is 1 part, 306 is 2, 459 is 3."),
        ("a" * 161, "161 characters: 2 parts."),
        ("a" * 306, "306 characters: 2 parts."),
        ("a" * 307, "307 characters: 3 parts."),
        ("a" * 459, "459 characters: 3 parts."),
        ("a" * 460, "460 characters: 4 parts."),
        ("a" * 69 + "’", "70 characters: 1 part. It has a character outside the basic text alphabet"),
        ("a" * 70 + "’", "71 characters: 2 parts. It has a character outside the basic text alphabet"),
        ("[" * 80, "160 characters: 1 part."),  # [ takes two places in the 7-bit alphabet
    ],
)
def test_a_text_template_shows_its_part_count(client, manager, template, body, shown):
    client.force_login(manager)
    response = client.post("/messaging/templates/rent_behind/", {"body": body}, follow=True)
    page = response.content.decode().replace("&#x27;", "'")
    assert shown in page
