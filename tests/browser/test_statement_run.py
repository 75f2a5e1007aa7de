"""Start a statement run and watch it finish (issue 22, item 9 and its acceptance): an income manager starts the
quarter's statements from the browser, the run's page shows its progress and keeps it up to date by itself (htmx
polling, no reload) while a real Celery worker makes the statements, then shows the results and links to them. At
desktop width, each page also checked at phone width (axe at both, and no sideways scrolling)."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from documents.models import Document
from incomeapp.celery import app as celery_app
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.models import StatementRun
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PersonFactory, TenancyFactory, user_with_role
from tests.incomeapp.test_celery_worker import _worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")  # noqa: S108 (screenshots to look at, not a secret)
ACCOUNTS = 4


@pytest.mark.worker
def test_start_a_statement_run_and_watch_it_finish(page, live_server, settings, tmp_path, monkeypatch):
    SHOTS.mkdir(exist_ok=True)
    settings.MEDIA_ROOT = tmp_path
    # Two accounts a chunk, so the run reports part way.
    monkeypatch.setattr("rentaccounts.services.statement_run.CHUNK", 2)
    page.set_viewport_size({"width": 1280, "height": 900})
    for n in range(ACCOUNTS):
        tenancy = TenancyFactory(
            payment_reference=f"RW73000{n}", lead_tenant=PersonFactory(first_name="Tenant", last_name=f"Number{n}")
        )
        account = account_get_or_create(tenancy=tenancy)
        transactions_post(
            postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("100.00"), date(2026, 9, 21), f"r{n}")]
        )
    manager = user_with_role(Role.INCOME_MANAGER)
    # The chunks wait in the broker until the worker starts below, so the page is seen running.
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    try:
        sign_in(page, live_server, manager.username)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Payments").click()
        page.get_by_role("link", name="Statement runs").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Statement runs")
        assert_accessible(page, phone=True)
        page.get_by_label("Day").fill("27")
        page.get_by_label("Month").fill("9")
        page.get_by_label("Year").fill("2026")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", name="Check before you start")).to_be_visible()
        expect(page.get_by_text("29 June 2026 to 27 September 2026")).to_be_visible()
        assert_accessible(page, phone=True)
        page.screenshot(path=SHOTS / "f-statement-run-check-1280.png", full_page=True)
        page.get_by_role("button", name="Start the statement run").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Statements to 27 September 2026")
        expect(page.get_by_text(f"The statement run for {ACCOUNTS} accounts has started.")).to_be_visible()
        expect(page.get_by_text(f"0 of {ACCOUNTS} accounts done (0%)")).to_be_visible()
        expect(page.get_by_role("button", name="Check progress")).to_be_visible()  # without JavaScript
        assert_accessible(page, phone=True)
        page.screenshot(path=SHOTS / "f-statement-run-running-1280.png", full_page=True)
        page.evaluate("window.sameDocument = true")  # gone if the page were reloaded

        with _worker(celery_app.conf.task_default_queue):
            expect(page.get_by_text(f"{ACCOUNTS} of {ACCOUNTS} accounts done")).to_be_visible(timeout=90_000)
        assert page.evaluate("window.sameDocument === true"), "the progress came by reloading the page"
        expect(page.get_by_text("Finished", exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="Check progress")).to_have_count(0)
        run = StatementRun.objects.get()
        assert run.finished_at is not None and len(run.results) == ACCOUNTS // 2
        assert Document.objects.filter(kind="statement", made_by_run="statements:2026-09-27").count() == ACCOUNTS
        statements = page.get_by_role("table", name="Statements made for this period")
        expect(statements.get_by_role("row")).to_have_count(ACCOUNTS + 1)
        expect(statements.get_by_role("link", name="Open the PDF of the statement for RW730000")).to_be_visible()
        assert_accessible(page, phone=True)
        page.screenshot(path=SHOTS / "f-statement-run-finished-1280.png", full_page=True)

        # The results lead on: to a tenant's account and to printing the posted statements.
        statements.get_by_role("link", name=re.compile(r"^RW730001\s*: rent account$")).click()
        expect(page.get_by_text("£100.00 in arrears").first).to_be_visible()
        assert_accessible(page, phone=True)
        page.screenshot(path=SHOTS / "f-account-1280.png", full_page=True)
        page.go_back()
        page.get_by_role("link", name="print them from the Printing page").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Printing")
        assert_accessible(page, phone=True)
    finally:
        celery_app.conf.task_always_eager = eager
    assert not page.console_problems, page.console_problems
