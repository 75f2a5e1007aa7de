"""A manager writes a draft of a letter template, previews it (on the sample tenant, then on a real case, and as the
PDF the tenant would get), publishes it and goes back to the old version; at 1280 pixels, each page also checked at
375 (axe at both widths, and no sideways scrolling)."""

import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arrears.review import review_run
from arrears.services import policies_install_shipped
from documents.services import template_version_current, templates_install_shipped
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots")  # noqa: S108  (screenshots to look at; nothing reads them back)


def nav_to(page, name: str) -> None:
    """Follows a main navigation link; on a narrow screen the links are behind the Menu button."""
    navigation = page.get_by_role("navigation", name="Main")
    menu = navigation.get_by_role("button", name="Menu")
    if menu.is_visible() and menu.get_attribute("aria-expanded") != "true":
        menu.click()
    navigation.get_by_role("link", name=name).click()


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"e-{name}-1280.png", full_page=True)


def test_manager_drafts_previews_and_publishes_a_template(page, live_server):
    page.set_viewport_size({"width": 1280, "height": 900})
    policies_install_shipped()
    templates_install_shipped()
    account = account_get_or_create(tenancy=TenancyFactory(payment_reference="RW111001"))
    when = timezone.localdate() - timedelta(days=9)
    transactions_post(postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("250.00"), when, "d")])
    review_run(as_of=timezone.localdate())
    manager = user_with_role(Role.INCOME_MANAGER)
    sign_in(page, live_server, manager.username)

    nav_to(page, "Letters")
    expect(page.get_by_role("heading", level=1)).to_have_text("Letter templates")
    assert_accessible(page, phone=True)

    page.get_by_role("link", name="Your rent account: can we help?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your rent account: can we help?")
    assert_accessible(page, phone=True)

    page.get_by_label("Letter text").fill("Dear {{ tenant_name }},\n\nYour account shows {{ balanse }} owing.")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("{{ balanse }}, which is not a merge field")
    expect(page).to_have_title("Error: Your rent account: can we help? – Rentwise")
    expect(page.get_by_label("Letter text")).to_have_value(
        "Dear {{ tenant_name }},\n\nYour account shows {{ balanse }} owing."
    )
    assert_accessible(page, phone=True)

    # No case chosen: the sample tenant.
    page.get_by_label("Letter text").fill("Dear {{ tenant_name }},\n\nYour account shows {{ balance }} owing.")
    page.get_by_role("button", name="Preview", exact=True).click()
    expect(page.get_by_label("Preview of the letter")).to_contain_text("Your account shows £412.50 owing.")
    expect(page.get_by_label("Preview of the letter")).to_contain_text("Sam Sample")
    assert_accessible(page, phone=True)
    shot(page, "template-preview-sample")

    page.get_by_label("Preview on the case with payment reference").fill("RW111001")
    page.get_by_role("button", name="Preview", exact=True).click()
    expect(page.get_by_label("Preview of the letter")).to_contain_text("Your account shows £250.00 owing.")
    assert_accessible(page, phone=True)

    page.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check draft version 2")
    expect(page.get_by_text("Saved as draft version 2. Letters do not use it yet")).to_be_visible()
    assert template_version_current("reminder_1").number == 1  # the draft is not used
    expect(page.get_by_label("Preview of the letter")).to_contain_text("Your account shows £412.50 owing.")
    assert_accessible(page, phone=True)
    shot(page, "template-draft")

    pdf_link = page.get_by_role("link", name="Open the PDF the tenant would get")
    pdf = page.request.get(live_server.url + pdf_link.get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf"
    text = pypdf.PdfReader(io.BytesIO(pdf.body())).pages[0].extract_text()
    assert "Dear Sam Sample" in text and "£412.50" in text

    page.get_by_role("button", name="Publish version 2").click()
    expect(page.get_by_text("Published version 2 of “Your rent account: can we help?”")).to_be_visible()
    assert template_version_current("reminder_1").body.endswith("{{ balance }} owing.")
    versions = page.get_by_role("table", name="Every version of Your rent account: can we help?, newest first")
    expect(versions.get_by_role("row").nth(1)).to_contain_text("In use")
    assert_accessible(page, phone=True)
    shot(page, "template-published")

    # Going back makes version 3, a copy of version 1.
    page.get_by_role("link", name="Version 1", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Version 1")
    assert_accessible(page, phone=True)
    page.get_by_role("button", name="Revert to version 1").click()
    expect(page.get_by_text("Went back to version 1: its text is now version 3")).to_be_visible()
    assert_accessible(page, phone=True)
    current = template_version_current("reminder_1")
    assert current.number == 3 and current.reverted_from.number == 1
    # The form with an error answers 400 (as it should); nothing else may go wrong (a script error, a refused script).
    assert [problem for problem in page.console_problems if "status of 400" not in problem] == []
