"""A task travels through the real broker to a real worker process, which reaches the test database."""

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from incomeapp.celery import app as celery_app
from incomeapp.tasks import worker_heartbeat
from tests.conftest import skip_or_fail

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def celery_worker_process():
    if not settings.CELERY_BROKER_URL:
        skip_or_fail("CELERY_BROKER_URL is not set, so there is no broker for a worker")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "incomeapp.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    command = [sys.executable, "-m", "celery", "-A", "incomeapp", "worker", "-Q", queue, "-n", f"{queue}@%h"]
    command += ["--concurrency=1", "--without-gossip", "--without-mingle", "--loglevel=INFO"]
    worker = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield queue
    finally:
        celery_app.conf.task_always_eager = eager
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_heartbeat_through_the_broker(celery_worker_process):
    result = worker_heartbeat.apply_async(queue=celery_worker_process)
    report = result.get(timeout=60)
    assert report["database"] == "ok"
    assert report["pid"] != os.getpid(), "the task ran in this process, not in the worker"
    assert result.status == "SUCCESS"


def test_beat_schedule_lists_only_tasks_that_exist():
    celery_app.loader.import_default_modules()
    registered = set(celery_app.tasks)
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled, "the schedule is empty"
    assert scheduled <= registered, f"scheduled but not registered: {scheduled - registered}"


def test_celery_is_configured_for_safe_long_running_work():
    conf = celery_app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.result_serializer == "json"
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert conf.worker_max_tasks_per_child > 0
    assert conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
    assert conf.timezone == "Europe/London"
