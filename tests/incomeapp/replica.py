"""The read replica in tests: its alias added for one test, on a second connection to the test database (the same rows,
as a hot standby has), so a test can see which connection each query used."""

import pytest
from django.db import DEFAULT_DB_ALIAS, connections

from incomeapp.replica import REPLICA


@pytest.fixture
def replica():
    """The replica's alias, added for this test (settings have none) and connected at once, since the test case allows
    new connections only to the databases it names."""
    primary = connections.databases[DEFAULT_DB_ALIAS]
    # A replica only reads: on SQLite its transactions must not take the write lock as the primary's do (settings).
    options = {key: value for key, value in primary["OPTIONS"].items() if key != "transaction_mode"}
    connections.databases[REPLICA] = {**primary, "OPTIONS": options}
    try:
        connections[REPLICA].connect()
        yield connections[REPLICA]
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.databases[REPLICA]


def queried(queries) -> str:
    """The SQL a CaptureQueriesContext saw, as one text to look for table names in."""
    return " ".join(query["sql"] for query in queries.captured_queries)
