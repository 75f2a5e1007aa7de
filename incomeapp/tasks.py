import logging
import os
import socket

from celery import shared_task

from .health import database_status

logger = logging.getLogger(__name__)


@shared_task
def worker_heartbeat() -> dict:
    """Proves a worker is alive and can reach the database; scheduled by beat and used by the worker test."""
    report = {"worker": socket.gethostname(), "pid": os.getpid(), "database": database_status()}
    logger.info("Worker heartbeat: %s", report)
    return report
