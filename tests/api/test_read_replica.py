"""The API's reads go to the read replica when one is configured; the key is checked on the primary, and the call
log (a write) goes to the primary (incomeapp.replica)."""

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext

from tests.incomeapp.replica import queried
from tests.incomeapp.replica import replica as replica  # the fixture


@pytest.mark.django_db(transaction=True)
def test_the_api_reads_from_the_replica_after_checking_the_key_on_the_primary(api_client_for, replica):
    if replica.vendor != "postgresql":
        pytest.skip("SQLite locks the whole file: the call log written on one connection waits on the other's read")
    http = api_client_for("tenancies:read")
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(replica) as replicated,
    ):
        response = http.get("/api/v1/tenancies/")

    assert response.status_code == 200
    assert "tenancies_tenancy" in queried(replicated) and "tenancies_tenancy" not in queried(primary)
    assert "api_apiclient" in queried(primary) and "api_apiclient" not in queried(replicated)
    assert 'INSERT INTO "api_apicall"' in queried(primary)  # the call log: a write, to the primary
