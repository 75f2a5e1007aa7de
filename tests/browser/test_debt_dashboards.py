"""A manager opens "Former tenants, write-offs and overpayments" from the dashboard: a former tenant's payment, a
write-off with its reason and officer, and an overpayment by scheme are shown in plain words, a table downloads as
CSV, and axe passes at 1280 and 375 px wide."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incomeapp.constants import Role
from rentaccounts.constants import (
    OverpaymentLiability,
    OverpaymentRecovery,
    OverpaymentStatus,
    RequestKind,
    RequestStatus,
    TransactionType,
    WriteOffReason,
)
from rentaccounts.models import AdjustmentRequest, HousingBenefitOverpayment, Transaction
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tenancies.constants import TenancyStatus
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PropertyFactory, SchemeFactory, TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/shots-h7"  # noqa: S108  (screenshots to look at; nothing reads them back)


def _book():
    today = timezone.localdate()
    tenancy = TenancyFactory(
        payment_reference="RW830001", end_date=today - timedelta(days=1), status=TenancyStatus.FORMER,
        property=PropertyFactory(scheme=SchemeFactory(name="Riverside supported housing")),
    )  # fmt: skip
    account = account_get_or_create(tenancy=tenancy)
    transactions_post(
        postings=[
            Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("900.00"), today - timedelta(days=8), "r:1"),
            Posting(account.pk, TransactionType.PAYMENT, Decimal("-45.00"), today, "r:2"),
            Posting(account.pk, TransactionType.WRITE_OFF, Decimal("-12.50"), today, "r:3"),
        ]
    )
    asker = user_with_role(Role.INCOME_OFFICER, first_name="Priya", last_name="Patel")
    approver = user_with_role(Role.INCOME_MANAGER, first_name="Sam", last_name="Okoro")
    request = AdjustmentRequest.objects.create(
        kind=RequestKind.WRITE_OFF, account=account, amount=Decimal("-12.50"), reason="Left no address",
        write_off_reason=WriteOffReason.GONE_AWAY, requested_by=asker, decided_by=approver,
        status=RequestStatus.APPROVED,
    )  # fmt: skip
    request.transactions.set(Transaction.objects.filter(idempotency_key="r:3"))
    HousingBenefitOverpayment.objects.create(
        tenancy=tenancy, council="Leeds City Council", period_start=today - timedelta(days=90),
        period_end=today - timedelta(days=30), amount=Decimal("240.00"),
        recovery_method=OverpaymentRecovery.SCHEDULE_DEDUCTION, liability=OverpaymentLiability.BLAMELESS,
        status=OverpaymentStatus.LANDLORD_LOSS,
    )  # fmt: skip
    return approver


def test_manager_reads_the_debt_figures_and_downloads_a_table(page, live_server):
    manager = _book()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, manager.username)
    page.goto(f"{live_server.url}/dashboards/")
    page.get_by_role("link", name="Former tenants, write-offs and overpayments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Former tenants, write-offs and overpayments")

    collected = page.locator(".kpi-tile", has=page.get_by_role("heading", name="Former tenant arrears collected"))
    expect(collected.get_by_text("£45.00")).to_be_visible()
    owed = page.locator(".kpi-tile", has=page.get_by_role("heading", name="Former tenant arrears owed"))
    expect(owed.get_by_text("£842.50")).to_be_visible()
    reasons = page.get_by_role("region", name="Write-offs by reason, scrolls sideways on narrow screens")
    expect(reasons.get_by_role("rowheader", name="Gone away and not traced")).to_be_visible()
    officers = page.get_by_role("region", name="Write-offs by officer, scrolls sideways on narrow screens")
    expect(officers.get_by_role("rowheader", name="Priya Patel")).to_be_visible()
    expect(officers.get_by_text("Sam Okoro")).to_be_visible()
    overpayments = page.get_by_role("region", name="Housing Benefit overpayments by scheme, scrolls sideways")
    expect(overpayments.get_by_role("rowheader", name="Riverside supported housing")).to_be_visible()
    collected.get_by_text("How this is worked out").click()
    expect(collected.get_by_text("dated after the tenancy ended")).to_be_visible()
    assert_accessible(page, phone=True)
    page.screenshot(path=f"{SHOTS}/debts-1280.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download write-offs by reason (CSV)").click()
    text = download.value.path().read_text()
    assert text.startswith("reason,write_offs,written_off,written_on,net")
    assert "Gone away and not traced,1,12.50,0.00,12.50" in text
    assert not page.console_problems
