"""What /healthz and the worker heartbeat report: can we reach the database and the broker."""

import logging

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)

OK = "ok"
UNAVAILABLE = "unavailable"
NOT_CONFIGURED = "not configured"


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Health check: the database did not answer")
        return UNAVAILABLE
    return OK


def broker_status() -> str:
    if not settings.CELERY_BROKER_URL:
        return NOT_CONFIGURED
    from incomeapp.celery import app

    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as broker:
            broker.ensure_connection(max_retries=1, timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT)
    except Exception:
        logger.exception("Health check: the broker did not answer")
        return UNAVAILABLE
    return OK
