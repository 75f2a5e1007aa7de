"""A manager checks the sample onboarding files in the browser, loads them, and sees the counts; then uploads files
with one bad row and sees its file, line and column, and that nothing was loaded. axe on every page; screenshots in
/tmp/h7-*.png."""

import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from incomeapp.constants import Role
from lifecycle.constants import LoadStatus
from lifecycle.models import TenancyLoad
from tenancies.models import Person, Tenancy
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import user_with_role
from tests.lifecycle.test_load_pages import samples_zip

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(tempfile.gettempdir())


def _upload(page, name: str, content: bytes, mode: str) -> None:
    page.get_by_label("Onboarding files").set_input_files(
        {"name": name, "mimeType": "application/zip", "buffer": content}
    )
    page.get_by_label(mode, exact=True).check()
    page.get_by_role("button", name="Upload and start").click()


def _file_row(page, file_name: str):
    return page.locator("table").filter(has_text="file by file").locator("tbody tr").filter(has_text=file_name)


def test_a_manager_checks_loads_and_is_told_of_a_bad_row(page, live_server):
    manager = user_with_role(Role.INCOME_MANAGER)
    sign_in(page, live_server, manager.username)
    page.goto(f"{live_server.url}/homes/")
    page.get_by_role("navigation", name="Homes sections").get_by_role("link", name="Data loads").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Data loads")
    expect(page.get_by_text("No files have been uploaded yet.")).to_be_visible()
    assert_accessible(page)

    # Nothing chosen: the error summary says what to do.
    page.get_by_role("button", name="Upload and start").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the zip of your onboarding files")
    assert_accessible(page)

    # A dry run of the sample set: the report, and nothing loaded.
    _upload(page, "riverside.zip", samples_zip(folder=""), "Check only (dry run)")
    expect(page.get_by_role("heading", level=1)).to_have_text("Data load: riverside.zip")
    expect(page.get_by_text("No errors found. Nothing was loaded: this was a check.")).to_be_visible()
    expect(_file_row(page, "tenancies.csv").locator("td")).to_have_text(["8", "8", "0", "0"])
    expect(_file_row(page, "people.csv").locator("td")).to_have_text(["9", "9", "0", "0"])
    assert Tenancy.objects.count() == 0
    assert_accessible(page)
    page.screenshot(path=SHOTS / "h7-check.png", full_page=True)

    # The same files, loaded.
    page.get_by_role("button", name="Load these files").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Loaded")
    expect(_file_row(page, "tenancies.csv").locator("td")).to_have_text(["8", "8", "0", "0"])
    expect(page.get_by_text("a load started: every row is checked first")).to_be_visible()
    assert Tenancy.objects.count() == 8 and Person.objects.count() == 9
    assert_accessible(page)
    page.screenshot(path=SHOTS / "h7-loaded.png", full_page=True)

    # The list: who, when, what and how it went.
    page.get_by_role("link", name="Back to data loads").click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Loaded")
    expect(rows.nth(0)).to_contain_text(str(manager))
    expect(rows.nth(1)).to_contain_text("Check only")
    expect(rows.nth(1)).to_contain_text("Checked: no errors")
    assert_accessible(page)
    page.screenshot(path=SHOTS / "h7-list.png", full_page=True)

    # A new person and a tenancy with an impossible start date: refused, and the new person is not loaded either.
    bad = samples_zip(
        folder="",
        edits={"tenancies.csv": ("T5002,10045002,H002,ASSURED,,2019-09-02", "T5002,10045002,H002,ASSURED,,2019-09-31")},
        extra={"people.csv": "P900,Mr,Adam,Newman,1990-01-01,,,letter,,English,,\n"},
    )
    _upload(page, "riverside-night.zip", bad, "Load")
    expect(page.locator(".govuk-error-summary__title")).to_have_text("Nothing was loaded: 1 error found")
    error = page.locator("#errors ~ table tbody tr")
    expect(error).to_have_count(1)
    expect(error.locator("td").nth(0)).to_have_text("tenancies.csv")
    expect(error.locator("td").nth(1)).to_have_text("3")
    expect(error.locator("td").nth(2)).to_contain_text("(start_date)")
    expect(error.locator("td").nth(3)).to_have_text("2019-09-31")
    expect(error.locator("td").nth(4)).to_contain_text("is not a date")
    expect(page.get_by_role("button", name="Load these files")).to_have_count(0)
    assert not Person.objects.filter(source_reference="P900").exists()
    assert Tenancy.objects.count() == 8
    assert TenancyLoad.objects.order_by("-id").first().status == LoadStatus.REFUSED
    assert_accessible(page)
    page.screenshot(path=SHOTS / "h7-refused.png", full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=SHOTS / "h7-refused-375.png", full_page=True)

    # A load still running (a worker has it): its progress, and a button to see the latest figures.
    running = TenancyLoad.objects.create(
        file_name="nightly.zip",
        sha256="0" * 64,
        content=b"x",
        status=LoadStatus.LOADING,
        rows_read=250_000,
        rows_done=100_000,
        uploaded_by=manager,
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/data-loads/{running.pk}/")
    expect(page.get_by_role("status")).to_contain_text("Loading: 100,000 of 250,000 rows (40%).")
    expect(page.get_by_role("button", name="Check progress")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=SHOTS / "h7-progress.png", full_page=True)
    assert page.console_problems == []
