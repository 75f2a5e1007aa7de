"""An officer asks for an adjustment from the account page; a senior officer approves it from the queue."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from incomeapp.constants import Role
from rentaccounts.services import account_get_or_create
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_request_and_approve_an_adjustment(page, live_server):
    account_get_or_create(tenancy=TenancyFactory(payment_reference="RW000010"))
    officer = user_with_role(Role.INCOME_OFFICER)
    senior = user_with_role(Role.SENIOR_INCOME_OFFICER, delegated_authority_limit=Decimal("500.00"))

    sign_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/tenancies/RW000010/account/")
    page.get_by_role("link", name="Ask for an adjustment, refund, transfer or write-off").click()
    assert_accessible(page)
    page.get_by_label("Adjustment", exact=True).check()
    page.get_by_label("Amount, in pounds").fill("25.00")
    page.get_by_role("button", name="Send for approval").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reason")
    assert_accessible(page)
    page.get_by_label("Reason").fill("Water charge added in error")
    page.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_text("someone else must decide it")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, senior.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Approvals").click()
    expect(page.get_by_text("You can decide")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Adjustment for RW000010").click()
    page.get_by_label("Reason for your decision").fill("Checked with the water company")
    page.get_by_role("button", name="Approve and post").click()
    expect(page.get_by_text("Approved. The transactions are posted.")).to_be_visible()
    expect(page.locator(".govuk-caption-l")).to_have_text("Approved")
    assert_accessible(page)
    assert page.console_problems == []
