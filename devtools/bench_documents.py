"""Benchmarks of issue 5 (letters and statements), used by `manage.py bench`: one letter in this process; batches of
letters and the quarterly statements through real Celery worker processes (one, then two); a worker's memory across a
long letter run. Workers are started here on the benchmark database and a Redis queue of their own."""

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from arrears.constants import LETTER_BATCH, CaseStatus, ContactKind, ContactOutcome
from arrears.models import ArrearsCase, Contact, LetterRequest
from arrears.selectors import case_letter_preview
from arrears.tasks import render_letters
from devtools.bench_rows import one_run_row, p95, timings_row
from documents.models import Document
from documents.services import letter_make, template_version_current, templates_install_shipped
from incomeapp.celery import app as celery_app
from rentaccounts.services.statement_run import CHUNK, statement_run_accounts
from rentaccounts.tasks import make_statements

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BENCH_BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/13")


def _database_url() -> str:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


@contextmanager
def celery_workers(processes: int, media_root: str):
    """A real worker (prefork, `processes` children) on the benchmark database, and this process sending to it."""
    queue = f"bench-{os.getpid()}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": BENCH_BROKER,
        "CELERY_RESULT_BACKEND": BENCH_BROKER,
        "DJANGO_MEDIA_ROOT": media_root,
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "celery", "-A", "incomeapp", "worker", "-Q", queue, "-n", f"{queue}@%h"]
    command += [f"--concurrency={processes}", "--without-gossip", "--without-mingle", "--loglevel=WARNING"]
    worker = subprocess.Popen(  # noqa: S603 (our own command line)
        command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    saved = {key: celery_app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    celery_app.conf.update(broker_url=BENCH_BROKER, result_backend=BENCH_BROKER, task_always_eager=False)
    settings.MEDIA_ROOT = media_root
    try:
        deadline = time.monotonic() + 60
        while len(_children(worker.pid)) < processes and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)  # the children import Django and connect
        yield worker.pid, queue
    finally:
        celery_app.conf.update(saved)
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


def _open_cases(count: int) -> list[tuple[int, int]]:
    """Open cases with their latest recommendation, which a letter request names."""
    return list(
        ArrearsCase.objects.filter(status=CaseStatus.OPEN, latest_recommendation__isnull=False)
        .order_by("id")
        .values_list("id", "latest_recommendation_id")[:count]
    )


def _queue_letters(cases: list[tuple[int, int]], week: date) -> list[int]:
    """Letter requests as the review queues them (a queued contact each), in a week of their own so every run of the
    benchmark renders new letters."""
    contacts = Contact.objects.bulk_create(
        [
            Contact(
                case_id=case_id,
                kind=ContactKind.LETTER,
                code="reminder_1",
                outcome=ContactOutcome.QUEUED,
                occurred_on=week,
                notes="benchmark",
            )
            for case_id, _ in cases
        ]
    )
    requests = LetterRequest.objects.bulk_create(
        [
            LetterRequest(
                case_id=case_id,
                letter="reminder_1",
                week_commencing=week,
                contact=contact,
                recommendation_id=recommendation_id,
            )
            for (case_id, recommendation_id), contact in zip(cases, contacts, strict=True)
        ]
    )
    return [request.pk for request in requests]


def _fresh_week() -> date:
    latest = LetterRequest.objects.order_by("-week_commencing").values_list("week_commencing", flat=True).first()
    base = max(latest or timezone.localdate(), timezone.localdate())
    return base + timedelta(days=7 - base.weekday())


def one_letter(samples: int) -> dict:
    templates_install_shipped()
    case = ArrearsCase.objects.filter(status=CaseStatus.OPEN).select_related("account__tenancy").first()
    values, recipient, landlord = case_letter_preview(case.account.tenancy.payment_reference)
    version = template_version_current("reminder_1")
    times, pages = [], []
    with tempfile.TemporaryDirectory() as media:
        settings.MEDIA_ROOT = media
        for n in range(samples + 3):
            started = time.perf_counter()
            document = letter_make(
                version=version,
                values=values,
                landlord=landlord,
                recipient=recipient,
                reference=case.account.tenancy.payment_reference,
                subject_key=f"bench:one:{time.time_ns()}",
                made_by_run="bench:one-letter",
            )
            if n >= 3:  # the first few load fonts and templates
                times.append(time.perf_counter() - started)
                pages.append(document.pages)
    Document.objects.filter(made_by_run="bench:one-letter").delete()
    return timings_row(
        f"one letter, in process ({samples} letters, {max(pages)} page)",
        times,
        throughput=f"p95 {p95(times) * 1000:.0f} ms, {1 / statistics.median(times):.1f} letters/s",
        target=">= 7 letters/s per process, p95 <= 250 ms",
        ms=True,
    )


def _letter_run(processes: int, letters: int, sample_memory: bool = False) -> tuple[float, int, dict]:
    """Queues `letters` requests and times the workers rendering them in Celery batches of 25."""
    templates_install_shipped()
    cases = _open_cases(letters)
    if not cases:
        raise RuntimeError("The benchmark needs open arrears cases; the dataset has none.")
    ids, week = [], _fresh_week()
    while len(ids) < letters:  # more letters than cases: the same cases again, a week later each round
        ids += _queue_letters(cases[: letters - len(ids)], week)
        week += timedelta(days=7)
    label = f"bench:letters:{processes}:{time.time_ns()}"
    memory = {"start_kib": 0, "peak_kib": 0, "end_kib": 0, "children_seen": 0}
    with tempfile.TemporaryDirectory() as media, celery_workers(processes, media) as (pid, queue):
        seen: set[int] = set()
        memory["start_kib"] = max((_rss_kib(child) for child in _children(pid)), default=0)
        done = threading.Event()

        def watch():
            while not done.is_set():
                for child in _children(pid):
                    seen.add(child)
                    memory["peak_kib"] = max(memory["peak_kib"], _rss_kib(child))
                time.sleep(0.5)

        watcher = threading.Thread(target=watch, daemon=True)
        if sample_memory:
            watcher.start()
        started = time.perf_counter()
        results = [
            render_letters.apply_async(
                kwargs={"request_ids": ids[i : i + LETTER_BATCH], "run_label": label}, queue=queue
            )
            for i in range(0, len(ids), LETTER_BATCH)
        ]
        for result in results:
            result.get(timeout=3600)
        elapsed = time.perf_counter() - started
        done.set()
        memory["end_kib"] = max((_rss_kib(child) for child in _children(pid)), default=0)
        memory["children_seen"] = len(seen)
    made = Document.objects.filter(made_by_run=label).count()
    Document.objects.filter(made_by_run=label).delete()
    return elapsed, made, memory


def letter_batches(letters: int) -> list[dict]:
    one, made_one, _ = _letter_run(1, letters)
    two, made_two, _ = _letter_run(2, letters)
    rate_one, rate_two = made_one / one, made_two / two
    return [
        one_run_row(
            f"batch of {letters:,} letters, 1 worker process",
            one,
            throughput=f"{rate_one:.1f} letters/s",
            target=">= 7 letters/s per process",
        ),
        one_run_row(
            f"batch of {letters:,} letters, 2 worker processes",
            two,
            throughput=f"{rate_two:.1f} letters/s ({rate_two / rate_one:.2f}x)",
            target="a second process adds >= 1.4x",
        ),
    ]


def letter_memory(letters: int) -> dict:
    elapsed, made, memory = _letter_run(1, letters, sample_memory=True)
    return {
        "name": f"worker memory over {made:,} letters",
        "median": f"{elapsed:.0f} s",
        "best": f"{memory['start_kib'] / 1024:.0f} MiB",
        "worst": f"{memory['peak_kib'] / 1024:.0f} MiB",
        "throughput": f"{made / elapsed:.1f} letters/s; {memory['children_seen']} child processes",
        "target": "bounded (children recycled every "
        f"{celery_app.conf.worker_max_tasks_per_child} tasks); best = at start, worst = peak RSS",
    }


def statement_run(sample: int) -> list[dict]:
    """The quarterly statements for `sample` accounts, through one and then two worker processes."""
    account_ids = statement_run_accounts(timezone.localdate())[:sample]
    rows, rates = [], {}
    for processes in (1, 2):
        period_end = timezone.localdate() - timedelta(days=processes * 7)  # a period of its own: every one is new
        Document.objects.filter(made_by_run=f"statements:{period_end.isoformat()}").delete()
        with tempfile.TemporaryDirectory() as media, celery_workers(processes, media) as (_pid, queue):
            started = time.perf_counter()
            results = [
                make_statements.apply_async(args=[account_ids[i : i + CHUNK], period_end.isoformat()], queue=queue)
                for i in range(0, len(account_ids), CHUNK)
            ]
            outcomes = [result.get(timeout=3600) for result in results]
            elapsed = time.perf_counter() - started
        pages = sum(outcome.get("pages", 0) for outcome in outcomes)
        made = sum(outcome.get("made", 0) for outcome in outcomes)
        Document.objects.filter(made_by_run=f"statements:{period_end.isoformat()}").delete()
        rates[processes] = pages / elapsed
        rows.append(
            one_run_row(
                f"quarterly statements, {made:,} accounts, {processes} worker process(es)",
                elapsed,
                throughput=f"{pages / elapsed:.1f} pages/s ({pages / elapsed / processes:.1f} per process, "
                f"{pages / max(1, made):.1f} pages each)" + (f", {rates[2] / rates[1]:.2f}x" if processes == 2 else ""),
                target=">= 10 pages/s per core; grows with worker processes",
            )
        )
    return rows
