"""An officer opens the worklist, opens the top case, reads why it is there, records a call and an agreement, and the
case leaves the immediate-actions tab."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arrears.review import review_run
from arrears.services import policies_install_shipped
from documents.models import Document
from documents.services import templates_install_shipped
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.browser.conftest import assert_accessible, phone_call_record, sign_in
from tests.factories import PatchFactory, PropertyFactory, TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_worklist_top_case_call_and_agreement(page, live_server, settings, tmp_path, law):
    settings.MEDIA_ROOT = tmp_path
    policies_install_shipped()
    templates_install_shipped()
    officer = user_with_role(Role.INCOME_OFFICER)
    patch = PatchFactory(officer=officer)
    today = timezone.localdate()
    for reference, owed in (("RW880001", "450.00"), ("RW880002", "150.00")):
        account = account_get_or_create(
            tenancy=TenancyFactory(payment_reference=reference, property=PropertyFactory(patch=patch))
        )
        transactions_post(
            postings=[
                Posting(account.pk, TransactionType.RENT_DEBIT, Decimal(owed), today - timedelta(days=20), reference)
            ]
        )
    review_run(as_of=today)
    sign_in(page, live_server, officer.username)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Worklist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My cases this week")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("RW880001")  # more weeks owed: higher priority
    expect(rows.first).to_contain_text("Call or visit before: Send a friendly reminder and offer help")
    assert_accessible(page)

    rows.first.get_by_role("link").click()  # the tenant's name opens the case
    expect(page.get_by_role("heading", level=2, name="Next step")).to_be_visible()
    expect(page.locator("#next-step")).to_contain_text("no contact on record.")  # the reason as a sentence
    page.get_by_text("Show the full figures").click()  # and the rule-by-rule figures one click away
    expect(page.get_by_text("real arrears £450.00 ≥ the greater of £10.00")).to_be_visible()
    expect(page.get_by_text("call or visit attempt in the 14 days before the letter (none recorded)")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Call or visit: record what happened").click()  # the step opens its form
    phone_call_record(page, today, "Hours cut at work; agreed to talk about a plan.")
    expect(page.get_by_text("Contact recorded.")).to_be_visible()
    # The call unlocked the reminder: queued by the re-review and rendered, one letter for the one named tenant.
    assert Document.objects.filter(reference="RW880001", template_version__template__key="reminder_1").count() == 1
    expect(page.locator("#diary")).to_contain_text("Hours cut at work")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "This set off a letter, “Send a friendly reminder and offer help”"
    )
    assert_accessible(page)

    page.get_by_text("Make an agreement").click()
    page.get_by_role("button", name="Check the agreement").click()  # nothing filled in: each field says what to enter
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Enter the amount to pay towards the arrears")).to_be_visible()
    page.screenshot(path=str(tmp_path / "agreement-errors.png"), full_page=True)
    assert_accessible(page)

    agreement = page.locator("form", has=page.get_by_role("button", name="Check the agreement"))
    agreement.get_by_label("Amount towards the arrears (£)").fill("ten")
    agreement.get_by_label("How often").select_option("weekly")
    agreement.get_by_role("button", name="Check the agreement").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("is not an amount of money")
    assert_accessible(page)

    agreement = page.locator("form", has=page.get_by_role("button", name="Check the agreement"))
    agreement.get_by_label("Amount towards the arrears (£)").fill("15.00")
    agreement.get_by_label("How often").select_option("weekly")
    agreement.get_by_label("Day", exact=True).fill(str(today.day))
    agreement.get_by_label("Month", exact=True).fill(str(today.month))
    agreement.get_by_label("Year", exact=True).fill(str(today.year))
    agreement.get_by_role("button", name="Check the agreement").click()
    expect(page.locator("#clearing-time")).to_contain_text("£450.00 of arrears clears in 30 weeks")  # checked first
    assert_accessible(page)
    page.get_by_role("button", name="Save the agreement").click()
    expect(page.locator(".govuk-notification-banner").get_by_text("Agreement made:")).to_be_visible()
    expect(page.get_by_text("No action: agreement being kept")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Back to the worklist").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).not_to_contain_text("RW880001")
    page.get_by_role("link", name="Agreements").click()
    expect(page.locator("tbody")).to_contain_text("RW880001")
    assert_accessible(page)

    page.get_by_role("link", name="Immediate actions").click()
    page.locator("tbody tr", has_text="RW880002").get_by_role("link").first.click()  # the tenant's name opens the case
    page.locator("summary", has_text="Record Breathing Space").click()
    space = page.locator("form", has=page.get_by_role("button", name="Record Breathing Space"))
    space.get_by_label("Standard (60 days)").check()
    space.get_by_label("Day", exact=True).first.fill(str(today.day))
    space.get_by_label("Month", exact=True).first.fill(str(today.month))
    space.get_by_label("Year", exact=True).first.fill(str(today.year))
    space.get_by_role("button", name="Record Breathing Space").click()
    expect(page.locator(".govuk-warning-text")).to_contain_text("Do not contact the tenant about the £150.00")
    expect(
        page.get_by_text("Breathing Space: no contact or action about the moratorium debt", exact=True)
    ).to_be_visible()
    assert_accessible(page)
