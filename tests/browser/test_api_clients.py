"""Acceptance (issue 18, item 2): a system administrator sets up an API client with two scopes, sees its key once,
the key (once an Income Manager approves it) calls the live server and the call shows in the log; the key is rotated
(the old one stops) and revoked. Swagger UI and Redoc render under the Content Security Policy. At desktop and phone
widths, with axe on every page."""

from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from api.models import ApiClient
from api.services_clients import api_client_approve
from incomeapp.constants import Role
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-api-clients")  # noqa: S108  (screenshots to look at; nothing reads them back)


def _call(live_server, path: str, key: str) -> requests.Response:
    return requests.get(f"{live_server.url}{path}", headers={"Authorization": f"Bearer {key}"}, timeout=30)


def _approve(client_pk: int) -> None:
    api_client_approve(by=user_with_role(Role.INCOME_MANAGER), client=ApiClient.objects.get(pk=client_pk))


def test_an_administrator_sets_up_uses_rotates_and_revokes_a_client(page, live_server):
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    admin = user_with_role(Role.SYSTEM_ADMINISTRATOR, first_name="Sam", last_name="Admin")

    sign_in(page, live_server, admin.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API clients").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API clients")
    expect(page.get_by_text("No client has been set up yet.")).to_be_visible()
    assert_accessible(page, phone=True)

    page.get_by_role("button", name="Set up a client").click()
    expect(page.get_by_role("heading", name="Set up an API client")).to_be_visible()
    expect(page.get_by_text("Breathing Space details. Only give it")).to_be_visible()
    assert_accessible(page, phone=True)
    page.get_by_role("button", name="Set up client").click()  # empty: says what is wrong
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the name of the system")
    expect(page).to_have_title("Error: Set up an API client – Rentwise")
    assert_accessible(page, phone=True)
    page.get_by_label("Name of the system").fill("Data warehouse")
    page.get_by_label("Read tenancies, their named tenants and charges").check()
    page.get_by_label("Subscribe to events (webhooks)").check()
    page.get_by_role("button", name="Set up client").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("The key for Data warehouse")
    expect(page.get_by_text("Copy it now: it will not be shown again")).to_be_visible()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Data warehouse is set up")
    key = page.get_by_label("API key").input_value()
    assert key.startswith("rw_")
    expect(page.get_by_text(f"Authorization: Bearer {key}", exact=True)).to_be_visible()
    assert_accessible(page, phone=True)
    page.screenshot(path=str(SHOTS / "key-1280.png"), full_page=True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("The key has been shown")
    assert key not in page.content()

    client = ApiClient.objects.get(name="Data warehouse")
    waiting = _call(live_server, "/api/v1/schema/?format=json", key)
    assert waiting.status_code == 401 and "approval" in waiting.json()["detail"]
    _approve(client.pk)
    schema = _call(live_server, "/api/v1/schema/?format=json", key)
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")
    assert _call(live_server, "/api/v1/webhooks/", key).status_code == 200  # an API call, logged

    page.get_by_role("link", name="Go to Data warehouse").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Data warehouse")
    calls = page.locator("#calls + div table")
    expect(calls).to_contain_text("/api/v1/webhooks/")
    expect(page.locator("#history + div table")).to_contain_text("Approved")
    assert_accessible(page, phone=True)
    page.screenshot(path=str(SHOTS / "client-1280.png"), full_page=True)

    page.get_by_role("link", name="Rotate the key").click()
    expect(page.get_by_role("heading", name="Rotate the key")).to_be_visible()
    assert_accessible(page, phone=True)
    page.get_by_role("button", name="Rotate the key").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The new key for Data warehouse")
    new_key = page.get_by_label("API key").input_value()
    assert new_key != key
    assert_accessible(page, phone=True)
    assert _call(live_server, "/api/v1/schema/?format=json", key).status_code == 401
    _approve(client.pk)
    assert _call(live_server, "/api/v1/schema/?format=json", new_key).status_code == 200

    page.get_by_role("link", name="Go to Data warehouse").click()
    page.get_by_role("button", name="Revoke Data warehouse").click()
    expect(page.get_by_role("heading", name="Revoke Data warehouse")).to_be_visible()
    expect(page.get_by_text("This cannot be undone")).to_be_visible()
    assert_accessible(page, phone=True)
    page.get_by_role("button", name="Revoke the key").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("key is revoked")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Revoked")
    assert_accessible(page, phone=True)
    page.screenshot(path=str(SHOTS / "revoked-1280.png"), full_page=True)
    revoked = _call(live_server, "/api/v1/schema/?format=json", new_key)
    assert revoked.status_code == 401 and "revoked" in revoked.json()["detail"]

    page.get_by_role("link", name="Back to API clients").click()
    expect(page.locator("table")).to_contain_text("Revoked")
    assert_accessible(page, phone=True)
    page.screenshot(path=str(SHOTS / "list-1280.png"), full_page=True)
    assert not page.console_problems, page.console_problems


def _api_documentation_open(page, live_server, link: str) -> None:
    """Signed in as a system administrator at desktop width, follows the API clients page's link to the docs."""
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, user_with_role(Role.SYSTEM_ADMINISTRATOR).username)
    page.goto(f"{live_server.url}/staff/api-clients/")
    page.get_by_role("link", name=link).click()


def test_swagger_ui_renders_under_the_content_security_policy(page, live_server):
    _api_documentation_open(page, live_server, "API documentation: try the calls (Swagger UI)")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Rentwise API")
    expect(page.locator(".opblock").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "swagger.png"))
    assert not page.console_problems, page.console_problems


def test_redoc_renders_under_the_content_security_policy(page, live_server):
    _api_documentation_open(page, live_server, "API documentation: read the reference (Redoc)")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rentwise API")
    page.screenshot(path=str(SHOTS / "redoc.png"))
    # Redoc's "Powered by Redocly" logo is on their CDN: our policy refuses it, as it should (no CDN); nothing else.
    others = [p for p in page.console_problems if "cdn.redoc" not in p]
    assert not others, others
