"""Acceptance (issue 17): an Income Manager sends the shipped "Bank holiday reminder" text to every owing case in a
patch. From the navigation: choose the patch and the message, see the preview's counts and who is left out and why
(no consent, a Breathing Space), send, and see the banner and the campaign page's counts by status. With no provider
set the messages are kept as "not sent: no provider". At desktop and phone widths, with axe on every page."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arrears.constants import BreathingSpaceKind
from arrears.models import ArrearsCase, BreathingSpace
from arrears.review import review_run
from arrears.services import policies_install_shipped
from incomeapp.constants import Role
from messaging.models import Campaign
from messaging.services_shipped import message_templates_install_shipped
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PatchFactory, PersonFactory, PropertyFactory, TenancyFactory, user_with_role
from tests.messaging.conftest import sending_any_time  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-b1")  # noqa: S108  (screenshots to look at; nothing reads them back)


def owing_tenancy(patch, reference: str, tenant):
    tenancy = TenancyFactory(payment_reference=reference, property=PropertyFactory(patch=patch), lead_tenant=tenant)
    account = account_get_or_create(tenancy=tenancy)
    today = timezone.localdate()
    transactions_post(
        postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("300.00"), today - timedelta(days=20), "d")]
    )
    return account


def shot(page, name: str) -> None:
    page.screenshot(path=SHOTS / f"campaign-{name}-1280.png", full_page=True)


def test_a_manager_sends_a_bank_holiday_reminder_to_a_patch(
    page,
    live_server,
    settings,
    law,
    sending_any_time,  # noqa: F811 (the imported fixture)
):
    SHOTS.mkdir(exist_ok=True)
    settings.MESSAGING_PROVIDER = ""  # kept as "not sent: no provider"
    page.set_viewport_size({"width": 1280, "height": 900})
    policies_install_shipped()
    message_templates_install_shipped()
    manager = user_with_role(Role.INCOME_MANAGER, first_name="Mo", last_name="Manager")
    north = PatchFactory(name="North")
    PatchFactory(name="South")
    texter = {"texts_allowed": True}
    accounts = [
        owing_tenancy(
            north, "RW770001", PersonFactory(first_name="Ada", last_name="One", mobile="07700 900001", **texter)
        ),
        owing_tenancy(
            north, "RW770002", PersonFactory(first_name="Ben", last_name="Two", mobile="07700 900002", **texter)
        ),
        owing_tenancy(north, "RW770003", PersonFactory(first_name="Cy", last_name="Three", mobile="07700 900003")),
        owing_tenancy(
            north, "RW770004", PersonFactory(first_name="Di", last_name="Four", mobile="07700 900004", **texter)
        ),
    ]
    today = timezone.localdate()
    review_run(as_of=today)  # opens the cases it finds (the factories' rents differ; open any it left)
    for account in accounts:
        ArrearsCase.objects.get_or_create(account=account, defaults={"opened_on": today})
    held = accounts[3]
    BreathingSpace.objects.create(
        tenancy=held.tenancy,
        kind=BreathingSpaceKind.STANDARD,
        starts_on=today - timedelta(days=2),
        expected_end_on=today + timedelta(days=58),
        ends_on=today + timedelta(days=58),
        debt_covered=held.balance,
    )

    sign_in(page, live_server, manager.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    expect(page.get_by_role("heading", name="Campaigns", level=1)).to_be_visible()
    expect(page.get_by_text("No campaign has been sent yet.")).to_be_visible()
    shot(page, "1-list-empty")
    assert_accessible(page, phone=True)

    page.get_by_role("button", name="Send a campaign").click()
    expect(page.get_by_role("heading", name="Send a campaign")).to_be_visible()
    shot(page, "2-form")
    assert_accessible(page, phone=True)
    page.get_by_label("Title").fill("North: bank holiday reminder")
    page.get_by_label("Message", exact=True).select_option(label="Bank holiday reminder (text message)")
    page.get_by_label("Patch").select_option(label="North")
    page.get_by_role("button", name="Preview the campaign").click()

    expect(page.get_by_role("heading", name="Check the campaign before you send it")).to_be_visible()
    count = page.locator("#campaign-count")
    expect(count).to_contain_text("2 people get it, from 4 cases.")
    expect(count).to_contain_text("2 are left out")
    expect(page.locator("dl").first).to_contain_text("Bank holiday reminder")
    expect(page.locator("#campaign-no-provider")).to_contain_text("No text message or email provider is set up")
    not_sent = page.locator("#campaign-not-sent")
    expect(not_sent).to_contain_text("agreed")  # Cy has not agreed to texts
    expect(not_sent).to_contain_text("Breathing Space")  # Di's arrears are held
    expect(page.locator("#campaign-sample")).to_contain_text("RW77000")
    assert not Campaign.objects.exists()  # nothing kept before Send
    shot(page, "3-preview")
    assert_accessible(page, phone=True)

    page.get_by_role("button", name="Send the campaign").click()
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("North: bank holiday reminder")
    expect(banner).to_contain_text("2 messages, but none was sent")
    expect(banner).to_contain_text("1 because a Breathing Space holds the arrears")
    expect(page.get_by_role("heading", name="North: bank holiday reminder", level=1)).to_be_visible()
    (campaign,) = Campaign.objects.all()
    assert campaign.messages.count() == 2
    status = page.locator("#campaign-status")
    expect(status.locator('[data-status="no_provider"]')).to_contain_text("2")
    expect(page.locator("#campaign-not-sent")).to_contain_text("RW770003")
    expect(page.locator("#campaign-not-sent")).to_contain_text("RW770004")
    shot(page, "4-sent")
    assert_accessible(page, phone=True)

    page.get_by_role("link", name="Back to campaigns").click()
    expect(page.get_by_role("link", name="North: bank holiday reminder")).to_be_visible()
    shot(page, "5-list")
    assert_accessible(page, phone=True)
    assert not page.console_problems, page.console_problems
