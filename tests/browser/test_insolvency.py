"""An officer records a debt relief order on a tenant from their page; the account and the person's page say what it
covers and what can still be recovered (axe on every page, at desktop and phone widths)."""

import os
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.browser.conftest import assert_accessible, date_fill, sign_in
from tests.factories import PersonFactory, TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("SHOTS_DIR")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_an_officer_records_a_debt_relief_order_and_the_account_shows_it(page, live_server):
    officer = user_with_role(Role.INCOME_OFFICER)
    tenant = PersonFactory(first_name="Amira", last_name="Okonkwo")
    tenancy = TenancyFactory(payment_reference="RW900200", lead_tenant=tenant, start_date=date(2025, 1, 6))
    account = account_get_or_create(tenancy=tenancy)
    transactions_post(
        postings=[
            Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("1240.00"), date(2026, 3, 2), "before"),
            Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("100.00"), date(2026, 5, 4), "after"),
        ]
    )

    sign_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/people/{tenant.pk}/")
    expect(page.get_by_role("heading", name="Bankruptcy and debt relief orders")).to_be_visible()
    page.get_by_role("link", name="Record a bankruptcy or debt relief order").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a bankruptcy or debt relief order")
    assert_accessible(page)
    page.get_by_role("button", name="Record the order").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the day, month and year")
    assert_accessible(page)
    page.get_by_label("Debt relief order").check()
    date_fill(page, date(2026, 5, 1))
    page.get_by_label("Insolvency Register reference (optional)").fill("DRO-4471")
    page.get_by_role("button", name="Record the order").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Debt relief order made 1 May 2026 recorded"
    )
    warning = page.locator(".govuk-warning-text")
    expect(warning).to_contain_text("do not ask for what Amira Okonkwo owed before that date")
    expect(page.get_by_text("£1,240.00 on")).to_be_visible()
    assert_accessible(page)
    shot(page, "person-1280")

    page.get_by_role("link", name="RW900200 rent account").click()
    banner = page.locator("#debt-position .govuk-warning-text")
    expect(banner).to_contain_text(
        "Debt relief order made 1 May 2026 (Amira Okonkwo) covers £1,240.00 owed before that date: do not ask for it. "
        "Debts after that date can be recovered."
    )
    expect(page.locator("#debt-position")).to_contain_text("Recoverable by action until 4 May 2032")
    assert_accessible(page)
    shot(page, "account-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    expect(banner).to_be_visible()
    assert_accessible(page)
    shot(page, "account-375")
    assert not page.console_problems
