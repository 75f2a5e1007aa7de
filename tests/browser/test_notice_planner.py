"""An officer plans a NOSP, records it as served after correcting a date the form cannot use (the error summary leads
to the day box), checks the answers, acknowledges the warning that an agreement is being kept, and records the
protocol copy; at 1280 px wide, with each page also checked at 375 px: axe passes at both widths and nothing scrolls
sideways."""

import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arrears.constants import AgreementFrequency
from arrears.models import Agreement, ArrearsCase
from courts.models import Notice
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.browser.conftest import assert_accessible, date_fill, sign_in
from tests.factories import TenancyFactory, user_with_role

SHOTS = Path(tempfile.gettempdir()) / "shots"  # screenshots to look at, g-*.png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_serves_a_notice_after_correcting_the_date(page, live_server, law, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    page.set_viewport_size({"width": 1280, "height": 900})
    shot = SHOTS / "g-notice-1280"
    today = timezone.localdate()
    account = account_get_or_create(tenancy=TenancyFactory(payment_reference="RW770001", tenure_type="SECURE"))
    transactions_post(
        postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("900.00"), today - timedelta(days=3), "r")]
    )
    case = ArrearsCase.objects.create(account=account, opened_on=today)
    Agreement.objects.create(
        case=case,
        frequency=AgreementFrequency.WEEKLY,
        amount=Decimal("15.00"),
        starts_on=today,
        starting_balance=Decimal("900.00"),
    )
    officer = user_with_role(Role.INCOME_OFFICER)
    sign_in(page, live_server, officer.username)

    page.goto(f"{live_server.url}/legal/?reference=RW770001")
    expect(page.get_by_label("Payment reference of the tenancy")).to_have_value("RW770001")
    expect(page.get_by_label("Day")).to_have_value(str(today.day))  # defaults to a date it can use: today
    assert_accessible(page, phone=True)
    page.get_by_label("First class post").check()
    page.get_by_role("button", name="Plan the notice").click()
    expect(page.get_by_role("heading", name="Notice plan for RW770001")).to_be_visible()
    expect(page.get_by_text("Proceedings may begin after")).to_be_visible()
    assert_accessible(page, phone=True)

    page.get_by_role("link", name="Record this NOSP as served").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a notice as served")
    expect(page.get_by_text("A date from 1 April 2024 (the day the tenancy began) to today")).to_be_visible()
    assert_accessible(page, phone=True)
    date_fill(page, date(2024, 3, 31))
    page.get_by_label("Signed for the landlord by").fill("Priya Shah, Income Manager")
    page.get_by_label("Proof of service").fill("Posted first class by Olivia Okafor at 16:00; certificate kept.")
    page.get_by_role("button", name="Continue").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The date of service must be 1 April 2024 or later (the day the tenancy began)")
    expect(page).to_have_title("Error: Record a notice as served: RW770001 – Rentwise")
    expect(page.get_by_label("Proof of service")).to_have_value(
        "Posted first class by Olivia Okafor at 16:00; certificate kept."
    )
    page.screenshot(path=f"{shot}-error.png", full_page=True)
    assert_accessible(page, phone=True)
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Day")).to_be_focused()
    date_fill(page, today)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check before you record the notice")
    expect(page.get_by_text("Nothing has been saved yet.")).to_be_visible()
    expect(page.get_by_text("An agreement to pay is being kept: £15.00 weekly")).to_be_visible()
    page.screenshot(path=f"{shot}-check.png", full_page=True)
    assert_accessible(page, phone=True)
    page.get_by_role("button", name="Record the notice as served").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm you have read the warning")
    assert Notice.objects.count() == 0
    assert_accessible(page, phone=True)
    page.get_by_label("I have read the warning above").check()
    page.get_by_role("button", name="Record the notice as served").click()

    expect(page.get_by_text(f"NOSP recorded as served on {today:%-d %B %Y}")).to_be_visible()
    expect(page.get_by_text("Not sent yet")).to_be_visible()
    page.screenshot(path=f"{shot}-served.png", full_page=True)
    assert_accessible(page, phone=True)
    date_fill(page, today)
    page.get_by_role("button", name="Record the protocol copy").click()
    expect(page.get_by_text(f"Sent on {today:%-d %B %Y}")).to_be_visible()
    assert_accessible(page, phone=True)
    case.refresh_from_db()
    assert case.nosp_served_on > today and case.nosp_expires_on is not None  # posted: deemed served later
