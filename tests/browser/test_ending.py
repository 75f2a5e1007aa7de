"""An officer ends a tenancy with arrears and the account leaves the worklist as former-tenant arrears; then every other
ending page (correction, credit refund and transfer, transfer, mutual exchange, succession, assignment) is visited and
checked with axe. Screenshots of the main pages go to the temporary directory as h5-*.png."""

import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arrears.review import review_run
from arrears.services import policies_install_shipped
from incomeapp.constants import Role
from lifecycle.ending import tenancy_end
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, rent_debits_post, transactions_post
from tenancies.constants import EndReason
from tenancies.models import PropertyCharge
from tests.browser.conftest import assert_accessible, date_fill, sign_in
from tests.factories import PatchFactory, PersonFactory, PropertyFactory, TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WEEKS = (date(2026, 4, 6), date(2026, 4, 13), date(2026, 4, 20))
SHOTS = Path(tempfile.gettempdir())  # screenshots of the main pages, h5-*.png, to look at


def _fill_date(page, legend: str, day: date) -> None:
    date_fill(page.get_by_role("group", name=legend), day)


def _charged_tenancy(reference: str, officer):
    tenancy = TenancyFactory(
        payment_reference=reference,
        start_date=date(2026, 3, 2),
        property=PropertyFactory(patch=PatchFactory(officer=officer)),
    )
    for week in WEEKS:
        rent_debits_post(week_commencing=week)
    return tenancy


def test_an_officer_ends_a_tenancy_with_arrears_and_it_leaves_the_worklist(page, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    policies_install_shipped()
    officer = user_with_role(Role.INCOME_OFFICER)
    _charged_tenancy("RW880101", officer)
    review_run(as_of=timezone.localdate())
    sign_in(page, live_server, officer.username)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Worklist").click()
    expect(page.locator("tbody tr").filter(has_text="RW880101")).to_have_count(1)
    assert_accessible(page)

    page.goto(f"{live_server.url}/tenancies/RW880101/")
    page.get_by_role("link", name="End this tenancy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("End the tenancy")
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose why the tenancy ended")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the last day of the tenancy")
    assert_accessible(page)
    page.screenshot(path=SHOTS / "h5-end-form-errors.png", full_page=True)

    page.get_by_label("Eviction").check()
    _fill_date(page, "Last day of the tenancy", date(2026, 4, 14))
    page.get_by_label("Forwarding address (optional)").fill("Flat 2, 5 Station Road\nBristol\nBS1 6QF")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check before you end the tenancy")
    last_week = page.locator("table").first
    expect(last_week).to_contain_text("2 of 7")
    expect(last_week).to_contain_text("£28.57")
    expect(page.get_by_text("£171.43 of charges for days after the last day will be reversed.")).to_be_visible()
    expect(page.get_by_text("The open arrears case is closed")).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 900})
    page.screenshot(path=SHOTS / "h5-check-end.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="End the tenancy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tenancy ended")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The balance of £128.57 is now former-tenant arrears. The arrears case was closed."
    )
    expect(
        page.get_by_text("is now former-tenant arrears: it is no longer on the current tenants' worklist")
    ).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=SHOTS / "h5-done.png", full_page=True)

    page.get_by_role("link", name="Worklist", exact=True).first.click()
    expect(page.locator("tbody tr").filter(has_text="RW880101")).to_have_count(0)
    page.get_by_role("link", name="Former tenant arrears").click()
    row = page.locator("tbody tr").filter(has_text="RW880101")
    expect(row).to_contain_text("£128.57")
    expect(row).to_contain_text("Eviction")
    expect(row).to_contain_text("5 Station Road")
    assert_accessible(page)
    page.screenshot(path=SHOTS / "h5-worklist-former.png", full_page=True)
    assert page.console_problems == []


def test_every_other_ending_page_passes_axe(page, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    officer = user_with_role(Role.INCOME_OFFICER)
    in_credit = _charged_tenancy("RW880201", officer)
    account = account_get_or_create(tenancy=in_credit)
    transactions_post(postings=[Posting(account.pk, TransactionType.PAYMENT, Decimal("-350.00"), WEEKS[2], "pay")])
    tenancy_end(by=officer, tenancy=in_credit, last_day=date(2026, 4, 14), reason=EndReason.TENANTS_NOTICE)
    moving = _charged_tenancy("RW880202", officer)
    moving.tenancy_tenants.create(person=PersonFactory())
    home = PropertyFactory(uprn="880000000001", address_line_1="3 Quay Walk")
    PropertyCharge.objects.create(
        property=home, charge_type="rent", amount=Decimal("110.00"), effective_from=date(2026, 1, 5)
    )
    sign_in(page, live_server, officer.username)
    base = f"{live_server.url}/tenancies"

    # A credit: the confirmation offers a refund and a transfer; the transfer asks for the account.
    page.goto(f"{base}/RW880201/end/done/")
    expect(page.get_by_role("button", name="Request a refund of £221.43")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Transfer £221.43 to another account").click()
    page.get_by_role("button", name="Send for approval").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the payment reference")
    assert_accessible(page)
    page.goto(f"{base}/RW880201/end/done/")
    page.get_by_role("button", name="Request a refund of £221.43").click()
    expect(page.get_by_text("Refund of £221.43 sent for approval.")).to_be_visible()
    page.goto(f"{live_server.url}/worklist/?tab=credits&officer=")
    expect(page.locator("tbody tr").filter(has_text="RW880201")).to_contain_text("Waiting for approval")
    assert_accessible(page)

    # Correcting the end.
    page.goto(f"{base}/RW880201/")
    page.get_by_role("link", name="Correct the end").click()
    assert_accessible(page)
    _fill_date(page, "Last day of the tenancy", date(2026, 4, 16))
    page.get_by_label("Why are you correcting the end?").fill("Keys returned on Thursday")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check before you correct the end")
    assert_accessible(page)

    # A transfer, checked and saved.
    page.goto(f"{base}/RW880202/")
    page.get_by_role("link", name="Record a transfer to another of our homes").click()
    assert_accessible(page)
    page.get_by_label("New home").fill("880000000001")
    _fill_date(page, "First day at the new home", date(2026, 4, 15))
    page.get_by_label("Carry it to the new tenancy").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the transfer")
    assert_accessible(page)
    page.screenshot(path=SHOTS / "h5-check-transfer.png", full_page=True)
    page.get_by_role("button", name="Record the transfer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Transfer recorded")
    assert_accessible(page)

    # A mutual exchange, a succession and an assignment on a third tenancy: each form and check page.
    _charged_tenancy("RW880203", officer)
    page.goto(f"{base}/RW880203/mutual-exchange/")
    assert_accessible(page)
    _fill_date(page, "Date of the exchange", date(2026, 4, 15))
    page.get_by_label("Incoming tenant: first name").fill("Ada")
    page.get_by_label("Incoming tenant: last name").fill("Newcomer")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the mutual exchange")
    assert_accessible(page)

    page.goto(f"{base}/RW880203/succession/")
    assert_accessible(page)
    page.get_by_role("group", name="Which tenant has died?").get_by_role("radio").first.check()
    _fill_date(page, "Date of the succession", date(2026, 4, 14))
    page.get_by_label("Someone new (give their name)").check()
    page.get_by_label("Successor: first name").fill("Sam")
    page.get_by_label("Successor: last name").fill("Successor")
    page.get_by_label("Basis of the succession").fill("Spouse living at the home")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the succession")
    assert_accessible(page)

    page.goto(f"{base}/RW880203/assignment/")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the date of the assignment")
    assert_accessible(page)
    assert page.console_problems == []
