import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django must still allow database access there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["tests.ordering"]

IN_CI = bool(os.environ.get("CI"))
ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def skip_or_fail(reason: str) -> None:
    """Outside CI a missing service skips with its reason shown; in CI it is a failure, never a silent skip."""
    if IN_CI:
        pytest.fail(f"{reason} (CI must run this test)")
    pytest.skip(reason)


def pytest_configure(config):
    _flush_by_delete_on_postgresql()
    _live_server_answers_without_delay()


def _live_server_answers_without_delay() -> None:
    """The live server (browser tests, schemathesis) writes each answer's headers and body in separate small writes.
    With Nagle's algorithm on, the body then waits for the client to acknowledge the headers, which a client
    delaying its acknowledgement holds back about 40 ms: schemathesis's 2,000 requests took 89 s instead of 39 s.
    TCP_NODELAY on the server's sockets sends each write at once (gunicorn, in production, sets it itself)."""
    from django.test.testcases import QuietWSGIRequestHandler

    QuietWSGIRequestHandler.disable_nagle_algorithm = True


def _flush_by_delete_on_postgresql() -> None:
    """After each transactional test (and each browser test) Django flushes every table. On PostgreSQL it uses one
    TRUNCATE of all ~160 tables, which costs about 0.7 s however little the test wrote (each truncated table gets new
    files and its buffers are searched for); a DELETE of a table a test barely touched costs well under a millisecond.
    So the tests' flush deletes instead. The foreign keys Django makes are deferred, so the order does not matter;
    the charging-change record is emptied last because the rent run's triggers (rentaccounts/0010) add to it when
    charges are deleted. A flush that resets sequences keeps Django's TRUNCATE."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        last = "rentaccounts_chargingchange"
        ordered = sorted(tables, key=lambda table: table == last)
        return [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};" for table in ordered]

    DatabaseOperations.sql_flush = sql_flush


if ON_POSTGRESQL:
    # Each test database is a copy of one migrated template (tests/databases.py); Django finds it made and migrated.

    @pytest.fixture(scope="session")
    def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, django_db_blocker):
        from django.conf import settings

        from tests.databases import test_database_from_template

        database = settings.DATABASES["default"]
        with django_db_blocker.unblock():
            test_database_from_template(database.get("TEST", {}).get("NAME") or f"test_{database['NAME']}")

    @pytest.fixture(scope="session")
    def django_db_keepdb():
        return True

    @pytest.fixture(scope="session")
    def django_db_createdb():
        return False


@pytest.fixture
def law(db):
    """The shipped legal thresholds, notice rules and complaint handling rules (data migrations add them; a
    transactional test's flush removes them)."""
    from complaints.handling_code import complaint_rules_install
    from courts.law import notice_rules_install
    from courts.prescribed import prescribed_forms_install
    from incomeapp.law import law_thresholds_install

    law_thresholds_install()
    notice_rules_install()
    prescribed_forms_install()
    complaint_rules_install()


def _signed_in(client, role_name: str):
    """The test client signed in as a new user with the role named (a member of `incomeapp.constants.Role`)."""
    from incomeapp.constants import Role
    from tests.factories import user_with_role

    client.force_login(user_with_role(Role[role_name]))
    return client


@pytest.fixture
def officer_client(client):
    """Signed in as an Income Officer (a module or folder may define its own)."""
    return _signed_in(client, "INCOME_OFFICER")


@pytest.fixture
def manager_client(client):
    """Signed in as an Income Manager (a module or folder may define its own)."""
    return _signed_in(client, "INCOME_MANAGER")


@pytest.hookimpl(tryfirst=True)  # before `-m` selects by it
def pytest_collection_modifyitems(config, items):
    """Tests that run real Celery workers share their process's queue (a test purges it; the default queue's worker
    takes any task sent there; each pytest-xdist process has a queue of its own, incomeapp/settings/test.py). Every
    test in a module with such a test is marked `celery_broker`, so they can be run on their own
    (`pytest -m celery_broker`); `make test` starts them first (tests/ordering.py)."""
    broker_modules = {item.module for item in items if item.get_closest_marker("worker")}
    for item in items:
        if item.module in broker_modules:
            item.add_marker(pytest.mark.celery_broker)
