"""The order tests run in: the long ones first, so the two pytest-xdist processes finish together.

pytest-randomly shuffles every test; this then puts the `long` tests and those with real Celery workers
(`celery_broker`) first and the browser journeys next, each group still in the shuffled order. `make test` hands
tests to its two processes as they ask for more (`--dist worksteal`), so with the long tests first the last ones
handed out are short, and neither process waits idle while the other finishes a long test that happened to come last.
"""

import pytest


@pytest.hookimpl(trylast=True)  # after pytest-randomly has shuffled them
def pytest_collection_modifyitems(items):
    items.sort(key=_first_the_long)


def _first_the_long(item) -> int:
    if item.get_closest_marker("long") or item.get_closest_marker("celery_broker"):
        return 0
    return 1 if item.get_closest_marker("browser") else 2
