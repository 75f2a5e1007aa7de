"""The former tenant arrears and recharges and sundry debts tabs (issue 16): a manager opens each, sorts by what can
still be recovered, opens a former tenant's case and sees their current tenancy and the transfer step. Axe-checked at
1280 and 375 px wide."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arrears.review import review_run
from arrears.services import policies_install_shipped
from documents.services import templates_install_shipped
from incomeapp.constants import Role
from rentaccounts.constants import AccountKind, InvoiceKind, TransactionType
from rentaccounts.models import Invoice
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tenancies.constants import TenancyStatus
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PersonFactory, TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots-h1")  # noqa: S108  (screenshots to look at; nothing reads them back)


def _owes(account, amount: str, on, kind=TransactionType.RENT_DEBIT):
    transactions_post(postings=[Posting(account.pk, kind, Decimal(amount), on, f"d:{account.pk}")])


def test_the_ladder_tabs_and_a_former_tenant_found_at_a_current_tenancy(page, live_server, settings, tmp_path, law):
    settings.MEDIA_ROOT = tmp_path
    SHOTS.mkdir(exist_ok=True)
    policies_install_shipped()
    templates_install_shipped()
    manager = user_with_role(Role.INCOME_MANAGER)
    today = timezone.localdate()
    ended = today - timedelta(days=40)
    mover = PersonFactory(first_name="Ada", last_name="Mover")
    gone = TenancyFactory(payment_reference="RW884001", status=TenancyStatus.FORMER, end_date=ended, lead_tenant=mover)
    TenancyFactory(payment_reference="RW884002", lead_tenant=mover)
    _owes(account_get_or_create(tenancy=gone), "612.40", ended - timedelta(days=20))
    away = TenancyFactory(
        payment_reference="RW884003", status=TenancyStatus.FORMER, end_date=ended, forwarding_address="2 Hill Road"
    )
    lead = away.tenancy_tenants.get().person
    lead.correspondence_address = "2 Hill Road\nYork\nYO1 7AA"
    lead.save()
    _owes(account_get_or_create(tenancy=away), "95.00", ended - timedelta(days=20))
    recharge = account_get_or_create(
        tenancy=TenancyFactory(payment_reference="RW884004"), kind=AccountKind.RECHARGEABLE_REPAIRS
    )
    _owes(recharge, "140.00", today - timedelta(days=20), TransactionType.RECHARGE)
    Invoice.objects.create(
        number="RCH-000901",
        account=recharge,
        kind=InvoiceKind.RECHARGE,
        description="Replacing a kitchen door",
        amount=Decimal("140.00"),
        dated=today - timedelta(days=20),
        raised_by=manager,
    )
    review_run(as_of=today)
    sign_in(page, live_server, manager.username)

    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/worklist/?officer=")
        page.get_by_role("link", name="Former tenant arrears").click()
        rows = page.locator("tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.first).to_contain_text("RW884001")  # transfer: higher priority
        expect(rows.first).to_contain_text("Move the debt to their current tenancy")
        expect(rows.nth(1)).to_contain_text("Write to the former tenant at their forwarding address")
        assert_accessible(page)
        page.screenshot(path=SHOTS / f"former-tab-{width}.png", full_page=True)
        page.get_by_role("link", name="Recoverable").click()
        expect(page.get_by_role("status").first).to_contain_text("sorted by recoverable")
        page.get_by_role("link", name="Recharges and sundry debts").click()
        expect(page.locator("tbody tr")).to_have_count(1)
        expect(page.locator("tbody tr")).to_contain_text("Send a reminder about the unpaid invoice")
        assert_accessible(page)
        page.screenshot(path=SHOTS / f"sundry-tab-{width}.png", full_page=True)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/worklist/?tab=former&officer=")
    page.get_by_role("link", name="Ada Mover").click()
    expect(page.locator("#tenancies-elsewhere")).to_contain_text("Also a tenant at")
    expect(page.locator("#tenancies-elsewhere")).to_contain_text("RW884002")
    expect(page.locator("#next-step")).to_contain_text("Owes £612.40; no payment on record")
    assert_accessible(page)
    page.screenshot(path=SHOTS / "former-case.png", full_page=True)
    page.get_by_role("button", name="Move the debt to their current tenancy (transfer for approval)").click()
    expect(page.get_by_label("Amount, in pounds")).to_have_value("612.40")
    assert_accessible(page)
    page.screenshot(path=SHOTS / "transfer-form.png", full_page=True)
    assert page.console_problems == []
