"""Acceptance (issue 17): an Income Manager changes the shipped "Payment missed text": opens Message templates from the
navigation, writes a new draft version, sees its part count (the live counter as typed, and the server's after
saving), publishes it and sees the version history; a bad merge field is refused with a GOV.UK error summary that
keeps what was typed. At desktop width, each page also checked at phone width (axe at both, no sideways scrolling)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from incomeapp.constants import Role
from messaging.models import MessageTemplate
from messaging.services_shipped import message_templates_install_shipped
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-b1")  # noqa: S108  (screenshots to look at; nothing reads them back)
LONGER = (
    "{{ landlord_name }}: your rent account {{ payment_reference }} is {{ balance }} behind. Please pay today online "
    "or at any PayPoint. If you cannot pay, call {{ officer_phone }} and we will help you make a plan that works."
)
BAD = "{{ landlord_name }}: hello {{ tenant_nmae }}, please pay."


def shot(page, name: str) -> None:
    page.screenshot(path=SHOTS / f"templates-{name}-1280.png", full_page=True)


def test_a_manager_writes_checks_and_publishes_a_new_version_of_a_text(page, live_server):
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    message_templates_install_shipped()
    manager = user_with_role(Role.INCOME_MANAGER, first_name="Mina", last_name="Manager")
    template = MessageTemplate.objects.get(title="Payment missed text")
    first = template.versions.get()

    sign_in(page, live_server, manager.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Message templates").click()
    expect(page.get_by_role("heading", name="Message templates", level=1)).to_be_visible()
    shot(page, "1-list")
    assert_accessible(page, phone=True)

    page.get_by_role("link", name="Payment missed text").click()
    expect(page.get_by_role("heading", name="Payment missed text", level=1)).to_be_visible()
    # As written the shipped text is 161 places (each brace of a merge field takes two): 2 parts; a tenant's message,
    # with their details filled in, is 1 part, and the page says so.
    parts = page.locator("#body-parts")
    expect(parts).to_contain_text("161 characters: 2 parts.")
    expect(page.locator("#body-parts-filled")).to_contain_text("1 part.")
    shot(page, "2-edit")
    assert_accessible(page, phone=True)

    # A bad merge field: refused, with the error summary, and the text kept as typed.
    text = page.get_by_label("Message text")
    text.fill(BAD)
    page.get_by_role("button", name="Save as a draft").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("The template uses {{ tenant_nmae }}, which is not a merge field.")
    expect(summary).to_contain_text("Did you mean {{ tenant_name }}?")
    expect(page.get_by_label("Message text")).to_have_value(BAD)
    expect(page).to_have_title(re.compile(r"^Error: Payment missed text"))
    shot(page, "3-error")
    assert_accessible(page, phone=True)
    summary.get_by_role("link").first.click()  # the summary's link takes the keyboard to the field
    expect(page.get_by_label("Message text")).to_be_focused()
    assert template.versions.count() == 1

    # The live counter follows the typing (progressive enhancement; the server's count is checked after saving).
    page.get_by_label("Message text").fill(LONGER)
    expect(parts).to_contain_text("236 characters: 2 parts.")
    page.get_by_role("button", name="Save as a draft").click()

    expect(page.get_by_role("heading", name="Check draft version 2")).to_be_visible()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Saved as draft version 2")
    expect(page.locator("#body-parts")).to_contain_text("236 characters: 2 parts.")  # the server's, as written
    expect(page.locator("#body-parts-filled")).to_contain_text("2 parts.")  # and with details filled in
    shot(page, "4-draft")
    assert_accessible(page, phone=True)

    page.get_by_role("button", name="Publish version 2").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Published version 2")
    expect(page.get_by_role("heading", name="Payment missed text", level=1)).to_be_visible()
    history = page.get_by_role("table").filter(has_text="Version 1")
    expect(history.get_by_role("row").filter(has_text="Version 2")).to_contain_text("In use")
    expect(history.get_by_role("row").filter(has_text="Version 1")).to_contain_text("Replaced")
    shot(page, "5-published")
    assert_accessible(page, phone=True)

    latest = template.versions.order_by("-number").first()
    assert latest.number == 2 and latest.body == LONGER and latest.published_at
    first.refresh_from_db()
    assert first.body != LONGER  # append-only: version 1 keeps its text
    # The refused draft's page comes back as 400 Bad Request, which the console notes; anything else is a problem.
    problems = [problem for problem in page.console_problems if "status of 400" not in problem]
    assert not problems, problems
