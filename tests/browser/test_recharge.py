"""Acceptance (issue 16): an officer raises a recharge from the tenancy's account page, each named tenant's invoice
letter is made (its link opens a PDF), and the rent arrears figure and the weeks of rent on the account page and the
case page do not change. At desktop width, each page also checked at phone width (axe at both widths, and no
sideways scrolling)."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arrears.services import policies_install_shipped
from documents.models import Document
from documents.services import templates_install_shipped
from incomeapp.constants import Role
from rentaccounts.constants import AccountKind
from rentaccounts.models import Account, Invoice
from tenancies.models import TenancyTenant
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PersonFactory, case_opened_by_review, tenancy_on_patch_of, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-h3")  # noqa: S108  (screenshots to look at; nothing reads them back)


def _rent_figures(page):
    """The rent arrears and weeks of rent as the account page's heading line shows them."""
    return page.locator(".govuk-body-l", has_text="Balance").inner_text()


def test_an_officer_raises_a_recharge_and_the_rent_arrears_do_not_change(page, live_server, settings, tmp_path, law):
    settings.MEDIA_ROOT = tmp_path
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    policies_install_shipped()
    templates_install_shipped()
    officer = user_with_role(Role.INCOME_OFFICER, first_name="Jo", last_name="Officer")
    tenancy = tenancy_on_patch_of(
        officer, payment_reference="RW883001", lead_tenant=PersonFactory(first_name="Jo", last_name="Smith")
    )
    TenancyTenant.objects.create(tenancy=tenancy, person=PersonFactory(first_name="Sam", last_name="Smith"))
    case = case_opened_by_review(tenancy, owed="450.00", days_ago=20)
    today = timezone.localdate()
    sign_in(page, live_server, officer.username)

    page.goto(f"{live_server.url}/worklist/cases/{case.pk}/")
    case_balance = page.locator(".govuk-summary-list__row", has_text="Balance").first
    expect(case_balance).to_contain_text("£450.00")
    expect(case_balance).to_contain_text("4.5 weeks of rent")
    case_before = case_balance.inner_text()

    page.goto(f"{live_server.url}/tenancies/RW883001/account/")
    before = _rent_figures(page)
    assert "£450.00" in before and "4.5 weeks of rent" in before
    expect(page.locator(".govuk-inset-text", has_text="are not rent")).to_contain_text(
        "not counted in the rent arrears, the weeks of rent, a notice, the serious-arrears ground"
    )
    assert_accessible(page, phone=True)

    page.get_by_role("link", name="Raise a recharge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Raise a recharge for a repair")
    page.get_by_role("button", name="Raise the invoice and make the letters").click()  # nothing filled in
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the repair job's reference")
    assert page.title().startswith("Error: ")
    assert_accessible(page, phone=True)

    page.get_by_label("Repair job reference").fill("JOB-4471")
    page.get_by_label("What is it for?").fill("Replacing a kitchen door damaged beyond fair wear and tear")
    page.get_by_label("Amount, in pounds").fill("85.00")
    day = today - timedelta(days=3)
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))
    page.screenshot(path=str(SHOTS / "recharge-form-1280.png"), full_page=True)
    page.get_by_role("button", name="Raise the invoice and make the letters").click()

    invoice = Invoice.objects.get()
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text(f"Invoice {invoice.number} for £85.00 raised on the rechargeable repairs account.")
    expect(banner).to_contain_text("An invoice letter was made for Jo Smith")
    expect(banner).to_contain_text("The rent account and its arrears are unchanged")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rechargeable repairs")
    expect(page.locator("table", has_text="Invoices on the rechargeable repairs account")).to_contain_text("JOB-4471")
    page.screenshot(path=str(SHOTS / "recharge-raised-1280.png"), full_page=True)
    assert_accessible(page, phone=True)

    for name in ("Jo Smith", "Sam Smith"):
        document = Document.objects.get(recipient_name=name, template_version__template__key="recharge_invoice")
        href = banner.get_by_role("link", name=f"view the letter to {name}").get_attribute("href")
        assert href.endswith(f"/{document.pk}/")
        pdf = page.request.get(f"{live_server.url}{href}")
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF") and len(pdf.body()) > 1000

    assert Account.objects.get(tenancy=tenancy, kind=AccountKind.RENT).balance == Decimal("450.00")
    page.goto(f"{live_server.url}/tenancies/RW883001/account/")
    assert _rent_figures(page) == before
    expect(page.locator("table", has_text="Each of the tenancy's accounts")).to_contain_text("£85.00")
    page.screenshot(path=str(SHOTS / "recharge-rent-account-1280.png"), full_page=True)
    assert_accessible(page, phone=True)

    page.goto(f"{live_server.url}/worklist/cases/{case.pk}/")
    case_balance = page.locator(".govuk-summary-list__row", has_text="Balance").first
    assert case_balance.inner_text() == case_before
    expect(page.locator(".moj-timeline__item", has_text=invoice.number)).to_contain_text(
        "the rent arrears are unchanged"
    )
    page.screenshot(path=str(SHOTS / "recharge-case-1280.png"), full_page=True)
    assert_accessible(page, phone=True)
