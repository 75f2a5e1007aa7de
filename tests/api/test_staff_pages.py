"""The administrators' pages for API clients: who may open them, the key shown once, rotating, revoking, an Income
Manager's approval, and the call log."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import ApiCall, ApiClient
from api.services_clients import api_client_approve, api_client_create
from incomeapp.constants import Role
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

SCHEMA = "/api/v1/schema/?format=json"
LOGGED = "/api/v1/webhooks/"  # the schema is not in the call log; an API view is
KEY = re.compile(r"rw_[0-9a-f]{12}_[A-Za-z0-9_-]{20,}")


def _pages(client_pk: int) -> list[tuple[str, str]]:
    """(method, url) of every page."""
    return [
        ("get", reverse("api_clients")),
        ("get", reverse("api_client_new")),
        ("post", reverse("api_client_new")),
        ("get", reverse("api_client", kwargs={"pk": client_pk})),
        ("get", reverse("api_client_key", kwargs={"pk": client_pk})),
        ("get", reverse("api_client_change", kwargs={"pk": client_pk})),
        ("post", reverse("api_client_change", kwargs={"pk": client_pk})),
        ("get", reverse("api_client_rotate", kwargs={"pk": client_pk})),
        ("post", reverse("api_client_rotate", kwargs={"pk": client_pk})),
        ("get", reverse("api_client_revoke", kwargs={"pk": client_pk})),
        ("post", reverse("api_client_revoke", kwargs={"pk": client_pk})),
        ("post", reverse("api_client_approve", kwargs={"pk": client_pk})),
        ("post", reverse("api_client_refuse", kwargs={"pk": client_pk})),
    ]


def _keys(response) -> set[str]:
    return set(KEY.findall(response.content.decode()))


def _set_up(http, name="Housing management", scopes=("tenancies:read", "accounts:read"), rate="600"):
    return http.post(
        reverse("api_client_new"), {"name": name, "scopes": list(scopes), "rate_limit_per_minute": rate}, follow=True
    )


@pytest.fixture
def admin_http(client, administrator):
    client.force_login(administrator)
    return client


def _approve(client_pk):
    api_client_approve(by=user_with_role(Role.INCOME_MANAGER), client=ApiClient.objects.get(pk=client_pk))


def test_an_income_officer_is_refused_every_page(client, administrator):
    made = api_client_create(by=administrator, name="CRM", scopes=["contacts:write"]).client
    client.force_login(user_with_role(Role.INCOME_OFFICER))
    for method, url in _pages(made.pk):
        response = getattr(client, method)(url, {"name": "x", "scopes": ["tenancies:read"], "rate_limit_per_minute": 5})
        assert response.status_code == 403, f"{method} {url} answered {response.status_code}"
    made.refresh_from_db()
    assert made.waiting == "new" and not made.is_revoked and made.scopes == []
    assert ApiClient.objects.count() == 1


def test_an_administrator_sets_up_a_client_and_sees_the_key_once(admin_http):
    response = _set_up(admin_http)
    assert response.status_code == 200
    made = ApiClient.objects.get(name="Housing management")
    assert response.redirect_chain[-1][0] == reverse("api_client_key", kwargs={"pk": made.pk})
    html = response.content.decode()
    assert "Copy it now: it will not be shown again" in html
    assert "Housing management is set up" in html  # the success banner
    (key,) = _keys(response)
    assert f"Authorization: Bearer {key}" in html
    assert key.startswith(f"rw_{made.key_prefix}_")
    # Never kept: not in the session, not on a reload, not on the client's page.
    assert not any(key in str(value) for value in admin_http.session.values())
    again = admin_http.get(reverse("api_client_key", kwargs={"pk": made.pk}))
    assert again.status_code == 200 and not _keys(again)
    assert "The key has been shown" in again.content.decode()
    assert "no-store" in again["Cache-Control"]
    assert not _keys(admin_http.get(reverse("api_client", kwargs={"pk": made.pk})))
    # It waits for an Income Manager, then works.
    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    refused = http.get(SCHEMA)
    assert refused.status_code == 401 and "approval" in refused.json()["detail"]
    _approve(made.pk)
    assert http.get(SCHEMA).status_code == 200
    made.refresh_from_db()
    assert made.scopes == ["accounts:read", "tenancies:read"] and made.rate_limit_per_minute == 600


def test_the_list_shows_each_client_with_its_scopes_state_and_calls(admin_http, api_client_for):
    http = api_client_for("tenancies:read", "webhooks", name="Data warehouse")
    assert http.get(LOGGED).status_code == 200
    assert http.get(LOGGED).status_code == 200
    response = admin_http.get(reverse("api_clients"))
    html = response.content.decode()
    assert "Data warehouse" in html
    assert "Read tenancies, their named tenants and charges" in html
    assert "Active" in html
    row = html.split("Data warehouse", 1)[1].split("</tr>", 1)[0]
    assert re.search(r"numeric\">\s*2\s*</td>", row), row  # two calls in the last 24 hours
    assert "Set up a client" in html


def test_a_bad_form_says_what_is_wrong_and_sets_up_nothing(admin_http, administrator):
    api_client_create(by=administrator, name="CRM", scopes=["contacts:write"])
    response = _set_up(admin_http, name="crm", scopes=(), rate="0")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose at least one thing the client may do" in html
    assert "Enter a rate limit of 1 or more calls a minute" in html
    response = _set_up(admin_http, name="crm")
    assert "There is already a client called crm" in response.content.decode()
    assert ApiClient.objects.count() == 1


def test_the_sensitive_scope_carries_a_warning(admin_http):
    html = admin_http.get(reverse("api_client_new")).content.decode()
    assert "vulnerability and health notes and Breathing Space details" in html
    assert "Warning: this shows the client" in html


def test_rotate_shows_a_new_key_and_the_old_one_stops_working(admin_http, api_client_for):
    http = api_client_for("tenancies:read")
    assert http.get(SCHEMA).status_code == 200
    url = reverse("api_client_rotate", kwargs={"pk": http.client.pk})
    assert "stops working at once" in admin_http.get(url).content.decode()
    response = admin_http.post(url, follow=True)
    (new_key,) = _keys(response)
    assert new_key != http.key
    assert "has a new key" in response.content.decode()
    assert http.get(SCHEMA).status_code == 401  # the old key
    assert not _keys(admin_http.get(reverse("api_client_key", kwargs={"pk": http.client.pk})))
    _approve(http.client.pk)
    fresh = APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Bearer {new_key}")
    assert fresh.get(SCHEMA).status_code == 200


def test_revoke_asks_first_then_the_key_stops_for_good(admin_http, api_client_for):
    http = api_client_for("tenancies:read", name="Payments provider")
    url = reverse("api_client_revoke", kwargs={"pk": http.client.pk})
    confirm = admin_http.get(url)
    assert "This cannot be undone" in confirm.content.decode()
    http.client.refresh_from_db()
    assert not http.client.is_revoked  # asking is not doing
    response = admin_http.post(url, follow=True)
    assert "key is revoked" in response.content.decode()
    assert "Revoked" in response.content.decode()
    assert http.get(SCHEMA).status_code == 401
    assert "revoked" in http.get(SCHEMA).json()["detail"]
    # Nothing more to do: no rotate, no change.
    assert admin_http.post(reverse("api_client_rotate", kwargs={"pk": http.client.pk})).status_code == 302
    http.client.refresh_from_db()
    assert http.client.is_revoked


def test_the_call_log_lists_a_call_made_with_the_key(admin_http, api_client_for):
    http = api_client_for("webhooks", name="CRM")
    assert http.get(SCHEMA).status_code == 200
    assert http.get(LOGGED + "?limit=5").status_code == 200
    call = ApiCall.objects.get(client=http.client)
    html = admin_http.get(reverse("api_client", kwargs={"pk": http.client.pk})).content.decode()
    calls = html.split('id="calls"', 1)[1].split('id="webhooks"', 1)[0]
    assert "/api/v1/webhooks/?limit=5" in calls
    assert "GET" in calls and ">200<" in calls.replace(" ", "").replace("\n", "")
    assert str(call.milliseconds) in calls


def test_change_scopes_and_limit_removes_at_once_and_adds_after_approval(admin_http, api_client_for):
    http = api_client_for("tenancies:read", "accounts:read", name="HMS")
    url = reverse("api_client_change", kwargs={"pk": http.client.pk})
    response = admin_http.post(
        url, {"scopes": ["tenancies:read", "cases:read"], "rate_limit_per_minute": "60"}, follow=True
    )
    assert "scopes and rate limit are saved" in response.content.decode()
    made = ApiClient.objects.get(pk=http.client.pk)
    assert made.scopes == ["tenancies:read"] and made.pending_scopes == ["cases:read", "tenancies:read"]
    assert made.rate_limit_per_minute == 60
    html = admin_http.get(reverse("api_client", kwargs={"pk": made.pk})).content.decode()
    history = html.split('id="history"', 1)[1]
    assert "Rate limit: 600 a minute → 60 a minute" in history


def test_an_income_manager_approves_or_refuses_from_the_client_page(client, administrator):
    made = api_client_create(by=administrator, name="Warehouse", scopes=["accounts:read"]).client
    manager = user_with_role(Role.INCOME_MANAGER)
    client.force_login(manager)
    html = client.get(reverse("api_client", kwargs={"pk": made.pk})).content.decode()
    assert "Approve or refuse" in html
    assert 'id="calls"' not in html  # the call log is the administrators'
    empty = client.post(reverse("api_client_refuse", kwargs={"pk": made.pk}), {"reason": ""})
    assert "Give the reason for refusing" in empty.content.decode()
    response = client.post(reverse("api_client_approve", kwargs={"pk": made.pk}), follow=True)
    assert "Approved" in response.content.decode()
    made.refresh_from_db()
    assert made.scopes == ["accounts:read"] and made.approved_by == manager and not made.waiting


def test_the_administrator_who_asked_cannot_approve(client, administrator):
    made = api_client_create(by=administrator, name="Warehouse", scopes=["accounts:read"]).client
    administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    response = client.post(reverse("api_client_approve", kwargs={"pk": made.pk}), follow=True)
    assert "someone else must approve it" in response.content.decode()
    made.refresh_from_db()
    assert made.waiting == "new"
