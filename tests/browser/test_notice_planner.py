"""An officer goes from an arrears case to the notice planner in one click, plans a NOSP, records it as served and
records the protocol copy; axe passes on every page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arrears.models import ArrearsCase
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_plans_a_notice_from_a_case(page, live_server, law):
    today = timezone.localdate()
    account = account_get_or_create(tenancy=TenancyFactory(payment_reference="RW770001", tenure_type="SECURE"))
    transactions_post(
        postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("900.00"), today - timedelta(days=3), "r")]
    )
    case = ArrearsCase.objects.create(account=account, opened_on=today)
    officer = user_with_role(Role.INCOME_OFFICER)
    sign_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/worklist/cases/{case.pk}/")
    page.get_by_role("link", name="Plan a notice for this tenancy").click()
    expect(page.get_by_label("Payment reference of the tenancy")).to_have_value("RW770001")
    assert_accessible(page)

    page.get_by_role("button", name="Plan the notice").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the day, month and year")
    assert_accessible(page)

    page.get_by_label("Day").fill(f"{today.day}")
    page.get_by_label("Month").fill(f"{today.month}")
    page.get_by_label("Year").fill(f"{today.year}")
    page.get_by_label("First class post").check()
    page.get_by_role("button", name="Plan the notice").click()
    expect(page.get_by_role("heading", name="Notice plan for RW770001")).to_be_visible()
    expect(page.get_by_role("heading", name="NOSP", exact=True)).to_be_visible()
    expect(page.get_by_text("Proceedings may begin after")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Rent arrears (rent lawfully due)")
    expect(page.locator("main")).to_contain_text("£900.00")
    assert_accessible(page)

    page.get_by_text("Record this NOSP as served").click()
    page.get_by_label("Signed for the landlord by").fill("Priya Shah, Income Manager")
    page.get_by_label("Proof of service").fill(
        "Posted first class by Olivia Okafor at 16:00; certificate of posting kept."
    )
    page.get_by_role("button", name="Record the notice as served").click()
    expect(page.get_by_text("NOSP recorded as served.")).to_be_visible()
    expect(page.get_by_text("Not sent yet")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Day").fill(f"{today.day}")
    page.get_by_label("Month").fill(f"{today.month}")
    page.get_by_label("Year").fill(f"{today.year}")
    page.get_by_role("button", name="Record the protocol copy").click()
    expect(page.get_by_text(f"Sent on {today:%-d %B %Y}")).to_be_visible()
    assert_accessible(page)
    case.refresh_from_db()
    assert case.nosp_served_on is not None and case.nosp_expires_on is not None
