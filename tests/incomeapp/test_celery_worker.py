"""A task travels through the real broker to a real worker process, which reaches the test database."""

import os
import signal
import subprocess
import sys
import uuid
from contextlib import contextmanager
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


@contextmanager
def _worker(queues: str):
    """A real worker process on `queues`, reaching the test database and sharing this process's media folder."""
    if not settings.CELERY_BROKER_URL:
        skip_or_fail("CELERY_BROKER_URL is not set, so there is no broker for a worker")
    name = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "incomeapp.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    command = [sys.executable, "-m", "celery", "-A", "incomeapp", "worker", "-Q", queues or name, "-n", f"{name}@%h"]
    command += ["--concurrency=1", "--without-gossip", "--without-mingle", "--loglevel=INFO"]
    worker = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield queues or name
    finally:
        celery_app.conf.task_always_eager = eager
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


@pytest.fixture
def celery_worker_process():
    """A worker on a queue of its own: tasks reach it only when sent there."""
    with _worker("") as queue:
        yield queue


@pytest.fixture
def default_queue_worker(settings, tmp_path):
    """A worker on the default queue, for commands that hand work to Celery as production does."""
    settings.MEDIA_ROOT = tmp_path
    with _worker(celery_app.conf.task_default_queue) as queue:
        yield queue


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_heartbeat_through_the_broker(celery_worker_process):
    result = worker_heartbeat.apply_async(queue=celery_worker_process)
    report = result.get(timeout=60)
    assert report["database"] == "ok"
    assert report["pid"] != os.getpid(), "the task ran in this process, not in the worker"
    assert result.status == "SUCCESS"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_generate_statements_hands_the_quarter_to_a_real_worker(default_queue_worker, capsys):
    """The command waits for the workers' chunks; the statements are made in the worker process, once."""
    import json
    from datetime import date
    from decimal import Decimal

    from django.core.management import call_command

    from documents.models import Document
    from rentaccounts.constants import TransactionType
    from rentaccounts.services import Posting, account_get_or_create, transactions_post
    from tests.factories import TenancyFactory

    for n in range(3):
        account = account_get_or_create(tenancy=TenancyFactory(payment_reference=f"RW71000{n}"))
        transactions_post(
            postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("100.00"), date(2026, 9, 21), f"r{n}")]
        )
    # Bounded: a lost task fails the test with the command's own message rather than holding the suite for an hour.
    call_command("generate_statements", "--period-end", "2026-09-27", "--json", "--timeout", "180")
    summary = json.loads(capsys.readouterr().out)
    assert (summary["accounts"], summary["made"], summary["to_print"]) == (3, 3, 3)
    assert Document.objects.filter(kind="statement", made_by_run="statements:2026-09-27").count() == 3
    assert all(document.pdf.read().startswith(b"%PDF") for document in Document.objects.all())


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
