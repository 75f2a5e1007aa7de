"""Acceptance (issue 17): an officer sends a text from the case page; the local provider server (real HTTP, speaking
GOV.UK Notify's API) accepts it; its delivery report comes back over HTTP to the callback page and the diary shows
"Delivered"; the tenant's reply comes back the same way and shows on the officer's worklist and in the case's diary.
At desktop width, each page also checked at phone width (axe at both, no sideways scrolling)."""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from arrears.services import policies_install_shipped
from incomeapp.constants import Role
from messaging.constants import MessageStatus
from messaging.models import Message
from messaging.services_shipped import message_templates_install_shipped
from tenancies.models import TenancyTenant
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PersonFactory, case_opened_by_review, tenancy_on_patch_of, user_with_role
from tests.messaging.conftest import notify_provider, provider_server, sending_any_time  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-messaging")  # noqa: S108  (screenshots to look at; nothing reads them back)
TOKEN = "callback-token-for-the-browser-test"


def test_an_officer_texts_a_tenant_sees_it_delivered_and_the_reply_reaches_the_worklist(
    page,
    live_server,
    settings,
    law,
    notify_provider,  # noqa: F811 (the fixture imported above)
):
    SHOTS.mkdir(exist_ok=True)
    settings.MESSAGING_CALLBACK_TOKEN = TOKEN
    page.set_viewport_size({"width": 1280, "height": 900})
    policies_install_shipped()
    message_templates_install_shipped()
    officer = user_with_role(Role.INCOME_OFFICER, first_name="Jo", last_name="Officer")
    ada = PersonFactory(first_name="Ada", last_name="Lovel", mobile="07700 900321", texts_allowed=True)
    tenancy = tenancy_on_patch_of(officer, payment_reference="RW884001", lead_tenant=ada)
    TenancyTenant.objects.create(tenancy=tenancy, person=PersonFactory(first_name="Bo", last_name="Lovel"))
    case = case_opened_by_review(tenancy, owed="300.00", days_ago=20)
    already = set(Message.objects.values_list("pk", flat=True))  # the review's own payment-missed texts, if any

    sign_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/worklist/cases/{case.pk}/")
    page.get_by_role("link", name="Send a text or email").click()
    expect(page.get_by_role("heading", name="Send a text message")).to_be_visible()
    expect(page.get_by_text("Bo Lovel: has not agreed to text messages")).to_be_visible()
    assert_accessible(page, phone=True)
    page.get_by_label("Ada Lovel").check()
    page.get_by_label("Which message?").select_option(label="Please call us back")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check the text message before it goes")).to_be_visible()
    expect(page.locator("#when-it-goes")).to_have_text("Now")
    assert_accessible(page, phone=True)
    page.get_by_role("button", name="Send text message").click()

    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Ada Lovel")
    (message,) = Message.objects.exclude(pk__in=already)
    assert message.to == "+447700900321" and message.status == MessageStatus.SENT  # handed to the provider
    assert notify_provider.accepted_counts()[message.idempotency_key] == 1
    assert_accessible(page, phone=True)

    # The provider reports it delivered, over HTTP, as Notify does.
    receipt_url = live_server.url + reverse("messaging:notify_receipts")
    response = notify_provider.send_receipt(receipt_url, token=TOKEN, reference=message.idempotency_key)
    assert response.status_code == 200, response.text
    page.goto(f"{live_server.url}/worklist/cases/{case.pk}/")
    diary_entry = page.locator("#diary li, #diary tr, #diary .moj-timeline__item").filter(has_text="Ada Lovel").first
    expect(diary_entry).to_contain_text("Delivered")
    expect(diary_entry).not_to_contain_text("edited")  # sent as the template made it
    page.screenshot(path=SHOTS / "diary-delivered-1280.png", full_page=True)
    assert_accessible(page, phone=True)

    # Ada replies; the reply reaches the officer's worklist and the diary.
    reply_url = live_server.url + reverse("messaging:notify_replies")
    response = notify_provider.send_reply(
        reply_url, token=TOKEN, source_number="447700900321", message="Sorry, I can pay £50 on Friday"
    )
    assert response.status_code == 200, response.text
    page.goto(f"{live_server.url}/worklist/")
    replies_tab = page.get_by_role("link", name="Replies (1)")
    expect(replies_tab).to_be_visible()
    replies_tab.click()
    row = page.get_by_role("row").filter(has_text="RW884001")
    expect(row).to_contain_text("New reply")
    page.screenshot(path=SHOTS / "worklist-replies-1280.png", full_page=True)
    assert_accessible(page, phone=True)
    row.get_by_role("link", name="Ada Lovel").click()
    expect(page.get_by_text("Sorry, I can pay £50 on Friday")).to_be_visible()
    page.get_by_role("button", name="Mark replies as read").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    assert_accessible(page, phone=True)
