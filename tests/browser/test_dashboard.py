"""A manager opens the dashboard, drills from a red tile to the cases behind it and downloads them as CSV; axe passes
on every page, and the Chart.js trend draws without a script error."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dashboards.services import kpi_snapshot_take
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_drills_from_a_red_tile_and_exports_csv(page, live_server, tmp_path):
    today = timezone.localdate()
    sunday = today - timedelta(days=today.weekday() + 1)
    for reference, paid in (("RW810001", "-1.00"), ("RW810002", "-1000.00")):
        account = account_get_or_create(tenancy=TenancyFactory(payment_reference=reference))
        postings = [
            Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("100.00"), sunday - timedelta(weeks=w, days=6),
                    f"{reference}:{w}")
            for w in range(10)
        ]  # fmt: skip
        postings.append(
            Posting(account.pk, TransactionType.PAYMENT, Decimal(paid), sunday - timedelta(days=1), reference)
        )
        transactions_post(postings=postings)
    for weeks_ago in (2, 1, 0):
        kpi_snapshot_take(week_ending=sunday - timedelta(weeks=weeks_ago))
    manager = user_with_role(Role.INCOME_MANAGER)
    sign_in(page, live_server, manager.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboards").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboards")
    tile = page.locator(".kpi-tile", has=page.get_by_role("heading", name="Current tenant arrears", exact=True))
    expect(tile.get_by_text("Off target")).to_be_visible()
    expect(page.locator("#kpi-chart")).to_be_visible()
    # The chart's scripts are deferred: wait for them to have drawn it (fails after the timeout if they never do).
    page.wait_for_function("() => !!window.Chart && !!window.Chart.getChart(document.getElementById('kpi-chart'))")
    assert_accessible(page)

    tile.get_by_role("link", name="Cases behind it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Current tenant arrears: the cases behind it")
    expect(page.get_by_role("link", name="RW810001")).to_be_visible()
    expect(page.get_by_role("link", name="RW810002")).to_have_count(0)
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download them (CSV)").click()
    text = download.value.path().read_text()
    assert text.startswith("payment_reference,current,balance") and "RW810001,True,999.00" in text
    page.goto(f"{live_server.url}/dashboards/")
    page.get_by_role("link", name="Officer follow-through").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Officer follow-through")
    assert_accessible(page)
    page.goto(f"{live_server.url}/dashboards/exceptions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Exception report")
    assert_accessible(page)
