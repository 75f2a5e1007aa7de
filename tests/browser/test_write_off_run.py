"""A manager sets the small-balance rule, sees the list and its total and proposes it; another manager approves it. At
desktop width, each page also checked at phone width (axe at both, no sideways scrolling)."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incomeapp.constants import Role
from rentaccounts.constants import AccountKind, TransactionType, WriteOffRunStatus
from rentaccounts.models import Transaction, WriteOffRun
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tenancies.constants import TenancyStatus
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PersonFactory, TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots-h4")  # noqa: S108  (screenshots to look at; nothing reads them back)


def _former(reference: str, balance: str, ended_days_ago: int, last_name: str, kind=AccountKind.RENT):
    today = timezone.localdate()
    tenancy = TenancyFactory(
        payment_reference=reference,
        end_date=today - timedelta(days=ended_days_ago),
        status=TenancyStatus.FORMER,
        lead_tenant=PersonFactory(first_name="Sam", last_name=last_name),
    )
    account = account_get_or_create(tenancy=tenancy, kind=kind)
    amount = Decimal(balance)
    kind_of = TransactionType.RENT_DEBIT if amount > 0 else TransactionType.PAYMENT
    transactions_post(postings=[Posting(account.pk, kind_of, amount, tenancy.end_date, f"o:{reference}")])
    return account


def test_a_manager_proposes_the_run_and_another_approves_it(page, live_server):
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    _former("RW700001", "4.20", 400, "Adeyemi")
    _former("RW700002", "7.35", 250, "Brennan")
    _former("RW700003", "25.00", 400, "Chowdhury")  # not a small balance
    _former("RW700004", "-3.00", 400, "Dawson")  # in credit: never written off
    _former("RW700005", "2.00", 30, "Evans")  # ended a month ago
    proposer = user_with_role(Role.INCOME_MANAGER, first_name="Priya", last_name="Proposer")
    approver = user_with_role(
        Role.INCOME_MANAGER, first_name="Alex", last_name="Approver", delegated_authority_limit=Decimal("1000.00")
    )

    sign_in(page, live_server, proposer.username)
    page.goto(f"{live_server.url}/approvals/")
    page.get_by_role("link", name="Small balances to write off").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Small balances to write off")
    expect(page.get_by_label("Balance under, in pounds")).to_have_value("10.00")
    expect(page.get_by_label("Tenancy ended at least this many months ago")).to_have_value("6")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("RW700001")
    expect(rows.nth(0)).to_contain_text("Sam Adeyemi")
    expect(rows.nth(1)).to_contain_text("£7.35")
    expect(page.locator("#run-total")).to_have_text("2 balances totalling £11.55")
    assert_accessible(page, phone=True)
    page.screenshot(path=SHOTS / "run-list-1280.png", full_page=True)

    # A rule beyond the small-balance limit is refused in words.
    page.get_by_label("Balance under, in pounds").fill("50")
    page.get_by_role("button", name="Show the list").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("A small balance is under £10.00")
    assert_accessible(page, phone=True)
    page.get_by_label("Balance under, in pounds").fill("5.00")
    page.get_by_role("button", name="Show the list").click()
    expect(page.locator("#run-total")).to_have_text("1 balance totalling £4.20")
    page.get_by_label("Balance under, in pounds").fill("10.00")
    page.get_by_role("button", name="Show the list").click()
    page.get_by_role("button", name="Propose this write-off").click()
    expect(page.get_by_text("Proposed: 2 balances totalling £11.55.")).to_be_visible()
    expect(page.locator(".govuk-inset-text")).to_have_text("You proposed this run, so another manager must decide it.")
    expect(page.get_by_role("button", name="Approve and write off")).to_have_count(0)
    assert_accessible(page, phone=True)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, approver.username)
    page.goto(f"{live_server.url}/approvals/")
    page.get_by_role("link", name="Small-balance write-off run").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Small-balance write-off run")
    expect(page.locator("table tbody tr")).to_have_count(2)
    page.get_by_role("button", name="Approve and write off").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reason for your decision")
    assert_accessible(page, phone=True)
    page.get_by_label("Reason for your decision").fill("Quarterly small balances, as the policy allows")
    page.get_by_role("button", name="Approve and write off").click()
    expect(page.get_by_text("Wrote off 2 balances totalling £11.55.")).to_be_visible()
    expect(page.locator(".govuk-caption-l")).to_have_text("Approved and written off")
    expect(page.locator("table tbody tr").filter(has_text="RW700002")).to_contain_text("Written off")
    assert_accessible(page, phone=True)
    page.screenshot(path=SHOTS / "run-approved-1280.png", full_page=True)

    run = WriteOffRun.objects.get()
    assert (run.status, run.total, run.decided_by) == (WriteOffRunStatus.APPROVED, Decimal("11.55"), approver)
    assert Transaction.objects.filter(transaction_type=TransactionType.WRITE_OFF).count() == 2

    # The account page shows the write-off with its reason, and offers the write-on.
    page.goto(f"{live_server.url}/tenancies/RW700001/account/")
    expect(page.locator("li").filter(has_text="written off on")).to_contain_text(
        "£4.20 written off on " + timezone.localdate().strftime("%-d %B %Y") + ": small balance"
    )
    expect(page.get_by_role("link", name="Reverse this write-off (write-on)")).to_be_visible()
    assert_accessible(page, phone=True)
    assert page.console_problems == []
