"""The API's shared behaviour: keys, revoking, scopes, the call log, rate limits and problem details."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from api.models import ApiCall, ApiClient
from api.services_clients import (
    api_client_approve,
    api_client_change,
    api_client_create,
    api_client_refuse,
    api_client_revoke,
    api_client_rotate,
)
from incomeapp.constants import Role
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def test_no_key_is_401_problem(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["type"] == "urn:rentwise:problem:unauthorised"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_key_reads_the_schema_and_the_call_is_logged(api_client_for):
    http = api_client_for("tenancies:read")
    response = http.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_revoked_key_is_401(api_client_for, administrator):
    http = api_client_for("tenancies:read")
    api_client_revoke(by=administrator, client=http.client)
    response = http.get("/api/v1/schema/?format=json")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_rotated_key_replaces_the_old_one_once_approved(api_client_for, administrator, income_manager):
    http = api_client_for("tenancies:read")
    issued = api_client_rotate(by=administrator, client=http.client)
    assert http.get("/api/v1/schema/?format=json").status_code == 401  # the old key stops at once
    http.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.key}")
    waiting = http.get("/api/v1/schema/?format=json")
    assert waiting.status_code == 401
    assert "waiting for an Income Manager" in waiting.json()["detail"]
    api_client_approve(by=income_manager, client=issued.client)
    assert http.get("/api/v1/schema/?format=json").status_code == 200


def _bearer(key: str) -> APIClient:
    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return http


def test_a_new_client_waits_for_an_income_manager_never_its_asker(administrator, income_manager):
    issued = api_client_create(by=administrator, name="Housing management", scopes=["tenancies:read"])
    http = _bearer(issued.key)
    assert http.get("/api/v1/schema/?format=json").status_code == 401
    assert not issued.client.user.has_perm("tenancies.view_tenancy")
    second_admin = user_with_role(Role.SYSTEM_ADMINISTRATOR)
    with pytest.raises(PermissionDenied):
        api_client_approve(by=second_admin, client=issued.client)  # administrators see no tenant data
    both = user_with_role(Role.INCOME_MANAGER)
    both.groups.add(*administrator.groups.all())
    asked = api_client_create(by=both, name="CRM", scopes=["contacts:write"])
    with pytest.raises(PermissionDenied, match="someone else"):
        api_client_approve(by=both, client=asked.client)
    api_client_approve(by=income_manager, client=issued.client)
    assert http.get("/api/v1/schema/?format=json").status_code == 200
    client = ApiClient.objects.get(pk=issued.client.pk)
    assert client.scopes == ["tenancies:read"] and client.approved_by == income_manager
    client.user.refresh_from_db()
    assert ApiClient.objects.get(pk=issued.client.pk).user.has_perm("tenancies.view_tenancy")


def test_the_database_refuses_an_approval_by_the_asker(administrator):
    issued = api_client_create(by=administrator, name="Warehouse", scopes=["accounts:read"])
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiClient.objects.filter(pk=issued.client.pk).update(approved_by=administrator)


def test_added_scopes_wait_removed_scopes_go_at_once(api_client_for, administrator, income_manager):
    http = api_client_for("tenancies:read", "accounts:read")
    client = api_client_change(
        by=administrator, client=http.client, scopes=["tenancies:read", "payments:write"], rate_limit_per_minute=60
    )
    assert client.scopes == ["tenancies:read"]  # accounts:read went at once
    assert client.pending_scopes == ["payments:write", "tenancies:read"]
    user = ApiClient.objects.get(pk=client.pk).user
    assert not user.has_perm("rentaccounts.view_account") and not user.has_perm("rentaccounts.add_importbatch")
    api_client_approve(by=income_manager, client=client)
    user = ApiClient.objects.get(pk=client.pk).user
    assert user.has_perm("rentaccounts.add_importbatch")


def test_refusing_a_new_client_revokes_it_with_the_reason_kept(administrator, income_manager):
    issued = api_client_create(by=administrator, name="Old CRM", scopes=["contacts:write"])
    with pytest.raises(ValidationError):
        api_client_refuse(by=income_manager, client=issued.client, reason="")
    client = api_client_refuse(by=income_manager, client=issued.client, reason="We are replacing this CRM")
    assert client.is_revoked
    assert "We are replacing this CRM" in client.history.first().history_change_reason
    assert _bearer(issued.key).get("/api/v1/schema/?format=json").status_code == 401


def test_service_user_cannot_sign_in(api_client_for):
    http = api_client_for("payments:write")
    user = http.client.user
    assert not user.has_usable_password()
    assert user.has_perm("rentaccounts.add_importbatch")
    assert not user.has_perm("incomeapp.view_sensitive_notes")
    assert ApiCall.objects.count() == 0
