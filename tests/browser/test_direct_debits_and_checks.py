"""The direct-debit page and the account-checks queue work from the keyboard-and-mouse path and pass axe."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from rentaccounts.services.account_checks import account_checks_find
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
RETURNS = Path(__file__).resolve().parents[2] / "docs" / "samples" / "direct-debit-returns.csv"


def test_set_up_a_direct_debit_and_post_a_return_file(page, live_server):
    TenancyFactory(payment_reference="RW000001")
    sign_in(page, live_server, user_with_role(Role.INCOME_OFFICER).username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Payments").click()
    page.get_by_role("link", name="Direct debits: mandates and returned payments").click()
    assert_accessible(page)
    page.get_by_label("Tenancy payment reference").fill("RW000001")
    page.get_by_label("Mandate reference").fill("DD-RW000001")
    page.get_by_label("Collection day of the month").fill("23")
    page.get_by_label("Day", exact=True).fill("23")
    page.get_by_label("Month", exact=True).fill("11")
    page.get_by_label("Year", exact=True).fill("2026")
    page.get_by_role("button", name="Set up direct debit").click()
    expect(page.get_by_text("Direct debit set up for RW000001.")).to_be_visible()
    page.get_by_label("Bank return file (CSV)").set_input_files(str(RETURNS))
    page.get_by_role("button", name="Post returned direct debits").click()
    expect(page.locator("table").first).to_contain_text("No direct debit of £100.00 on 23 November 2026 on RW000001.")
    assert_accessible(page)
    assert page.console_problems == []


def test_a_senior_officer_resolves_an_account_check(page, live_server):
    account = account_get_or_create(tenancy=TenancyFactory(payment_reference="RW000002"))
    transactions_post(
        postings=[
            Posting(
                account.pk,
                TransactionType.PAYMENT,
                Decimal("-50.00"),
                date(2026, 11, 2),
                f"x{n}",
                payment_method="card",
            )
            for n in range(2)
        ]
    )
    account_checks_find(since=date(2026, 9, 1))
    sign_in(page, live_server, user_with_role(Role.SENIOR_INCOME_OFFICER).username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Approvals").click()
    page.get_by_role("link", name="Account checks: 1 to review").click()
    assert_accessible(page)
    page.get_by_role("link", name="Possible duplicate payment").click()
    assert_accessible(page)
    page.get_by_label("Both payments are genuine").check()
    page.get_by_label("What you found").fill("Two separate card payments, confirmed with the tenant")
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_text("Check resolved.")).to_be_visible()
    expect(page.get_by_text("There are no checks to review.")).to_be_visible()
    assert page.console_problems == []
