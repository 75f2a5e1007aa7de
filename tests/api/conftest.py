"""API test fixtures: `api_client_for(scopes)` sets up a client through the real service and returns a DRF test client
that sends its key, with `.client` (the ApiClient) and `.key`."""

import pytest
from rest_framework.test import APIClient

from incomeapp.constants import Role
from tests.factories import user_with_role


@pytest.fixture
def administrator(db):
    return user_with_role(Role.SYSTEM_ADMINISTRATOR)


@pytest.fixture
def income_manager(db):
    return user_with_role(Role.INCOME_MANAGER)


@pytest.fixture
def api_client_for(db, administrator, income_manager):
    """Set up by an administrator and approved by an Income Manager, as in production."""
    from api.services_clients import api_client_approve, api_client_create

    made = []

    def make(*scopes: str, name: str | None = None, rate_limit_per_minute: int = 600) -> APIClient:
        issued = api_client_create(
            by=administrator,
            name=name or f"System {len(made) + 1}",
            scopes=list(scopes),
            rate_limit_per_minute=rate_limit_per_minute,
        )
        api_client_approve(by=income_manager, client=issued.client)
        issued.client.refresh_from_db()
        http = APIClient()
        http.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.key}")
        http.client, http.key = issued.client, issued.key
        made.append(http)
        return http

    return make
