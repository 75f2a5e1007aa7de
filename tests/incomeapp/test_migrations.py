"""What the squashed migrations make beyond the models' tables (docs/architecture.md, "Migrations"): the law's rows as
shipped, and on PostgreSQL the spare room in each page of the two tables rewritten most often. Read from the migrated
template itself (PostgreSQL), since a transactional test's flush empties the law's tables in a test database."""

import pytest
from django.db import connection

from complaints.handling_code import COMPLAINT_HANDLING_RULES
from courts.law import NOTICE_RULES
from courts.prescribed import PRESCRIBED_FORMS
from incomeapp.law import LAW_THRESHOLDS
from privacy.schedule import SHIPPED_RULES
from tests.databases import TEMPLATE_LOCK, migrations_fingerprint, server_cursor

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(db):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's test database is made by pytest-django; the template is PostgreSQL's")
    with server_cursor() as server:
        # Held while the template is read: no test database can be copied from it meanwhile (a copy needs it alone).
        server.execute("SELECT pg_advisory_lock(%s)", [TEMPLATE_LOCK])
        server.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [f"test_%_t{migrations_fingerprint()}"])
        with server_cursor(server.fetchone()[0]) as cursor:
            yield cursor
        server.execute("SELECT pg_advisory_unlock(%s)", [TEMPLATE_LOCK])


def test_the_migrations_install_every_shipped_law_row(template):
    counts = {}
    for table in (
        "incomeapp_lawthreshold",
        "courts_noticerule",
        "courts_prescribedform",
        "complaints_complainthandlingrule",
        "privacy_retentionrule",
    ):
        template.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (the table names above)
        counts[table] = template.fetchone()[0]
    assert counts == {
        "incomeapp_lawthreshold": len(LAW_THRESHOLDS),
        "courts_noticerule": len(NOTICE_RULES),
        "courts_prescribedform": len(PRESCRIBED_FORMS),
        "complaints_complainthandlingrule": len(COMPLAINT_HANDLING_RULES),
        "privacy_retentionrule": len(SHIPPED_RULES),
    }


def test_accounts_and_cases_leave_room_in_each_page(template):
    template.execute(
        "SELECT relname, reloptions FROM pg_class WHERE relname IN ('rentaccounts_account', 'arrears_arrearscase')"
    )
    assert dict(template.fetchall()) == {
        "rentaccounts_account": ["fillfactor=70"],
        "arrears_arrearscase": ["fillfactor=70"],
    }
