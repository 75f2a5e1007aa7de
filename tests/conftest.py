import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django must still allow database access there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

IN_CI = bool(os.environ.get("CI"))


def skip_or_fail(reason: str) -> None:
    """Outside CI a missing service skips with its reason shown; in CI it is a failure, never a silent skip."""
    if IN_CI:
        pytest.fail(f"{reason} (CI must run this test)")
    pytest.skip(reason)


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


@pytest.hookimpl(tryfirst=True)  # before `-m` selects by it
def pytest_collection_modifyitems(config, items):
    """Tests that run real Celery workers share the broker's queues (a test purges them; the default queue's worker
    takes any task sent there). Every test in a module with such a test is marked `celery_broker`: `make test` runs
    the rest in two pytest-xdist processes, then these on their own in one process."""
    broker_modules = {item.module for item in items if item.get_closest_marker("worker")}
    for item in items:
        if item.module in broker_modules:
            item.add_marker(pytest.mark.celery_broker)
