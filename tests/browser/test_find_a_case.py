"""Finding a case (issue 22, item 1): from the home page an officer types a tenant's name in the header search,
opens the case and records a call in four clicks; the worklist sorts by a column and filters by a plain-label stage;
the tenancy page leads to the case and back. At desktop and phone widths, with axe on every page."""

import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arrears.models import ArrearsCase
from arrears.review import review_run
from arrears.services import policies_install_shipped
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.browser.conftest import assert_accessible, phone_call_record, sign_in
from tests.factories import PatchFactory, PersonFactory, PropertyFactory, TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(tempfile.gettempdir()) / "shots"


def test_find_a_case_by_name_from_the_header(page, live_server, law):
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    policies_install_shipped()
    officer = user_with_role(Role.INCOME_OFFICER, first_name="Olu", last_name="Officer")
    patch = PatchFactory(officer=officer)
    today = timezone.localdate()
    for reference, first, last, owed in (
        ("RW440001", "Marguerite", "Okonkwo-Llewellyn", "450.00"),
        ("RW440002", "Sam", "Patel", "150.00"),
        ("RW440003", "Ada", "Brown", "320.00"),
    ):
        tenancy = TenancyFactory(
            payment_reference=reference,
            property=PropertyFactory(patch=patch),
            lead_tenant=PersonFactory(first_name=first, last_name=last),
        )
        account = account_get_or_create(tenancy=tenancy)
        transactions_post(
            postings=[
                Posting(account.pk, TransactionType.RENT_DEBIT, Decimal(owed), today - timedelta(days=20), reference)
            ]
        )
    review_run(as_of=today)
    case = ArrearsCase.objects.get(account__tenancy__payment_reference="RW440001")
    sign_in(page, live_server, officer.username)
    assert_accessible(page, phone=True)

    # Click 1: search from the header of the home page.
    page.get_by_role("search", name="Tenancies, people and cases").get_by_label(
        "Search tenancies, people and cases"
    ).fill("Okonkwo")
    page.get_by_role("search", name="Tenancies, people and cases").get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Search results for “Okonkwo”")
    expect(page.get_by_role("heading", level=2, name="Tenancies (1)")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="People (1)")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Arrears cases (1)")).to_be_visible()
    page.screenshot(path=str(SHOTS / "a-search-results-1280.png"), full_page=True)
    assert_accessible(page, phone=True)

    # Click 2: the case.
    page.get_by_role("link", name="Arrears case: Marguerite Okonkwo-Llewellyn (RW440001)").click()
    expect(page).to_have_url(f"{live_server.url}/worklist/cases/{case.pk}/")
    assert_accessible(page, phone=True)

    # Click 3: the recommended step opens the contact form; click 4 records the call (issue 22: at most 4 clicks).
    page.get_by_role("button", name="Call or visit: record what happened").click()
    phone_call_record(page, today, "Called about the arrears; she will ring back after payday.")
    expect(page.get_by_text("Contact recorded.")).to_be_visible()
    expect(page.locator("#diary")).to_contain_text("she will ring back after payday")
    assert case.contacts.filter(notes__contains="ring back after payday").count() == 1
    assert_accessible(page, phone=True)

    # The worklist: every case with its stage and last contact, sorted by tenant name at a click.
    page.goto(f"{live_server.url}/worklist/")
    expect(page.get_by_role("columnheader", name="Last contact")).to_be_visible()
    page.screenshot(path=str(SHOTS / "a-worklist-1280.png"), full_page=True)
    assert_accessible(page, phone=True)
    page.get_by_role("columnheader", name="Tenant").get_by_role("link").click()
    expect(page.get_by_role("columnheader", name="Tenant")).to_have_attribute("aria-sort", "ascending")
    rows = page.locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("Ada Brown")
    expect(rows.last).to_contain_text("Sam Patel")  # (the case called above has left Immediate actions)
    page.get_by_role("columnheader", name="Tenant").get_by_role("link").click()
    expect(page.get_by_role("columnheader", name="Tenant")).to_have_attribute("aria-sort", "descending")
    expect(rows.nth(0)).to_contain_text("Sam Patel")
    assert_accessible(page, phone=True)

    # Search the list and filter by a stage chosen by its label: the sort is kept.
    page.get_by_label("Search this list by name, payment reference or address").fill("Patel")
    page.get_by_role("button", name="Search", exact=True).last.click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("RW440002")
    expect(page.get_by_text("Showing cases with Search: “Patel”.")).to_be_visible()
    page.get_by_label("Stage").select_option(label="No letter sent yet")
    page.get_by_role("button", name="Apply filters").click()
    expect(rows).to_have_count(1)
    expect(page.get_by_role("columnheader", name="Tenant")).to_have_attribute("aria-sort", "descending")
    page.screenshot(path=str(SHOTS / "a-worklist-filtered-1280.png"), full_page=True)
    assert_accessible(page, phone=True)

    # From the tenancy page to its case and back.
    page.goto(f"{live_server.url}/tenancies/RW440001/")
    page.get_by_role("link", name="Arrears case").click()
    expect(page).to_have_url(f"{live_server.url}/worklist/cases/{case.pk}/")
    assert not page.console_problems, page.console_problems
