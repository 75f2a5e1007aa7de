"""The Django admin pages a System Administrator uses pass axe like the rest of the product (issue 22, item 11): the
index, each model's list and a change (or add) form, each checked at 1280 and at 375 px wide (where nothing may scroll
sideways)."""

import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from incomeapp.constants import Role
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import TenancyFactory, user_with_role

SHOTS = Path(tempfile.gettempdir()) / "shots"  # screenshots to look at, g-*.png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_admin_pages_a_system_administrator_uses_pass_axe(page, live_server, law):
    page.set_viewport_size({"width": 1280, "height": 900})
    TenancyFactory()  # a provider, scheme and patch to list and change
    admin = user_with_role(Role.SYSTEM_ADMINISTRATOR)
    sign_in(page, live_server, admin.username)
    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff accounts and roles")
    page.screenshot(path=SHOTS / "g-admin-1280.png", full_page=True)
    assert_accessible(page, phone=True)
    lists = [
        href
        for href in page.locator("#content-main a").evaluate_all("links => links.map(link => link.pathname)")
        if href.startswith("/admin/") and not href.endswith("/add/") and href.count("/") == 4
    ]
    assert len(lists) >= 5, lists
    for changelist in dict.fromkeys(lists):
        page.goto(f"{live_server.url}{changelist}")
        assert_accessible(page, phone=True)
        form = page.locator("#result_list tbody th a, #content-main a.addlink")
        if not form.count():
            continue
        page.goto(f"{live_server.url}{form.first.evaluate('link => link.pathname')}")
        expect(page.locator("#content h1")).to_be_visible()
        assert_accessible(page, phone=True)
