"""An officer signs up a joint tenancy in the browser, from the tenancies page to the confirmation: one person already
on record and one new, the home's charges, a Universal Credit claim. They see the payment reference and the first
part-period charge (by day) before confirming, and the two sign-up letters after. axe runs on every page."""

import re
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incomeapp.constants import Role
from rentaccounts.charging import monday_of
from rentaccounts.models import Account
from rentaccounts.services import rent_debits_post
from tenancies.constants import ChargeType
from tenancies.models import PropertyCharge, Tenancy
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PersonFactory, PropertyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = str(Path(tempfile.gettempdir()) / "h3-signup-{}.png")  # screenshots to look at after a run


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _continue(page):
    page.get_by_role("button", name="Continue").click()


def test_an_officer_signs_up_a_joint_tenancy_and_sees_the_first_charge_and_both_letters(page, live_server):
    today = timezone.localdate()
    monday = monday_of(today)
    thursday = monday + timedelta(days=3)  # 4 of 7 days of the week the rent run has already run
    rent_debits_post(week_commencing=monday)
    home = PropertyFactory(address_line_1="12 Mill Lane", town="Bristol", postcode="BS3 4QT", uprn="100120001")
    for charge_type, amount in ((ChargeType.RENT, "100.00"), (ChargeType.ELIGIBLE_SERVICE, "5.00")):
        PropertyCharge.objects.create(
            property=home, charge_type=charge_type, amount=Decimal(amount), effective_from=date(2026, 4, 6)
        )
    PersonFactory(first_name="Ann", last_name="Okafor", date_of_birth=date(1988, 5, 1))
    sign_in(page, live_server, user_with_role(Role.INCOME_OFFICER).username)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tenancies").click()
    page.get_by_role("button", name="Sign up a new tenancy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up a new tenancy")
    assert_accessible(page)
    page.get_by_role("button", name="Start now").click()

    # The home: search, then choose.
    expect(page.get_by_role("heading", level=1)).to_have_text("Which home is being let?")
    page.get_by_label("Which home is being let?").fill("BS3 4QT")
    page.locator("#main-content").get_by_role("button", name="Search").click()
    assert_accessible(page)
    page.screenshot(path=SHOTS.format("1-home"), full_page=True)
    page.get_by_role("button", name=re.compile("Choose 12 Mill Lane")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("What kind of tenancy is it?")
    _continue(page)  # nothing chosen: the error summary says what to do
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the kind of tenancy or licence")
    assert_accessible(page)
    # A page with errors answers 400, which the browser notes in its console; nothing else may be there.
    assert page.console_problems == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    page.console_problems.clear()
    page.get_by_label("Assured tenancy", exact=True).check()
    _continue(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("When does the tenancy start?")
    assert_accessible(page)
    page.get_by_label("Day", exact=True).fill(str(thursday.day))
    page.get_by_label("Month", exact=True).fill(str(thursday.month))
    page.get_by_label("Year", exact=True).fill(str(thursday.year))
    _continue(page)

    # Named tenants: one on record, one new; Ann is the lead.
    expect(page.get_by_role("heading", level=1)).to_have_text("Who are the named tenants?")
    assert_accessible(page)
    page.get_by_role("button", name="Find someone already on record").click()
    page.get_by_label("Find someone already on record").fill("Okafor")
    page.locator("#main-content").get_by_role("button", name="Search").click()
    assert_accessible(page)
    page.get_by_role("button", name="Add Ann Okafor").click()
    expect(page.get_by_text("Added Ann Okafor as a named tenant.")).to_be_visible()
    page.get_by_role("button", name="Add a new person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a new person")
    assert_accessible(page)
    page.get_by_label("First name").fill("Bob")
    page.get_by_label("Last name").fill("Okafor")
    page.get_by_role("button", name="Add this tenant").click()
    expect(page.locator("#tenants")).to_contain_text("Bob Okafor")
    expect(page.locator("#tenants")).to_contain_text("New record")
    assert_accessible(page)
    page.screenshot(path=SHOTS.format("2-tenants"), full_page=True)
    page.get_by_label("Ann Okafor").check()
    _continue(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("How often is the rent due?")
    assert_accessible(page)
    page.get_by_label("Weekly").check()
    _continue(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("What are the charges?")
    expect(page.get_by_label("Rent, a week")).to_have_value("100.00")
    expect(page.get_by_label("Service charge (eligible for benefit), a week")).to_have_value("5.00")
    assert_accessible(page)
    page.screenshot(path=SHOTS.format("3-charges"), full_page=True)
    _continue(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("How will the tenant pay?")
    assert_accessible(page)
    page.get_by_label("Bank transfer").check()
    _continue(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Will the tenant claim help with their housing costs?")
    assert_accessible(page)
    page.get_by_label("Universal Credit housing costs").check()
    _continue(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Universal Credit housing costs: the claim")
    page.get_by_label("In payment").check()
    page.get_by_label("Housing costs expected each week, in pounds").fill("105.00")
    assert_accessible(page)
    _continue(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Does the tenancy bring a balance from another system?")
    assert_accessible(page)
    _continue(page)

    # Check your answers: the payment reference and the first part-period charge, before anything is saved.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before signing up")
    reference = page.locator("#payment-reference").inner_text()
    assert re.fullmatch(r"RW\d{8}", reference)
    first_charge = f"£60.00 for Thursday {thursday:%-d %B} to Sunday {thursday + timedelta(days=3):%-d %B %Y}"
    expect(page.locator("#first-charge")).to_contain_text(first_charge)
    expect(page.locator("#first-charge")).to_contain_text("(4 of 7 days of £105.00 a week)")
    assert not Tenancy.objects.filter(payment_reference=reference).exists()
    assert_accessible(page)
    page.screenshot(path=SHOTS.format("4-check"), full_page=True)
    page.get_by_role("button", name="Confirm and sign up").click()

    # The confirmation: the reference, the first charge, the two letters, and where to go next.
    expect(page.locator(".govuk-panel__title")).to_have_text("Tenancy signed up")
    expect(page.locator(".govuk-panel__body")).to_contain_text(reference)
    expect(page.get_by_text(f"Tenancy {reference} signed up at 12 Mill Lane")).to_be_visible()
    expect(page.locator("#first-charge")).to_contain_text(first_charge)
    expect(page.locator("#first-charge")).to_contain_text("4 of 7 days, worked out by day")
    letters = page.locator("#letters li")
    expect(letters).to_have_count(2)
    expect(letters.nth(0)).to_contain_text("Sign-up letter to Ann Okafor")
    expect(letters.nth(1)).to_contain_text("Sign-up letter to Bob Okafor")
    assert_accessible(page)
    page.screenshot(path=SHOTS.format("5-done"), full_page=True)
    assert Account.objects.get(tenancy__payment_reference=reference).balance == Decimal("60.00")

    # Each letter opens as a PDF.
    for index in range(2):
        href = letters.nth(index).get_by_role("link").get_attribute("href")
        response = page.request.get(f"{live_server.url}{href}")
        assert response.ok and response.headers["content-type"] == "application/pdf"

    page.get_by_role("link", name="View the tenancy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("12 Mill Lane, Bristol, BS3 4QT")
    expect(page.get_by_text(reference).first).to_be_visible()
    expect(page.get_by_text("Welcome to your new home", exact=False)).to_have_count(2)
    assert_accessible(page)
    page.screenshot(path=SHOTS.format("6-tenancy"), full_page=True)
    assert page.console_problems == []


def test_the_sign_up_pages_read_at_375_pixels(page, live_server):
    """A phone-width check of the two busiest pages: nothing wider than the screen."""
    page.set_viewport_size({"width": 375, "height": 800})
    home = PropertyFactory(address_line_1="3 Quay Street", postcode="BS1 4DJ")
    PropertyCharge.objects.create(
        property=home, charge_type=ChargeType.RENT, amount=Decimal("90.00"), effective_from=date(2026, 4, 6)
    )
    sign_in(page, live_server, user_with_role(Role.INCOME_OFFICER).username)
    page.goto(f"{live_server.url}/sign-up/")
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("Which home is being let?").fill("Quay")
    page.locator("#main-content").get_by_role("button", name="Search").click()
    # Wait for the results page before measuring it (measuring mid-navigation finds no document yet).
    expect(page.get_by_role("button", name=re.compile("Choose 3 Quay Street"))).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    page.screenshot(path=SHOTS.format("7-home-375"), full_page=True)
    assert_accessible(page)
    assert page.console_problems == []
