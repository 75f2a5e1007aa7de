"""An officer asks for an adjustment from the account page; a senior officer decides it from the approvals queue."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from incomeapp.constants import Role
from rentaccounts.constants import RequestKind, RequestStatus, TransactionType
from rentaccounts.models import AdjustmentRequest, Transaction
from rentaccounts.services import account_get_or_create
from rentaccounts.services.approvals import adjustment_request_create
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_asks_and_a_senior_officer_approves(page, live_server):
    account = account_get_or_create(tenancy=TenancyFactory(payment_reference="RW900010"))
    officer = user_with_role(Role.INCOME_OFFICER)
    senior = user_with_role(Role.SENIOR_INCOME_OFFICER, delegated_authority_limit=Decimal("500.00"))
    # The senior officer's own request is in the queue too, and is not theirs to decide.
    adjustment_request_create(
        kind=RequestKind.ADJUSTMENT,
        account=account,
        amount=Decimal("-10.00"),
        reason="Goodwill for a late repair",
        requested_by=senior,
    )

    sign_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/tenancies/RW900010/account/")
    page.get_by_role("link", name="Ask for an adjustment, refund, transfer or write-off").click()
    expect(page.get_by_label("Payment reference", exact=True)).to_have_value("RW900010")
    assert_accessible(page)
    page.get_by_label("Adjustment", exact=True).check()
    page.get_by_label("Amount, in pounds").fill("25.00")
    page.get_by_role("button", name="Send for approval").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reason")
    assert_accessible(page)
    page.get_by_label("Reason").fill("Water charge added in error")
    page.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_text("Sent for approval.")).to_be_visible()
    # The officer's own request: no decision buttons, and the page says why.
    expect(page.locator(".govuk-inset-text")).to_have_text("You asked for this, so someone else must decide it.")
    expect(page.get_by_role("button", name="Approve and post")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, senior.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Approvals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Approvals")
    rows = page.locator("table").first.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="£25.00")).to_contain_text("You can decide")
    expect(rows.filter(has_text="-£10.00")).to_contain_text("Your request: someone else decides")
    assert_accessible(page)

    rows.filter(has_text="-£10.00").get_by_role("link").click()
    expect(page.locator(".govuk-inset-text")).to_have_text("You asked for this, so someone else must decide it.")
    expect(page.get_by_role("button", name="Approve and post")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Back to approvals").click()

    rows.filter(has_text="£25.00").get_by_role("link").click()
    page.get_by_role("button", name="Approve and post").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reason for your decision")
    assert_accessible(page)
    page.get_by_label("Reason for your decision").fill("Checked with the water company")
    page.get_by_role("button", name="Approve and post").click()
    expect(page.get_by_text("Approved. The transactions are posted.")).to_be_visible()
    expect(page.locator(".govuk-caption-l")).to_have_text("Approved")
    expect(page.get_by_text("Checked with the water company")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Back to approvals").click()
    expect(page.locator("table").first.locator("tbody tr")).to_have_count(1)
    expect(page.get_by_text("Approved by")).to_be_visible()
    assert page.console_problems == []

    approved = AdjustmentRequest.objects.get(status=RequestStatus.APPROVED)
    assert (approved.amount, approved.requested_by, approved.decided_by) == (Decimal("25.00"), officer, senior)
    leg = Transaction.objects.get(transaction_type=TransactionType.ADJUSTMENT)
    assert leg.amount == Decimal("25.00")
    account.refresh_from_db()
    assert account.balance == Decimal("25.00")


def test_a_senior_officer_asks_for_a_transfer_from_the_queue(page, live_server):
    TenancyFactory(payment_reference="RW900011")
    TenancyFactory(payment_reference="RW900012")
    senior = user_with_role(Role.SENIOR_INCOME_OFFICER, delegated_authority_limit=Decimal("500.00"))
    sign_in(page, live_server, senior.username)
    page.goto(f"{live_server.url}/approvals/")
    page.get_by_role("link", name="Ask for an adjustment").click()
    page.get_by_label("Payment reference", exact=True).fill("RW900011")
    page.get_by_label("Transfer between accounts").check()
    page.get_by_label("Amount, in pounds").fill("40.00")
    page.get_by_label("Reason").fill("Paid to the wrong reference")
    page.get_by_role("button", name="Send for approval").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the payment reference to transfer to")
    assert_accessible(page)
    page.get_by_label("Transfer to payment reference").fill("RW900012")
    page.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_text("Sent for approval.")).to_be_visible()
    expect(page.get_by_text("RW900012 rent account")).to_be_visible()
    assert_accessible(page)
    assert page.console_problems == []
