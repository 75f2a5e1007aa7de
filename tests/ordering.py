"""The order tests run in, so the pytest-xdist processes start at once and finish together.

pytest-randomly shuffles every test; this then sorts them, each group still in the shuffled order:

1. the tests that use no database (pytest-django refuses them one), which a process can run while the test databases'
   template is still being made (`make test` starts it alongside the linters, tests/databases.py);
2. the `long` tests and those with real Celery workers (`celery_broker`);
3. the browser journeys;
4. the rest.

`make test` hands out tests with `--dist worksteal`, which gives each process an equal contiguous share and then
lets an idle process take half of what another still has queued. So each share starts with its part of the tests
that use no database (no process waits for the template with nothing to do), the first share goes on with the long
tests and the journeys, and the shares end with short tests, so no process idles while another finishes a long test
that happened to come last.
"""

import pytest

_DATABASE_FIXTURE = "django_db_setup"  # every pytest-django fixture that reaches the database requests this one


@pytest.hookimpl(trylast=True)  # after pytest-randomly has shuffled them
def pytest_collection_modifyitems(config, items):
    items.sort(key=_group)
    processes = getattr(config, "workerinput", {}).get("workercount", 1)
    if processes > 1:
        items[:] = _shares(items, processes)


def _shares(items: list, processes: int) -> list:
    """The sorted tests laid out so that each process's share (worksteal's first, equal cut of the list) starts with
    its part of the tests that use no database; the rest keep their order across the shares."""
    free = [item for item in items if _group(item) == 0]
    others = items[len(free) :]
    laid_out, left = [], len(items)
    for share in range(processes):
        size = left // (processes - share)  # worksteal's cut: what is left, shared among the processes left
        mine = free[share::processes]
        taken = max(0, size - len(mine))
        laid_out += mine + others[:taken]
        others, left = others[taken:], left - size
    return laid_out + others


def _group(item) -> int:
    if not item.get_closest_marker("django_db") and _DATABASE_FIXTURE not in item.fixturenames:
        return 0
    if item.get_closest_marker("long") or item.get_closest_marker("celery_broker"):
        return 1
    return 2 if item.get_closest_marker("browser") else 3
