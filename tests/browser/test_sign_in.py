import re

import pytest
from playwright.sync_api import expect

from incomeapp.constants import Role
from tests.browser.conftest import assert_accessible
from tests.factories import TEST_PASSWORD, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/account/sign-in/\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Rentwise")
    assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_officer_signs_in_sees_their_navigation_and_every_page_passes_axe(page, live_server):
    officer = user_with_role(Role.INCOME_OFFICER, first_name="Olivia", last_name="Okafor")
    _sign_in(page, live_server, officer.username)

    expect(page.get_by_text("Signed in as Olivia Okafor")).to_be_visible()
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link")).to_have_text(
        ["Worklist", "Tenancies", "People", "Payments", "Legal", "Printing"]
    )
    assert_accessible(page)
    page.screenshot(path="var/screenshots/officer-home.png", full_page=True)

    for area, heading in [
        ("Worklist", "Worklist"),
        ("Tenancies", "Tenancies"),
        ("People", "People"),
        ("Payments", "Payments"),
        ("Legal", "Legal"),
        ("Printing", "Printing"),
    ]:
        navigation.get_by_role("link", name=area).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(navigation.get_by_role("link", name=area)).to_have_attribute("aria-current", "true")
        assert_accessible(page)

    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    assert_accessible(page)

    page.goto(f"{live_server.url}/dashboards/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have access to this page")
    assert_accessible(page)
    assert page.console_problems == ["Failed to load resource: the server responded with a status of 403 (Forbidden)"]
    page.console_problems.clear()

    page.goto(f"{live_server.url}/")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Rentwise")
    page.screenshot(path="var/screenshots/officer-signed-out.png", full_page=True)
    assert page.console_problems == []


def test_a_failed_sign_in_shows_an_accessible_error_summary(page, live_server):
    officer = user_with_role(Role.INCOME_OFFICER)
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Username").fill(officer.username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Enter a correct username and password")
    assert_accessible(page)
    assert page.console_problems == []


def test_a_manager_and_an_administrator_reach_their_own_areas(page, live_server):
    manager = user_with_role(Role.INCOME_MANAGER)
    _sign_in(page, live_server, manager.username)
    navigation = page.get_by_role("navigation", name="Main")
    for area in ["Approvals", "Dashboards"]:
        navigation.get_by_role("link", name=area).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(area)
        assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    administrator = user_with_role(Role.SYSTEM_ADMINISTRATOR)
    _sign_in(page, live_server, administrator.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff accounts and roles")
    assert page.console_problems == []
