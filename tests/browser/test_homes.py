"""A manager adds a scheme with rent-free weeks, a patch with its officer, and a home with its weekly charges; then sees
the home's page with its tenancies, voids and change history, the voids page and the scheme's page. axe on every page;
screenshots in /tmp/h1-*.png."""

import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incomeapp.constants import Role
from tenancies.models import Property
from tenancies.selectors_homes import rent_year_start
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PersonFactory, ProviderFactory, TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(tempfile.gettempdir())


def _date(page, name: str, day: date) -> None:
    page.locator(f'input[name="{name}_0"]').fill(str(day.day))
    page.locator(f'input[name="{name}_1"]').fill(str(day.month))
    page.locator(f'input[name="{name}_2"]').fill(str(day.year))


def test_a_manager_sets_up_a_scheme_a_patch_and_a_home(page, live_server):
    today = timezone.localdate()
    ProviderFactory(name="Harbour Housing")
    manager = user_with_role(Role.INCOME_MANAGER, first_name="Maya", last_name="Reid")
    user_with_role(Role.INCOME_OFFICER, first_name="Olu", last_name="Bakare")
    sign_in(page, live_server, manager.username)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Homes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Homes")
    expect(page.get_by_text("There are no homes yet.")).to_be_visible()
    assert_accessible(page)

    # A scheme: errors first, then its rent-free weeks for next rent year.
    sections = page.get_by_role("navigation", name="Homes sections")
    sections.get_by_role("link", name="Schemes").click()
    assert_accessible(page)
    page.get_by_role("button", name="Add a scheme").click()
    page.get_by_role("button", name="Add scheme").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the scheme code")
    assert_accessible(page)
    page.get_by_label("Scheme code").fill("HGN")
    page.get_by_label("Name").fill("Harbour general needs")
    page.get_by_label("General needs").check()
    page.get_by_label("Provider").select_option(label="Harbour Housing")
    page.get_by_role("button", name="Add scheme").click()
    expect(page.get_by_text("Scheme added: Harbour general needs (HGN).")).to_be_visible()
    assert_accessible(page)

    next_year = rent_year_start(today).year + 1
    label = f"{next_year}/{str(next_year + 1)[2:]}"
    page.get_by_role("link", name=f"Change rent-free weeks for {label}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Rent-free weeks {label}")
    christmas = date(next_year, 12, 25)
    monday = christmas - timedelta(days=christmas.weekday())
    _date(page, "week_0", monday)
    _date(page, "week_1", christmas)
    page.get_by_role("button", name="Save rent-free weeks").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("enter the Monday the week starts on")
    assert_accessible(page)
    _date(page, "week_1", monday + timedelta(days=7))
    page.get_by_role("button", name="Save rent-free weeks").click()
    expect(page.get_by_text(f"Rent-free weeks for {label} saved: 2 rent-free")).to_be_visible()
    row = page.locator("tr", has_text=label)
    expect(row).to_contain_text(f"{monday:%-d %B %Y}, {monday + timedelta(days=7):%-d %B %Y}")
    assert_accessible(page)

    # A patch worked by an officer.
    sections.get_by_role("link", name="Patches").click()
    page.get_by_role("button", name="Add a patch").click()
    page.get_by_label("Name").fill("Harbour North")
    page.get_by_label("Income officer (optional)").select_option(label="Olu Bakare")
    assert_accessible(page)
    page.get_by_role("button", name="Add patch").click()
    expect(page.get_by_text("Patch added: Harbour North, worked by Olu Bakare.")).to_be_visible()
    assert_accessible(page)

    # A home, then its weekly charges from 60 days ago.
    sections.get_by_role("link", name="Homes").click()
    page.get_by_role("button", name="Add a home").click()
    page.get_by_label("Address line 1").fill("14 Harbour Road")
    page.get_by_label("Town or city").fill("Bristol")
    page.get_by_label("Postcode").fill("bs1 6ty")
    page.get_by_label("UPRN (optional)").fill("100120012345")
    page.get_by_label("Bedrooms (optional)").fill("two")
    page.get_by_label("Scheme").select_option(label="Harbour general needs")
    page.get_by_label("Patch (optional)").select_option(label="Harbour North")
    page.get_by_role("button", name="Add home").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the number of bedrooms as a whole number")
    expect(page.get_by_label("Address line 1")).to_have_value("14 Harbour Road")
    assert_accessible(page)
    page.screenshot(path=SHOTS / "h1-add-home-error.png", full_page=True)
    page.get_by_label("Bedrooms (optional)").fill("2")
    page.get_by_role("button", name="Add home").click()
    expect(page.get_by_text("Home added: 14 Harbour Road, Bristol, BS1 6TY.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Set new weekly charges from a date").click()
    _date(page, "effective_from", today - timedelta(days=60))
    page.get_by_label("Rent, in pounds a week").fill("70.00")
    page.get_by_label("Service charge (eligible for benefit), in pounds a week").fill("7.00")
    assert_accessible(page)
    page.screenshot(path=SHOTS / "h1-charges.png", full_page=True)
    page.get_by_role("button", name="Set the charges").click()
    expect(page.get_by_text(f"Charges set from {today - timedelta(days=60):%-d %B %Y}: £77.00 a week.")).to_be_visible()
    expect(page.get_by_text("In effect today: £77.00 a week")).to_be_visible()

    # Its tenancies come from sign-ups; here one ended 20 days ago, so the home is void from the day after.
    home = Property.objects.get(address_line_1="14 Harbour Road")
    TenancyFactory(
        property=home,
        payment_reference="RW300001",
        start_date=today - timedelta(days=50),
        end_date=today - timedelta(days=20),
        status="former",
        lead_tenant=PersonFactory(first_name="Amira", last_name="Okonkwo"),
    )
    page.reload()
    expect(page.get_by_role("link", name="RW300001")).to_be_visible()
    expect(page.get_by_text("Amira Okonkwo")).to_be_visible()
    # Void 10 days before the tenancy (from the charges' start) and 20 days since: 30 days at £11 a day.
    expect(page.get_by_text("Every void period, newest first: 30 days, £330.00 in all")).to_be_visible()
    expect(page.locator("strong.govuk-tag", has_text="Void")).to_be_visible()
    history = page.locator("section", has=page.get_by_role("heading", name="Change history"))
    expect(history).to_contain_text("By Maya Reid")
    expect(history).to_contain_text("Charges from")
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=SHOTS / "h1-property.png", full_page=True)

    sections.get_by_role("link", name="Voids").click()
    expect(page.get_by_role("link", name="14 Harbour Road, Bristol, BS1 6TY")).to_be_visible()
    expect(page.locator("tbody tr").first).to_contain_text("£220.00")  # 20 days at £11
    assert_accessible(page)
    page.screenshot(path=SHOTS / "h1-voids.png", full_page=True)

    sections.get_by_role("link", name="Schemes").click()
    page.get_by_role("link", name="Harbour general needs").click()
    expect(page.locator(".govuk-summary-list")).to_contain_text("1 home")
    assert_accessible(page)
    page.screenshot(path=SHOTS / "h1-scheme.png", full_page=True)

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/homes/{home.pk}/")
    assert_accessible(page)
    page.screenshot(path=SHOTS / "h1-property-375.png", full_page=True)
    page.goto(f"{live_server.url}/homes/")
    assert_accessible(page)
    page.screenshot(path=SHOTS / "h1-homes-375.png", full_page=True)
    assert page.console_problems == []


