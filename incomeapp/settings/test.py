"""Test settings: the database comes from DATABASE_URL (PostgreSQL in CI) or a SQLite file."""

import os
from pathlib import Path

os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-for-the-pytest-suite-0123456789abcdef")
# Each pytest-xdist process sends tasks to a queue of its own, and the real workers its tests start (which inherit this
# environment) take from it, so two processes' worker tests never take or purge each other's tasks. Set, not
# defaulted: the processes inherit the environment of the pytest process that started them, which has read this too.
os.environ["CELERY_TASK_DEFAULT_QUEUE"] = f"rentwise-tests-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"

from .base import *  # noqa: F403
from .base import env

ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# A file, not memory, so the live server thread, a Celery worker process and the tests share one test database.
# Beside the database file, so two checkouts (or two DATABASE_URLs) never share a test database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    _database_file = Path(DATABASES["default"]["NAME"])  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(_database_file.with_name(f"test_{_database_file.name}"))}  # noqa: F405

# Documents the tests write go to a folder of their own, one per pytest-xdist worker (never the demo's var/media); a
# Celery worker a test starts is told the folder through DJANGO_MEDIA_ROOT.
if "DJANGO_MEDIA_ROOT" not in os.environ:
    MEDIA_ROOT = VAR_DIR / "test-media" / os.environ.get("PYTEST_XDIST_WORKER", "main")  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Unit tests run tasks in-process; the worker test (tests/incomeapp/test_celery_worker.py) sends to the real broker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
