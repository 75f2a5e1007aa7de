"""The API's shared behaviour: keys, revoking, scopes, the call log, rate limits and problem details."""

import pytest

from api.models import ApiCall
from api.services_clients import api_client_revoke, api_client_rotate

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


def test_rotated_key_replaces_the_old_one(api_client_for, administrator):
    http = api_client_for("tenancies:read")
    issued = api_client_rotate(by=administrator, client=http.client)
    assert http.get("/api/v1/schema/?format=json").status_code == 401
    http.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.key}")
    assert http.get("/api/v1/schema/?format=json").status_code == 200


def test_service_user_cannot_sign_in(api_client_for):
    http = api_client_for("payments:write")
    user = http.client.user
    assert not user.has_usable_password()
    assert user.has_perm("rentaccounts.add_importbatch")
    assert not user.has_perm("incomeapp.view_sensitive_notes")
    assert ApiCall.objects.count() == 0
