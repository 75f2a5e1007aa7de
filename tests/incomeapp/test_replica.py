"""The optional read replica (DATABASE_REPLICA_URL): the dashboards, their CSV exports and the API's reads go to it;
who is asking is read from the primary; every write goes to the primary. Here the replica is a second connection to
the test database (the same rows, as a hot standby has), so the test can see which connection each query used."""

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext

from dashboards.models import KpiTarget
from dashboards.services import kpi_snapshot_take, last_sunday
from incomeapp.constants import Role
from incomeapp.replica import REPLICA, ReplicaRouter, replica_reads
from tests.factories import user_with_role
from tests.incomeapp.replica import queried
from tests.incomeapp.replica import replica as replica  # the fixture


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("path", "table"),
    [("/dashboards/", "dashboards_kpi"), ("/dashboards/export/tiles.csv", "dashboards_kpi")],
    ids=["dashboard", "export"],
)
def test_the_dashboards_read_from_the_replica_and_who_is_asking_from_the_primary(client, replica, path, table):
    kpi_snapshot_take(week_ending=last_sunday())
    client.force_login(user_with_role(Role.INCOME_MANAGER))
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(replica) as replicated,
    ):
        response = client.get(path)

    assert response.status_code == 200
    assert table in queried(replicated)
    assert table not in queried(primary)
    assert "django_session" in queried(primary) and "auth_permission" in queried(primary)
    assert "django_session" not in queried(replicated) and "auth_permission" not in queried(replicated)


@pytest.mark.django_db(transaction=True)
def test_a_row_read_from_the_replica_is_saved_to_the_primary(replica):
    KpiTarget.objects.create(kpi="collection_rate", target="98.50", set_by=user_with_role(Role.INCOME_MANAGER))
    with replica_reads():
        target = KpiTarget.objects.get()
    assert target._state.db == REPLICA
    target.target = "99.00"
    with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary, CaptureQueriesContext(replica) as replicated:
        target.save()
    assert "UPDATE" in queried(primary) and "UPDATE" not in queried(replicated)


def test_without_a_replica_everything_reads_the_primary_and_the_replica_is_never_migrated():
    router = ReplicaRouter()
    assert REPLICA not in connections.databases
    with replica_reads():
        assert router.db_for_read(KpiTarget) is None  # Django's default: the primary
    assert router.db_for_write(KpiTarget) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(REPLICA, "dashboards") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "dashboards") is True
