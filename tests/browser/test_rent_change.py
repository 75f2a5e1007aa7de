"""A manager runs a rent change for a scheme and a second manager approves it; an officer changes one tenancy's
charges from the tenancy page. axe on every page; screenshots in /tmp/h4-*.png."""

import io
from datetime import timedelta
from decimal import Decimal

import pypdf
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from documents.models import Document
from documents.services import templates_install_shipped
from incomeapp.constants import Role
from lifecycle.constants import RentChangeStatus
from lifecycle.models import RentChangeRun
from rentaccounts.charging import monday_of
from tenancies.constants import ChargeType, TenancyEventKind
from tenancies.models import Charge, PropertyCharge, TenancyEvent, TenancyTenant
from tests.browser.conftest import assert_accessible, date_fill, sign_in
from tests.factories import PersonFactory, PropertyFactory, SchemeFactory, TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_runs_a_rent_change_for_a_scheme_and_a_second_manager_approves_it(
    page, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    templates_install_shipped()
    scheme = SchemeFactory(name="Harbour Court")
    SchemeFactory(name="Quayside")
    joint = TenancyFactory(payment_reference="RW400001", property=PropertyFactory(scheme=scheme))
    TenancyTenant.objects.create(tenancy=joint, person=PersonFactory(first_name="Ada", last_name="Hale"))
    TenancyFactory(payment_reference="RW400002", property=PropertyFactory(scheme=scheme), weekly_rent=Decimal("60.00"))
    void = PropertyFactory(scheme=scheme, uprn="400000009")
    PropertyCharge.objects.create(
        property=void, charge_type=ChargeType.RENT, amount=Decimal("95.00"), effective_from=joint.start_date
    )
    maker = user_with_role(Role.INCOME_MANAGER, first_name="Morgan", last_name="Evans")
    checker = user_with_role(Role.INCOME_MANAGER, first_name="Riley", last_name="Shah")
    effective = monday_of(timezone.localdate()) + timedelta(weeks=8)

    sign_in(page, live_server, maker.username)
    page.goto(f"{live_server.url}/rent-changes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rent changes")
    expect(page.get_by_text("No rent change has been prepared yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Prepare a percentage change").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prepare a percentage change")
    assert_accessible(page)
    page.get_by_role("button", name="Prepare and check the changes").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the rent change a name")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose at least one scheme")
    assert_accessible(page)
    page.screenshot(path="/tmp/h4-prepare-errors.png", full_page=True)  # noqa: S108
    page.get_by_label("Name").fill("April rent change")
    date_fill(page, effective)
    page.get_by_label("Harbour Court").check()
    expect(page.get_by_label("Rent", exact=True)).to_be_checked()
    page.get_by_label("Percentage change").fill("7.7")
    page.get_by_label("Most any one charge may rise by each week, in pounds (optional)").fill("5.00")
    page.get_by_role("button", name="Prepare and check the changes").click()

    expect(page.get_by_text("Prepared: 3 charges of 2 tenancies and 1 home would change.")).to_be_visible()
    run = RentChangeRun.objects.get()
    rows = page.locator("table").first.locator("tbody tr")
    expect(rows).to_have_count(2)
    # £100.00 + 7.7% (£7.70) is capped at £5.00 a week; £60.00 + 7.7% is £64.62; the empty home's £95.00 is capped.
    expect(rows.filter(has_text="RW400001")).to_contain_text("£105.00")
    expect(rows.filter(has_text="RW400002")).to_contain_text("£64.62")
    expect(page.locator("table").nth(1)).to_contain_text("£100.00")
    expect(page.get_by_text("3, one to each named tenant")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path="/tmp/h4-preview.png", full_page=True)  # noqa: S108
    page.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_text("Sent for approval.")).to_be_visible()
    expect(page.get_by_text("You prepared this, so someone else must approve it.")).to_be_visible()
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, checker.username)
    page.goto(f"{live_server.url}/rent-changes/")
    expect(page.locator("tbody tr").first).to_contain_text("Waiting for approval")
    assert_accessible(page)
    page.get_by_role("link", name="April rent change").click()
    expect(page.get_by_text("Morgan Evans prepared this")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path="/tmp/h4-decide.png", full_page=True)  # noqa: S108
    page.get_by_label("Reason or comment").fill("Checked against the rent policy")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved. The charges of 2 tenancies and 1 home change from")).to_be_visible()
    expect(page.locator(".govuk-summary-list").nth(2)).to_contain_text("3 of 3")
    expect(page.get_by_role("link", name="RW400001: Ada Hale")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path="/tmp/h4-approved.png", full_page=True)  # noqa: S108
    assert page.console_problems == []

    run.refresh_from_db()
    assert (run.status, run.prepared_by, run.decided_by) == (RentChangeStatus.APPROVED, maker, checker)
    assert run.applied_at is not None
    assert Charge.objects.get(tenancy=joint, effective_from=effective).amount == Decimal("105.00")
    assert PropertyCharge.objects.get(property=void, effective_from=effective).amount == Decimal("100.00")
    letters = Document.objects.filter(made_by_run=f"rent-change:{run.pk}")
    assert letters.count() == 3
    text = pypdf.PdfReader(io.BytesIO(letters.filter(reference="RW400002").get().pdf.read())).pages[0].extract_text()
    assert "£60.00 a week" in text and "£64.62 a week" in text and "an increase of £4.62 a week" in text


def test_an_officer_changes_one_tenancys_charges_from_its_page(page, live_server):
    tenancy = TenancyFactory(payment_reference="RW400010")
    officer = user_with_role(Role.INCOME_OFFICER)
    start = monday_of(timezone.localdate()) + timedelta(weeks=2)

    sign_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/tenancies/RW400010/")
    page.get_by_role("link", name="Change charges").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change charges")
    expect(page.get_by_label("Rent, in pounds a week")).to_have_value("100.00")
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path="/tmp/h4-charges-form-375.png", full_page=True)  # noqa: S108
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reason for the change")
    assert_accessible(page)
    date_fill(page, start)
    page.get_by_label("Rent, in pounds a week").fill("103.50")
    page.get_by_label("Water charge, in pounds a week").fill("4.25")
    page.get_by_label("Reason for the change").fill("Water charge now collected with the rent")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check the new charges")
    expect(page.get_by_role("row", name="Total")).to_contain_text("£107.75")
    expect(page.get_by_text("None: no period the rent run has already charged is affected")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path="/tmp/h4-charges-check.png", full_page=True)  # noqa: S108
    page.get_by_role("button", name="Change the charges").click()
    expect(page.get_by_text(f"Charges for RW400010 changed from {start:%-d %B %Y}: £107.75 a week")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path="/tmp/h4-tenancy-after.png", full_page=True)  # noqa: S108
    assert page.console_problems == []
    event = TenancyEvent.objects.get(tenancy=tenancy)
    assert (event.kind, event.recorded_by, event.reason) == (
        TenancyEventKind.CHARGE_CHANGE,
        officer,
        "Water charge now collected with the rent",
    )
