"""An officer adds a person, finds the duplicate record and merges the two (axe on every page)."""

from datetime import date

import pytest
from playwright.sync_api import expect

from incomeapp.constants import Role
from tenancies.models import Person
from tests.browser.conftest import assert_accessible, date_fill, sign_in
from tests.factories import PersonFactory, TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_adds_a_person_finds_the_duplicate_and_merges_them(page, live_server):
    officer = user_with_role(Role.INCOME_OFFICER, first_name="Priya", last_name="Shah")
    existing = PersonFactory(first_name="Amira", last_name="Okonkwo", date_of_birth=date(1980, 3, 27), phone="")
    TenancyFactory(payment_reference="RW900100", lead_tenant=existing)

    sign_in(page, live_server, officer.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    assert_accessible(page)

    page.get_by_role("button", name="Add a person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a person")
    assert_accessible(page)
    page.get_by_label("First name").fill("amira")
    page.get_by_label("Phone number (optional)").fill("07700 CALL")
    page.get_by_role("button", name="Add person").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the person's last name")
    expect(summary).to_contain_text("Enter a phone number using only numbers")
    expect(page.get_by_label("First name")).to_have_value("amira")
    assert_accessible(page)
    page.get_by_label("Last name").fill("OKONKWO")
    page.get_by_label("Phone number (optional)").fill("+44 7700 900123")
    date_fill(page, date(1980, 3, 27))
    page.get_by_role("button", name="Add person").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Added amira OKONKWO. 1 possible duplicate record found"
    )
    added = Person.objects.get(last_name="OKONKWO")
    duplicates = page.get_by_role("table").filter(has_text="Same name and date of birth")
    expect(duplicates).to_contain_text("Amira Okonkwo")
    assert_accessible(page)

    page.goto(f"{live_server.url}/people/duplicates/")
    expect(page.get_by_role("status")).to_have_text("1 likely duplicate pair, those matching on more things first.")
    assert_accessible(page)
    page.get_by_role("link", name=f"Compare records {existing.pk} and {added.pk}").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Compare and merge two records")
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose which record to keep")
    assert_accessible(page)
    page.get_by_label(f"Amira Okonkwo (record {existing.pk})").check()
    page.get_by_role("group", name="Phone number").get_by_label(f"+44 7700 900123 (record {added.pk})").check()
    page.get_by_label("Why are these the same person?").fill("Same person: date of birth confirmed on a call")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check before you merge")
    expect(page.locator("main")).to_contain_text("RW900100")
    assert_accessible(page)
    page.get_by_role("button", name="Merge records").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Merged record {added.pk} into Amira Okonkwo's record."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Amira Okonkwo")
    expect(page.locator("main")).to_contain_text("+44 7700 900123")
    history = page.locator("section", has=page.get_by_role("heading", name="History"))
    expect(history).to_contain_text(f"Merged in record {added.pk}")
    expect(history).to_contain_text("By Priya Shah")
    assert_accessible(page)

    page.get_by_role("link", name=f"amira OKONKWO (record {added.pk})").click()
    expect(page.locator(".govuk-inset-text")).to_contain_text("This record was merged into")
    assert_accessible(page)

    page.goto(f"{live_server.url}/tenancies/RW900100/")
    page.get_by_role("link", name="Amira Okonkwo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amira Okonkwo")
    page.goto(f"{live_server.url}/tenancies/RW900100/")
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    assert_accessible(page)
    assert not page.console_problems
