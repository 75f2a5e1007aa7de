"""Reads from a read replica, when one is configured (`DATABASE_REPLICA_URL`): the dashboards, their CSV exports and
the API's reads, which read much and write nothing, go to the replica so the primary keeps its time for the ledger,
the review and the officers' pages.

Only code inside `replica_reads()` (or a view wrapped in `reads_from_replica`) reads from it; everything else reads and
every write goes to the primary, so a page that has just saved something always sees it. Who is asking (the signed-in
user and their permissions, an API key) is read from the primary before the replica is used, so a revoked permission
or key is never honoured from a replica that is a few seconds behind. Without a replica all of this reads the primary.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)


@contextmanager
def replica_reads():
    """Reads inside this block go to the replica (if one is configured)."""
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


def reads_from_replica(view):
    """A view whose GET (or HEAD) reads from the replica, after the user and their permissions are read from the
    primary. Put it nearest the view, under the permission decorators."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        request.user.get_all_permissions()  # loaded (and cached on the user) from the primary
        with replica_reads():
            return view(request, *args, **kwargs)

    return wrapped


class ReplicaRouter:
    """Django's database router: reads inside `replica_reads()` go to the replica when it is configured; all writes
    and migrations go to the primary."""

    def db_for_read(self, model, **hints):
        if _reading_from_replica.get() and REPLICA in connections.databases:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS  # also for a row read from the replica

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA  # the replica copies the primary's tables; it is never migrated itself
