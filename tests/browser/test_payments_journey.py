"""An officer imports a payment file, allocates a payment held in suspense and sees the account's balance change."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from incomeapp.constants import Role
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "generic-payments.csv"


def _open_tenancy(page, reference):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tenancies").click()
    assert_accessible(page)
    page.get_by_label("Search tenancies", exact=True).fill(reference)
    page.locator("#main-content").get_by_role("button", name="Search").click()
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_text(f"{reference} ·")).to_be_visible()


def test_import_allocate_and_see_the_balance_change(page, live_server):
    for reference in ("RW000001", "RW000002", "RW000003", "RW000004"):
        TenancyFactory(payment_reference=reference)
    officer = user_with_role(Role.INCOME_OFFICER)
    sign_in(page, live_server, officer.username)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Payments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Payments")
    assert_accessible(page)
    page.get_by_role("button", name="Upload and check").click()  # nothing chosen: errors first
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the payment file to import")
    assert_accessible(page)

    page.get_by_label("Payment file").set_input_files(str(SAMPLE))
    page.get_by_label("Payments (generic CSV)").check()
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_text("3 rows: £165.50 credited to 3 tenancies")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Post 3 payments").click()
    expect(page.get_by_role("heading", level=2, name="3 payments posted")).to_be_visible()
    expect(page.get_by_text("£165.50 credited in total")).to_be_visible()
    assert_accessible(page)

    _open_tenancy(page, "RW000003")
    expect(page.locator(".govuk-summary-list").first).to_contain_text("£20.00 in credit")
    assert_accessible(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Payments").click()
    page.get_by_role("link", name="1 payment waiting in suspense").or_(
        page.get_by_role("link", name="2 payments waiting in suspense")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suspense queue")
    assert_accessible(page)
    page.get_by_role("link", name="ZZ999999").click()
    expect(page.get_by_text("No tenancy has the payment reference 'ZZ999999'.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Payment reference of the tenancy to credit").fill("RW00000X")
    page.get_by_role("button", name="Allocate payment").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("No tenancy has the payment reference RW00000X")
    assert_accessible(page)
    page.get_by_label("Payment reference of the tenancy to credit").fill("RW000003")
    page.get_by_role("button", name="Allocate payment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the tenancy before you allocate")
    assert_accessible(page)
    page.get_by_role("button", name="Allocate £60.00 to RW000003").click()
    expect(page.get_by_text("£60.00 credited to RW000003.")).to_be_visible()

    _open_tenancy(page, "RW000003")
    expect(page.locator(".govuk-summary-list").first).to_contain_text("£80.00 in credit")
    page.get_by_role("link", name="View transactions and statement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rent account")
    expect(page.locator("table")).to_contain_text("From suspense")
    assert_accessible(page)
    page.get_by_text("Filter by date and type").click()
    page.get_by_label("Type").select_option(label="Payment")
    page.get_by_role("button", name="Show transactions").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    assert_accessible(page)
    assert page.console_problems == []
