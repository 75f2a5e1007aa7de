"""Per-client rate limits: a fixed one-minute window counted on Redis (the Celery broker), so every web process shares
it; within the process when there is no Redis."""

import logging
import threading
import time

from django.conf import settings
from redis import Redis, RedisError
from rest_framework.throttling import BaseThrottle

from incomeapp.redis_keys import redis_key

logger = logging.getLogger(__name__)
_local: dict[tuple[int, int], int] = {}
_local_lock = threading.Lock()
_redis: list = []


def _connection() -> Redis | None:
    if not _redis:
        url = settings.CELERY_BROKER_URL
        _redis.append(Redis.from_url(url, socket_timeout=2) if url.startswith(("redis://", "rediss://")) else None)
    return _redis[0]


def calls_this_minute(client_id: int, window: int) -> int:
    """Counts this call in the client's window and returns the count so far."""
    redis = _connection()
    if redis is not None:
        key = redis_key("api", "calls", client_id, window)
        try:
            with redis.pipeline() as pipe:
                count, _ = pipe.incr(key).expire(key, 120).execute()
            return int(count)
        except (RedisError, OSError):
            logger.warning("The shared API rate limit is unreachable; counting in this process.")
    with _local_lock:
        _local[(client_id, window)] = _local.get((client_id, window), 0) + 1
        return _local[(client_id, window)]


class ClientRateThrottle(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        client = request.auth
        if client is None or not hasattr(client, "rate_limit_per_minute"):
            return True
        now = time.time()
        window = int(now // 60)
        self._wait = 60 - (now % 60)
        return calls_this_minute(client.pk, window) <= client.rate_limit_per_minute

    def wait(self) -> float:
        return self._wait
