"""Make, change and cancel an agreement from the case page (issue 22, item 5), at desktop and phone widths, with axe
on every page: the check page shows how long the terms take to clear the arrears (and warns past the policy's limit)
before anything is saved; the banner links to the agreement letter; the history keeps the terms before each change."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arrears.models import Agreement, ArrearsCase
from arrears.services import policies_install_shipped
from documents.services import templates_install_shipped
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.browser.conftest import assert_accessible, date_fill, sign_in
from tests.factories import PatchFactory, PropertyFactory, TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/shots"  # noqa: S108  (screenshots to look at; nothing reads them back)


def test_make_change_and_cancel_an_agreement(page, live_server, settings, tmp_path, law):
    settings.MEDIA_ROOT = tmp_path
    page.set_viewport_size({"width": 1280, "height": 900})
    policies_install_shipped()
    templates_install_shipped()
    officer = user_with_role(Role.INCOME_OFFICER, first_name="Olu", last_name="Officer")
    tenancy = TenancyFactory(
        payment_reference="RW990001", property=PropertyFactory(patch=PatchFactory(officer=officer))
    )
    account = account_get_or_create(tenancy=tenancy)
    today = timezone.localdate()
    transactions_post(
        postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("1234.56"), today - timedelta(days=9), "d")]
    )
    case = ArrearsCase.objects.create(account=account, opened_on=today, officer=officer)
    sign_in(page, live_server, officer.username)
    shot = f"{SHOTS}/c-agreement-1280"

    page.goto(f"{live_server.url}/worklist/cases/{case.pk}/")
    expect(page.get_by_role("heading", name="Agreements")).to_be_visible()
    expect(page.get_by_text("No agreement yet.")).to_be_visible()
    assert_accessible(page, phone=True)

    # Make: a small amount, so the check page warns that it runs past the policy's 104 weeks.
    page.locator("summary", has_text="Make an agreement").click()
    form = page.locator("form", has=page.get_by_role("button", name="Check the agreement"))
    form.get_by_label("Amount towards the arrears (£)").fill("10.00")
    form.get_by_label("How often").select_option("weekly")
    date_fill(form, today, exact=True)
    form.get_by_role("button", name="Check the agreement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the agreement before you save it")
    expect(page.locator("#clearing-time")).to_contain_text(
        f"At £10.00 a week on top of the rent, £1,234.56 of arrears clears in 124 weeks, by "
        f"{today + timedelta(weeks=123):%-d %B %Y}"
    )
    expect(page.locator(".govuk-warning-text")).to_contain_text("longer than the 104 weeks the policy")
    assert Agreement.objects.count() == 0  # nothing saved yet
    page.screenshot(path=f"{shot}-1-check-warning.png", full_page=True)
    assert_accessible(page, phone=True)

    # Change my answers: back to the form, filled in; a larger amount clears within the limit.
    page.get_by_role("button", name="Change my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make an agreement")
    form = page.locator("form", has=page.get_by_role("button", name="Check the agreement"))
    expect(form.get_by_label("Amount towards the arrears (£)")).to_have_value("10.00")
    assert_accessible(page, phone=True)
    form.get_by_label("Amount towards the arrears (£)").fill("20.00")
    form.get_by_role("button", name="Check the agreement").click()
    expect(page.locator("#clearing-time")).to_contain_text("clears in 62 weeks")
    expect(page.locator(".govuk-warning-text")).to_have_count(0)
    assert_accessible(page, phone=True)
    page.get_by_role("button", name="Save the agreement").click()

    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Agreement made: £20.00 weekly from")
    letter_link = page.get_by_role("link", name="(PDF)").first
    expect(letter_link).to_be_visible()
    cards = page.locator("#agreements .govuk-summary-card")
    expect(cards.first).to_contain_text("Pending first payment")
    page.screenshot(path=f"{shot}-2-made.png", full_page=True)
    assert_accessible(page, phone=True)
    response = page.request.get(live_server.url + letter_link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"

    # Change: the reason is required; the check page shows the new terms beside the old.
    cards.first.get_by_role("link", name="Change").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the agreement")
    assert_accessible(page, phone=True)
    form = page.locator("form", has=page.get_by_role("button", name="Continue"))
    form.get_by_label("Amount towards the arrears (£)").fill("30.00")
    form.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(
        page.locator(".govuk-error-summary").get_by_role("link", name="Enter why the agreement is changing")
    ).to_be_visible()
    assert_accessible(page, phone=True)
    form = page.locator("form", has=page.get_by_role("button", name="Continue"))
    expect(form.get_by_label("Amount towards the arrears (£)")).to_have_value("30.00")
    form.get_by_label("Why the agreement is changing").fill("Tenant has more hours at work")
    form.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the new terms before you save them")
    expect(page.locator("#clearing-time")).to_contain_text("clears in 42 weeks")
    page.screenshot(path=f"{shot}-3-check-change.png", full_page=True)
    assert_accessible(page, phone=True)
    page.get_by_role("button", name="Save the new terms").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Agreement changed to £30.00 weekly")
    expect(cards.first).to_contain_text("from £20.00 weekly")  # the terms before, kept in the history
    expect(cards.first).to_contain_text("Reason: Tenant has more hours at work")
    assert_accessible(page, phone=True)

    # Cancel: the reason is required.
    cards.first.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel the agreement")
    assert_accessible(page, phone=True)
    page.get_by_role("button", name="Cancel the agreement").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why the agreement is being cancelled")
    assert_accessible(page, phone=True)
    page.get_by_label("Why the agreement is being cancelled").fill("Moving to a Universal Credit deduction")
    page.get_by_role("button", name="Cancel the agreement").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Agreement of £30.00 weekly cancelled")
    expect(cards.first).to_contain_text("Cancelled")
    expect(cards.first).to_contain_text("Reason: Moving to a Universal Credit deduction")
    expect(cards.first.get_by_role("link", name="Change")).to_have_count(0)
    page.screenshot(path=f"{shot}-4-cancelled.png", full_page=True)
    assert_accessible(page, phone=True)
    # The forms answer 400 with their errors (on purpose); anything else in the console (a CSP refusal) is a failure.
    problems = [p for p in page.console_problems if "status of 400 (Bad Request)" not in p]
    assert not problems, problems
