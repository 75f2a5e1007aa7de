"""An officer refers a former tenant's debt to a debt collection agency from the case page; a manager makes the export
file, imports the agency's return file and sees the payment on the account; at desktop and phone widths, with axe on
every page."""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arrears.constants import Ladder
from arrears.models import ArrearsCase, DebtAgencyReferral
from arrears.services.agency_files import referral_reference
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tenancies.constants import TenancyStatus
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PatchFactory, PropertyFactory, TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-h2")  # noqa: S108  (screenshots to look at; nothing reads them back)
AGENCY = "Northway Collections"


def test_refer_export_and_import_the_return(page, live_server, settings, tmp_path, law):
    settings.MEDIA_ROOT = tmp_path
    settings.DEBT_AGENCIES = [AGENCY]
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    officer = user_with_role(Role.INCOME_OFFICER)
    manager = user_with_role(Role.INCOME_MANAGER)
    today = timezone.localdate()
    tenancy = TenancyFactory(
        payment_reference="RW882001",
        property=PropertyFactory(patch=PatchFactory(officer=officer)),
        start_date=date(2023, 4, 3),
        end_date=today - timedelta(days=120),
        status=TenancyStatus.FORMER,
    )
    account = account_get_or_create(tenancy=tenancy)
    transactions_post(
        postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("812.40"), today - timedelta(days=130), "d")]
    )
    case = ArrearsCase.objects.create(account=account, ladder=Ladder.FORMER, opened_on=today - timedelta(days=119))

    sign_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/worklist/cases/{case.pk}/?open=agency")
    expect(page.get_by_role("heading", level=2, name="Recovering the debt")).to_be_visible()
    assert_accessible(page, phone=True)
    page.locator("#agency-action form").get_by_role("button", name="Refer to the agency").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Referred £812.40 to {AGENCY}")
    expect(page.locator("#recovery")).to_contain_text("referred, not yet sent to the agency")
    page.screenshot(path=str(SHOTS / "case-referred-1280.png"), full_page=True)
    assert_accessible(page, phone=True)

    page.context.clear_cookies()  # the manager takes over
    sign_in(page, live_server, manager.username)
    page.goto(f"{live_server.url}/worklist/debt-agency/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Debt agency referrals")
    expect(page.locator("main")).to_contain_text("Waiting to be sent: 1, £812.40 in all")
    assert_accessible(page, phone=True)
    page.get_by_role("button", name=f"Make the export file for {AGENCY}").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("1 referral marked sent")
    page.screenshot(path=str(SHOTS / "referrals-1280.png"), full_page=True)
    assert_accessible(page, phone=True)

    page.get_by_role("button", name="Import the return file").click()  # no file: the page says what to do
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the return file to import")
    assert page.title().startswith("Error: ")
    assert_accessible(page, phone=True)
    page.console_problems.clear()  # the form's 400 answer, expected

    reference = referral_reference(DebtAgencyReferral.objects.get())
    content = (
        "our_reference,agency_reference,amount_collected,collected_on,status,note\n"
        f"{reference},NW-77,150.00,{today:%Y-%m-%d},collecting,First instalment\n"
        f"NOPE-1,NW-78,5.00,{today:%Y-%m-%d},collecting,\n"
    ).encode()
    page.get_by_label("The agency's return file (CSV)").set_input_files(
        {"name": "northway-return.csv", "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Import the return file").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Return file imported: 1 payment posted, £150.00 in all; 1 row to check."
    )
    expect(page.locator("main")).to_contain_text("“NOPE-1” is not a debt we referred")
    page.screenshot(path=str(SHOTS / "return-1280.png"), full_page=True)
    assert_accessible(page, phone=True)

    page.get_by_role("link", name=reference).click()
    expect(page.locator("main")).to_contain_text(f"Collected by {AGENCY}")
    expect(page.locator("main")).to_contain_text("£662.40")
    page.screenshot(path=str(SHOTS / "account-1280.png"), full_page=True)
    assert_accessible(page, phone=True)
    assert not page.console_problems
