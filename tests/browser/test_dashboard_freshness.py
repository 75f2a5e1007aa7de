"""A manager opens the dashboard, reads which week the figures cover and when they were built, is warned they are older
than the latest arrears review and rebuilds them, then drills from a tile to the cases behind it (officers by name)
and opens one's arrears case. Axe on every page at 1280 and at 375 px wide. And while a rebuild runs on the worker the
page says so and, polling with htmx, shows the new figures when it is done."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arrears.models import ArrearsCase
from arrears.review import review_run
from arrears.services import policies_install_shipped
from dashboards.models import KpiRebuild
from dashboards.services import kpi_snapshot_take, last_sunday
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PatchFactory, PropertyFactory, TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/shots"  # noqa: S108  (screenshots to look at; nothing reads them back)


def _estate_with_a_review_after_its_snapshot():
    """Two tenancies in arrears with their cases from a real review, which ran after the last snapshot was built."""
    policies_install_shipped()
    officer = user_with_role(Role.INCOME_OFFICER, first_name="Olivia", last_name="Okafor")
    patch = PatchFactory(officer=officer)
    sunday = last_sunday()
    for reference, owed in (("RW820001", "950.00"), ("RW820002", "250.00")):
        account = account_get_or_create(
            tenancy=TenancyFactory(payment_reference=reference, property=PropertyFactory(patch=patch))
        )
        transactions_post(
            postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal(owed), sunday - timedelta(days=20),
                              reference)]
        )  # fmt: skip
    for weeks_ago in (1, 0):
        kpi_snapshot_take(week_ending=sunday - timedelta(weeks=weeks_ago))
    review_run(as_of=sunday)  # its cases open on the snapshot's last day, so the week's figures count them
    return officer


def test_manager_sees_how_fresh_the_figures_are_rebuilds_and_drills_to_a_case(page, live_server):
    officer = _estate_with_a_review_after_its_snapshot()
    page.set_viewport_size({"width": 1280, "height": 900})
    manager = user_with_role(Role.INCOME_MANAGER)
    sign_in(page, live_server, manager.username)
    week = f"{last_sunday():%-d %B %Y}"

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboards").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboards")
    expect(page.locator("#freshness")).to_contain_text(f"Figures for the week ending {week}, built ")
    expect(page.get_by_text("These figures are older than the latest arrears review")).to_be_visible()
    assert_accessible(page, phone=True)
    page.screenshot(path=f"{SHOTS}/d-dashboard-stale-1280.png", full_page=True)

    page.get_by_role("button", name="Rebuild now").click()
    # The task ran (eagerly here; on the worker in production): the banner says what was set off, the warning is gone.
    expect(page.get_by_text(f"Rebuilding the figures for the week ending {week} has started.")).to_be_visible()
    expect(page.get_by_text("These figures are older than the latest arrears review")).to_have_count(0)
    expect(page.get_by_role("button", name="Rebuild now")).to_have_count(0)
    assert KpiRebuild.objects.get().finished_at is not None
    tile = page.locator(".kpi-tile", has=page.get_by_role("heading", name="Current tenant arrears", exact=True))
    expect(tile).to_contain_text("%")
    expect(page.get_by_role("heading", name="Quarterly return for the quarter ending")).to_be_visible()
    assert_accessible(page, phone=True)
    page.screenshot(path=f"{SHOTS}/d-dashboard-after-1280.png", full_page=True)

    tile.get_by_role("link", name="Cases behind it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Current tenant arrears: the cases behind it")
    expect(page.locator("#freshness")).to_contain_text(f"Figures for the week ending {week}, built ")
    row = page.locator("tbody tr", has=page.get_by_role("link", name="RW820001"))
    expect(row).to_contain_text("Olivia Okafor")
    expect(row).not_to_contain_text(officer.username)
    expect(row).to_contain_text("£950.00")
    assert_accessible(page, phone=True)
    page.screenshot(path=f"{SHOTS}/d-drill-1280.png", full_page=True)

    row.get_by_role("link", name="RW820001").click()
    case = ArrearsCase.objects.get(account__tenancy__payment_reference="RW820001")
    expect(page).to_have_url(f"{live_server.url}/worklist/cases/{case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("RW820001")
    assert_accessible(page, phone=True)
    page.screenshot(path=f"{SHOTS}/d-case-from-drill-1280.png", full_page=True)


def test_a_running_rebuild_is_shown_and_the_page_shows_the_new_figures_when_it_is_done(page, live_server):
    _estate_with_a_review_after_its_snapshot()
    page.set_viewport_size({"width": 1280, "height": 900})
    manager = user_with_role(Role.INCOME_MANAGER, first_name="Dawn", last_name="Burns")
    sign_in(page, live_server, manager.username)
    # As if handed to a worker that has not finished yet.
    rebuild = KpiRebuild.objects.create(requested_by=manager, week_ending=last_sunday())
    page.goto(f"{live_server.url}/dashboards/")
    banner = page.locator("#rebuild-status")
    expect(banner).to_contain_text("are being rebuilt")
    expect(banner).to_contain_text("by Dawn Burns")
    expect(page.get_by_role("button", name="Rebuild now")).to_have_count(0)
    assert_accessible(page, phone=True)
    page.screenshot(path=f"{SHOTS}/d-dashboard-rebuilding-1280.png", full_page=True)

    # The worker finishes: htmx, polling, is told to reload, and the page says so with the new build time.
    kpi_snapshot_take(week_ending=rebuild.week_ending)
    KpiRebuild.objects.filter(pk=rebuild.pk).update(finished_at=timezone.now())
    expect(page.get_by_text(f"The figures for the week ending {last_sunday():%-d %B %Y} were rebuilt.")).to_be_visible()
    expect(page.get_by_text("These figures are older than the latest arrears review")).to_have_count(0)
    assert_accessible(page, phone=True)
    assert page.console_problems == []
