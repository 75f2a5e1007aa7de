"""An officer imports the generic sample file, reads the report, and allocates the unmatched payment from suspense (at
desktop width, each page also checked at phone width: axe at both, and no sideways scrolling)."""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from incomeapp.constants import Role
from rentaccounts.constants import ImportStatus, SuspenseStatus
from rentaccounts.models import ImportBatch, SuspenseItem
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PersonFactory, TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots")  # noqa: S108 (screenshots to look at)
SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "generic-payments.csv"


def _payments(page):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Payments").click()


def test_import_the_sample_and_allocate_the_unmatched_payment(page, live_server):
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    for reference in ("RW000001", "RW000002", "RW000003", "RW000004"):
        TenancyFactory(payment_reference=reference, lead_tenant=PersonFactory(first_name="Tenant", last_name=reference))
    officer = user_with_role(Role.INCOME_OFFICER)
    sign_in(page, live_server, officer.username)

    _payments(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Payments")
    expect(page.get_by_text("No payment files have been imported yet.")).to_be_visible()
    assert_accessible(page, phone=True)

    page.get_by_label("Payment file").set_input_files(str(SAMPLE))
    page.get_by_label("Payments (generic CSV)").check()
    page.get_by_role("button", name="Upload and check").click()
    # The dry run: what the file would post, to whom; nothing posted yet.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the payments in generic-payments.csv")
    expect(page.get_by_text("Nothing has been posted yet.")).to_be_visible()
    expect(page.get_by_text("3 rows: £165.50 credited to 3 tenancies")).to_be_visible()
    would = page.get_by_role("table", name="Tenancies that would be credited")
    expect(would.get_by_role("row").filter(has_text="RW000002")).to_contain_text("£45.50")
    expect(would.get_by_role("row").filter(has_text="RW000002")).to_contain_text("Tenant RW000002")
    assert not ImportBatch.objects.get().rows_posted
    assert_accessible(page, phone=True)
    page.screenshot(path=SHOTS / "f-import-check-1280.png", full_page=True)
    page.get_by_role("button", name="Post 3 payments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import of generic-payments.csv")
    expect(page.get_by_text("3 payments posted (£165.50 credited); 2 held in suspense.")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="3 payments posted")).to_be_visible()
    expect(page.get_by_text("£165.50 credited in total")).to_be_visible()
    credited = page.get_by_role("table", name="Tenancies credited")
    expect(credited.get_by_role("row")).to_have_count(4)
    summary = page.locator(".govuk-summary-list")
    expect(summary).to_contain_text("Rows read5")
    expect(summary).to_contain_text("Held in suspense2")
    expect(summary).to_contain_text("Rejected0")
    expect(page.get_by_text("1 × No tenancy has the payment reference 'ZZ999999'.")).to_be_visible()
    assert_accessible(page, phone=True)
    page.screenshot(path=SHOTS / "f-import-done-1280.png", full_page=True)

    page.get_by_role("link", name="Open the suspense queue to allocate or reject them").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suspense queue")
    expect(page.locator("tbody tr")).to_have_count(2)
    assert_accessible(page, phone=True)

    page.get_by_role("link", name="ZZ999999").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Payment in suspense")
    expect(page.get_by_text("No tenancy has the payment reference 'ZZ999999'.")).to_be_visible()
    expect(page.locator(".govuk-summary-list")).to_contain_text("£60.00 credit")
    assert_accessible(page, phone=True)

    reference = page.get_by_label("Payment reference of the tenancy to credit")
    reference.fill("RW999999")
    page.get_by_role("button", name="Allocate payment").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("No tenancy has the payment reference RW999999")
    assert_accessible(page, phone=True)

    reference.fill("rw000003")
    page.get_by_role("button", name="Allocate payment").click()
    # The check step: the tenancy it will credit, before anything is posted.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the tenancy before you allocate")
    details = page.locator(".govuk-summary-list")
    expect(details).to_contain_text("Tenant RW000003")
    expect(details).to_contain_text("£20.00 in credit")  # its balance now: the £20.00 the file paid
    expect(details).to_contain_text("£60.00 credit")
    assert SuspenseItem.objects.get(payment_reference="ZZ999999").status == SuspenseStatus.OPEN
    assert_accessible(page, phone=True)
    page.screenshot(path=SHOTS / "f-suspense-confirm-1280.png", full_page=True)
    page.get_by_role("button", name="Allocate £60.00 to RW000003").click()
    expect(page.get_by_text("£60.00 credited to RW000003. It will be reviewed again.")).to_be_visible()
    expect(page.locator(".govuk-tag")).to_have_text("Allocated to an account")
    expect(page.get_by_text("Allocated to RW000003, by")).to_be_visible()
    expect(page.get_by_role("button", name="Allocate payment")).to_have_count(0)
    assert_accessible(page, phone=True)
    assert SuspenseItem.objects.get(payment_reference="ZZ999999").status == SuspenseStatus.ALLOCATED

    page.get_by_role("link", name="View the rent account of RW000003").first.click()
    expect(page.locator("table")).to_contain_text("From suspense")
    expect(page.get_by_text("£80.00 in credit").first).to_be_visible()
    assert_accessible(page, phone=True)

    _payments(page)
    expect(page.get_by_role("link", name="1 payment waiting in suspense")).to_be_visible()
    expect(page.locator("table")).to_contain_text("generic-payments.csv")
    assert page.console_problems == []


def test_a_background_import_shows_its_progress_then_the_report(page, live_server):
    officer = user_with_role(Role.INCOME_OFFICER)
    batch = ImportBatch.objects.create(
        file_name="big.csv",
        sha256="0" * 64,
        format="generic-csv",
        content=b"",
        status=ImportStatus.RUNNING,
        rows_read=5000,
        rows_done=2000,
        uploaded_by=officer,
    )
    sign_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}{reverse('rentaccounts:import_detail', args=[batch.pk])}")
    expect(page.get_by_text("Importing: 2000 of 5000 rows (40%)")).to_be_visible()
    assert_accessible(page)

    # The page asks for the progress by itself (htmx) and says when the import has finished.
    ImportBatch.objects.filter(pk=batch.pk).update(rows_done=3000)
    expect(page.get_by_text("Importing: 3000 of 5000 rows (60%)")).to_be_visible()
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.COMPLETED, rows_done=5000, rows_posted=5000, total_posted="51234.50"
    )
    page.get_by_role("link", name="See what was posted and the accounts credited").click()
    expect(page.get_by_role("heading", level=2, name="5000 payments posted")).to_be_visible()
    expect(page.get_by_text("£51,234.50 credited in total")).to_be_visible()
    expect(page.get_by_role("button", name="Check progress")).to_have_count(0)
    assert_accessible(page)
    assert page.console_problems == []