def test_a_manager_adds_a_provider_and_retires_homes_but_never_a_let_one(page, live_server):
    let = TenancyFactory(payment_reference="RW300002")
    empty = let.property.__class__.objects.create(
        address_line_1="3 Quay Street", town="Bristol", postcode="BS1 4DJ", scheme=let.property.scheme
    )
    manager = user_with_role(Role.INCOME_MANAGER)
    sign_in(page, live_server, manager.username)

    page.goto(f"{live_server.url}/homes/providers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Providers")
    assert_accessible(page)
    page.get_by_role("button", name="Add a provider").click()
    page.get_by_label("Name").fill("Riverside Borough Council")
    page.get_by_role("button", name="Add provider").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the type of landlord")
    expect(page.get_by_label("Name")).to_have_value("Riverside Borough Council")
    assert_accessible(page)
    page.get_by_label("Local authority").check()
    page.get_by_label("Address on letters and notices").fill("Civic Centre\nRiverside\nRV1 1AA")
    page.get_by_label("Email address (optional)").fill("rents@riverside.example")
    page.get_by_role("button", name="Add provider").click()
    expect(page.get_by_text("Provider added: Riverside Borough Council.")).to_be_visible()
    assert_accessible(page)

    # The let home: refused in plain words.
    page.goto(f"{live_server.url}/homes/{let.property.pk}/retire/")
    assert_accessible(page)
    page.get_by_role("button", name="Retire this home").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "This home has a current tenancy (RW300002), so it cannot be retired."
    )
    assert_accessible(page)

    # The empty home: changed, retired, then brought back.
    page.goto(f"{live_server.url}/homes/{empty.pk}/")
    page.get_by_role("link", name="Change its details").click()
    page.get_by_label("Bedrooms (optional)").fill("1")
    assert_accessible(page)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("The home's details saved.")).to_be_visible()
    page.get_by_role("link", name="Retire it").click()
    page.get_by_role("button", name="Retire this home").click()
    expect(page.get_by_text("is retired from")).to_be_visible()
    expect(page.locator("strong.govuk-tag", has_text="Retired on")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Bring it back into use").click()
    assert_accessible(page)
    page.get_by_role("button", name="Bring it back into use").click()
    expect(page.get_by_text("is back in use")).to_be_visible()
    assert page.console_problems == []
