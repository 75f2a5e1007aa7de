"""Names of the keys Rentwise keeps on Redis (the Celery broker) besides Celery's own: the API's per-client call
counts and the messaging rate limiter's schedule. Each name carries the database it counts for, so two
installations (or two test databases, one per pytest-xdist worker) sharing one Redis never count each other's calls
or pace each other's messages."""

from django.db import connection


def redis_key(*parts: object) -> str:
    return ":".join(("rentwise", str(connection.settings_dict["NAME"]), *(str(part) for part in parts)))
