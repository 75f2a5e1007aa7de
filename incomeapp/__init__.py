"""Rentwise project wiring and shared core. The Celery app is exported so `celery -A incomeapp` finds it."""

from .celery import app as celery_app

__all__ = ("celery_app",)
