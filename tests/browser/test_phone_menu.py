"""On a phone the header's links fold behind its "Menu" button. Each role signs in at 375 px and reaches each of its
areas through that button: the link is hidden until the button is pressed, then leads to the area's page, which passes
axe. (The journeys themselves run at desktop width and check each page at 375 px too: tests/browser/conftest.py.)"""

import pytest
from playwright.sync_api import expect

from incomeapp.constants import Role
from tests.browser.conftest import PHONE_WIDTH, assert_accessible, sign_in
from tests.factories import user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each role's areas: the link in the header, and the heading of the page it opens.
AREAS = {
    Role.INCOME_MANAGER: [
        ("Worklist", "Worklist"),
        ("Payments", "Payments"),
        ("Letters", "Letter templates"),
        ("Message templates", "Message templates"),
        ("Campaigns", "Campaigns"),
        ("Complaints", "Open complaints"),
        ("Dashboards", "Dashboards"),
    ],
    Role.INCOME_OFFICER: [("Payments", "Payments")],
    Role.SYSTEM_ADMINISTRATOR: [("API clients", "API clients")],
}


@pytest.mark.parametrize("role", list(AREAS), ids=[role.name.lower() for role in AREAS])
def test_on_a_phone_each_area_is_behind_the_menu_button(page, live_server, role):
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 900})
    sign_in(page, live_server, user_with_role(role).username)
    navigation = page.get_by_role("navigation", name="Main")
    for link, heading in AREAS[role]:
        expect(navigation.get_by_role("link", name=link, exact=True)).to_be_hidden()  # folded away on a phone
        navigation.get_by_role("button", name="Menu").click()
        navigation.get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page)
    assert page.console_problems == []
