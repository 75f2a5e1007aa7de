"""An officer records a Housing Benefit overpayment the council deducted from another tenant's Housing Benefit, from
the account page, marks it blameless, and finds it in the list of overpayments; the other tenant is credited."""

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from incomeapp.constants import Role
from rentaccounts.models import Account
from rentaccounts.services import account_get_or_create
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots-h6")  # noqa: S108 (screenshots to look at)


def _date(page, legend: str, day: str, month: str, year: str) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def test_record_an_overpayment_from_the_account_page_and_see_it_listed(page, live_server):
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    concerned = TenancyFactory(payment_reference="RW000011")
    other = TenancyFactory(payment_reference="RW000029")
    account_get_or_create(tenancy=concerned)
    account_get_or_create(tenancy=other)
    officer = user_with_role(Role.INCOME_OFFICER)
    sign_in(page, live_server, officer.username)

    page.goto(f"{live_server.url}/tenancies/RW000011/account/")
    page.get_by_role("link", name="Record a Housing Benefit overpayment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a Housing Benefit overpayment")
    assert_accessible(page, phone=True)
    page.get_by_role("button", name="Record the overpayment").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the council that recovered the overpayment")
    assert_accessible(page, phone=True)

    page.get_by_label("Council that recovered it").fill("Bristol City Council")
    _date(page, "Overpaid period: first day", "6", "7", "2026")
    _date(page, "Overpaid period: last day", "2", "8", "2026")
    page.get_by_label("Amount recovered from us").fill("30.00")
    _date(page, "Date the council recovered it", "2", "11", "2026")
    page.get_by_label("Deducted from a Housing Benefit payment schedule").check()
    page.get_by_label("Schedule or invoice reference (optional)").fill("HB-SCH-9")
    page.get_by_label("Payment reference of the tenancy whose Housing Benefit was reduced (optional)").fill("RW000029")
    page.get_by_label("Blameless: the landlord's loss").check()
    page.screenshot(path=SHOTS / "hb-form-1280.png", full_page=True)
    page.get_by_role("button", name="Record the overpayment").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Housing Benefit overpayment")
    expect(page.get_by_text("It is the landlord's loss: RW000011 is not charged.")).to_be_visible()
    expect(page.get_by_text("RW000029 is credited with the Housing Benefit withheld.")).to_be_visible()
    lines = page.get_by_role("table", name="Ledger lines for this overpayment")
    expect(lines.get_by_role("row").filter(has_text="RW000029")).to_contain_text("£30.00 credit")
    assert_accessible(page, phone=True)
    page.screenshot(path=SHOTS / "hb-detail-1280.png", full_page=True)

    page.get_by_role("link", name="Back to Housing Benefit overpayments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Housing Benefit overpayments")
    row = page.get_by_role("row").filter(has_text="RW000011")
    expect(row).to_contain_text("Bristol City Council")
    expect(row).to_contain_text("The landlord's loss")
    expect(row).to_contain_text("(from RW000029)")
    assert_accessible(page, phone=True)
    page.screenshot(path=SHOTS / "hb-list-1280.png", full_page=True)
    page.get_by_label("Status").select_option("open")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("No Housing Benefit overpayments match.")).to_be_visible()
    assert_accessible(page, phone=True)
    assert Account.objects.get(tenancy=other, kind="rent").balance == Decimal("-30.00")
    assert Account.objects.get(tenancy=concerned, kind="rent").balance == Decimal("0.00")
