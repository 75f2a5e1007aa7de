"""Helpers for the tests of work that dies: real Celery worker processes (each its own process group, so a test can
kill one outright), a letter queued by the real review whose hand-off to Celery was lost, and waiting on PostgreSQL."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from incomeapp.celery import app as celery_app
from tests.conftest import skip_or_fail

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The test database, for a worker process: PostgreSQL's, or SQLite's file (which the workers share)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 90) -> None:
    """Polls until `condition` holds (a safety limit, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Gave up waiting: {what}")
        time.sleep(0.05)


class Worker:
    def __init__(self, process: subprocess.Popen, name: str):
        self.process, self.name = process, name

    def kill(self) -> None:
        """SIGKILL to the worker and its pool processes: nothing is cleaned up, as when a machine dies."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


def worker_process_start(name: str, env: dict[str, str], *, queue: str | None = None) -> Worker:
    """One real Celery worker process (one task at a time, in its own process group) consuming `queue`, or the default
    queue unless given."""
    command = [sys.executable, "-m", "celery", "-A", "incomeapp", "worker", "-n", name]
    command += ["-Q", queue] if queue else []
    command += ["--concurrency=1", "--without-gossip", "--without-mingle", "--loglevel=WARNING"]
    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    return Worker(process, name)


@contextmanager
def workers(count: int, *, queue: str | None = None, outbox: Path, media: Path):
    """`count` real worker processes (one task at a time each) consuming `queue` (a queue of their own by default),
    on the test database, writing documents to `media` and emails to `outbox`. Yields (queue, [Worker])."""
    if not settings.CELERY_BROKER_URL:
        skip_or_fail("CELERY_BROKER_URL is not set, so there is no broker for a worker")
    if connection.vendor != "postgresql":
        pytest.skip("these tests race two database sessions, which needs PostgreSQL")
    queue = queue or f"test-{uuid.uuid4().hex[:8]}"
    outbox.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.documents.worker_settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "DJANGO_MEDIA_ROOT": str(media),
        "RENTWISE_TEST_OUTBOX": str(outbox),
    }
    started = []
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        for _ in range(count):
            started.append(worker_process_start(f"{queue}-{uuid.uuid4().hex[:6]}@test", env, queue=queue))
        names = [worker.name for worker in started]
        wait_for(
            lambda: len(celery_app.control.ping(destination=names, timeout=1.0)) == len(names),
            "the workers to answer",
        )
        yield queue, started
    finally:
        celery_app.conf.task_always_eager = eager
        for worker in started:
            if worker.process.poll() is None:
                os.killpg(worker.process.pid, signal.SIGTERM)
                try:
                    worker.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()


def emails_in(outbox: Path) -> list[str]:
    """The messages the workers sent (the file backend writes each connection's messages to one file)."""
    separator = "-" * 79
    return [
        message
        for path in sorted(outbox.glob("*.log"))
        for message in path.read_text().split(separator)
        if "Subject:" in message
    ]


def stored_pdfs(media: Path) -> list[Path]:
    return sorted((media / "documents").rglob("*.pdf"))


def backends_waiting_for_a_lock() -> int:
    """Other sessions on this database waiting for a lock (a worker blocked mid-work)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
               WHERE NOT l.granted AND a.datname = current_database() AND a.pid <> pg_backend_pid()"""
        )
        return cursor.fetchone()[0]


def other_backends() -> set[int]:
    """The process ids of the other sessions on this database. A test compares them before and after it starts a
    worker: a killed worker's session ends once PostgreSQL notices it is gone, while sessions an earlier test left open
    (in any order of tests) are not the worker's."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {pid for (pid,) in cursor.fetchall()}


@contextmanager
def hand_off_lost(refused: bool = False):
    """The review's hand-off of its letters to Celery is lost (the process died just after the chunk committed, or the
    broker dropped the message), or with `refused` the broker refuses it: the letters are recorded as queued and
    nothing renders them."""
    from arrears.tasks import render_letters

    def lost(*args, **kwargs):
        if refused:
            raise ConnectionError("Error 111 connecting to the broker. Connection refused.")

    render_letters.delay = lost
    try:
        yield
    finally:
        del render_letters.delay


def letter_queued(*, email: bool = True, reference: str = "RW440001", refused: bool = False):
    """A tenancy owing £250 whose reminder the real review has queued (a call was tried first), with its render never
    started (the hand-off was lost, or refused by the broker). The tenant chose email when `email`, else post."""
    from arrears.constants import ContactKind, ContactOutcome
    from arrears.models import ArrearsCase, Contact, LetterRequest
    from arrears.review import review_run
    from arrears.services import policies_install_shipped
    from documents.services import templates_install_shipped
    from rentaccounts.constants import TransactionType
    from rentaccounts.services import Posting, account_get_or_create, transactions_post
    from tenancies.constants import ContactChannel
    from tests.factories import PersonFactory, TenancyFactory

    policies_install_shipped()
    templates_install_shipped()
    person = (
        PersonFactory(
            first_name="Ada", last_name="Email", preferred_contact=ContactChannel.EMAIL, email="ada@example.org"
        )
        if email
        else PersonFactory(first_name="Bo", last_name="Post")
    )
    tenancy = TenancyFactory(payment_reference=reference, lead_tenant=person)
    account = account_get_or_create(tenancy=tenancy)
    today = timezone.localdate()
    transactions_post(
        postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("250.00"), today - timedelta(days=9), "d")]
    )
    case = ArrearsCase.objects.create(account=account, opened_on=today)
    Contact.objects.create(case=case, kind=ContactKind.CALL, outcome=ContactOutcome.NO_ANSWER, occurred_on=today)
    with hand_off_lost(refused=refused):
        review_run(as_of=today)
    return LetterRequest.objects.select_related("contact").get(case=case)


def age(request, minutes: int) -> None:
    """As if the letter had been queued `minutes` ago."""
    from arrears.models import LetterRequest

    LetterRequest.objects.filter(pk=request.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))
