"""`bench --only messages`: 10,000 campaign texts handed to the local GOV.UK Notify server (devtools.provider_server)
at its rate limit by real Celery worker processes, one of them killed outright (SIGKILL) a third of the way through
and a new one started, then counted at the server: every reference accepted once, none twice.

The server enforces its limit per second (429 beyond it); the workers pace themselves together at the same rate
through Redis. A killed worker's claimed messages wait MESSAGING_STUCK_AFTER_SECONDS (set to 15 here, 300 in use)
before another worker asks the server whether each arrived, so the elapsed time includes that wait."""

import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter, deque
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import override_settings
from redis import Redis

from devtools.bench_rows import one_run_row
from devtools.provider_server import ProviderServer
from incomeapp.celery import app as celery_app
from messaging.constants import Channel, MessageStatus
from messaging.models import Message
from messaging.sending import rate_limiter_key
from messaging.services import Draft, messages_queue
from messaging.tasks import send_waiting_messages

PROJECT_ROOT = Path(__file__).resolve().parents[1]
STUCK_AFTER_SECONDS = 15
ANY_HOUR = {
    "MESSAGING_SEND_FROM": "00:00",
    "MESSAGING_SEND_UNTIL": "23:59",
    "MESSAGING_SEND_ON_SUNDAYS": True,
    "MESSAGING_SEND_ON_BANK_HOLIDAYS": True,
}
TEXT = (
    "Rentwise Homes: our offices close at 1pm on Thursday 24 December and reopen on Monday 4 January. "
    "Pay your rent as usual at rentwise.example/pay. Reply STOP to stop these messages."
)


def _database_url() -> str:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def _broker() -> str:
    return os.environ.get("BENCH_BROKER_URL") or settings.CELERY_BROKER_URL or "redis://127.0.0.1:6379/13"


def _worker_start(env: dict[str, str], label: str) -> subprocess.Popen:
    name = f"bench-messages-{label}-{uuid.uuid4().hex[:4]}@%h"
    command = [sys.executable, "-m", "celery", "-A", "incomeapp", "worker", "-n", name, "--concurrency=1"]
    command += ["--without-gossip", "--without-mingle", "--loglevel=WARNING"]
    return subprocess.Popen(  # noqa: S603 (our own command line)
        command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def _stop(process: subprocess.Popen, how: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, how)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def _busiest_second(times: list[float]) -> int:
    """The most messages the server accepted in any one-second window."""
    window: deque[float] = deque()
    busiest = 0
    for moment in sorted(times):
        window.append(moment)
        while window[0] <= moment - 1.0:
            window.popleft()
        busiest = max(busiest, len(window))
    return busiest


def run(count: int = 10_000, rate: float = 200.0, processes: int = 3) -> list[dict]:
    broker = _broker()
    server = ProviderServer(rate_limit=rate).start()
    provider_settings = server.settings("notify")
    env = {
        **os.environ,
        **provider_settings,
        **{name: str(value).lower() if value is True else value for name, value in ANY_HOUR.items()},
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "MESSAGING_RATE_LIMIT_PER_SECOND": str(rate),
        "MESSAGING_STUCK_AFTER_SECONDS": str(STUCK_AFTER_SECONDS),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    tag = f"bench:messages:{time.time_ns()}"
    saved = {key: celery_app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    celery_app.conf.update(broker_url=broker, result_backend=broker, task_always_eager=False)
    started_workers: list[subprocess.Popen] = []
    try:
        with override_settings(**provider_settings, **ANY_HOUR, MESSAGING_RATE_LIMIT_PER_SECOND=rate):
            drafts = [
                Draft(
                    channel=Channel.TEXT,
                    to=f"+447700{900000 + n % 1000:06d}",
                    recipient_name=f"Tenant {n}",
                    reference=f"BM{n:06d}",
                    subject_key="campaign:bench",
                    idempotency_key=f"{tag}:{n}",
                    body=TEXT,
                )
                for n in range(count)
            ]
            queueing = time.perf_counter()
            messages_queue(drafts, made_by_run=tag)
            queueing = time.perf_counter() - queueing
            celery_app.control.purge()  # the run starts when the workers are up, below
            Redis.from_url(broker).delete(rate_limiter_key())
            ours = Message.objects.filter(made_by_run=tag)
            started_workers += [_worker_start(env, f"w{n}") for n in range(processes)]
            time.sleep(8)  # the workers import Django and connect
            started = time.perf_counter()
            for _ in range(processes):
                send_waiting_messages.delay()
            # A third of the way through, the server accepts the next messages without answering: each worker
            # waits on one it handed over; the first is killed then, its message accepted but never recorded.
            server.hold_responses_after(count // 3, seconds=60)
            while len(server.received()) < count // 3 + processes:
                time.sleep(0.05)
            _stop(started_workers[0], signal.SIGKILL)
            killed_at = time.time()
            server.release_responses()
            accepted_at_kill = len(server.received())
            left_sending = ours.filter(status=MessageStatus.SENDING).count()
            started_workers.append(_worker_start(env, "restarted"))
            time.sleep(8)
            send_waiting_messages.delay()
            deadline = time.monotonic() + 30 * 60
            while ours.filter(status__in=[MessageStatus.QUEUED, MessageStatus.SENDING]).exists():
                if time.monotonic() > deadline:
                    raise RuntimeError("The messages were not all sent within 30 minutes.")
                time.sleep(0.2)
            elapsed = time.perf_counter() - started
    finally:
        celery_app.conf.update(saved)
        for process in started_workers:
            _stop(process)
        server.stop()
    received = [item for item in server.received() if item.reference.startswith(tag)]
    counts = {}
    for item in received:
        counts[item.reference] = counts.get(item.reference, 0) + 1
    twice = sum(1 for value in counts.values() if value > 1)
    statuses = dict(ours.values_list("status").annotate(n=Count("id")).order_by())
    span = received[-1].at - received[0].at if received else 0.0
    recovered = ours.filter(status_note__startswith="Found at the provider").count()
    before_kill = [item.at for item in received if item.at <= killed_at]
    per_second = Counter(int(item.at) for item in received)
    busy_seconds = sorted(per_second.values())[1:-1]  # the first and last seconds are partial
    detail = {
        "messages": count,
        "handed_over": len(counts),
        "accepted_twice": twice,
        "statuses": statuses,
        "rate_limit_per_second": rate,
        "server_429s": server.requests["rate_limited"],
        "busiest_second": _busiest_second([item.at for item in received]),
        "first_to_last_acceptance_s": round(span, 1),
        "rate_before_the_kill_per_s": round(len(before_kill) / max(killed_at - before_kill[0], 1e-9)),
        "median_per_busy_second": statistics.median(busy_seconds) if busy_seconds else None,
        "accepted_when_killed": accepted_at_kill,
        "being_sent_when_killed": left_sending,
        "found_at_the_provider_after_the_kill": recovered,
        "stuck_after_seconds": STUCK_AFTER_SECONDS,
        "queueing_s": round(queueing, 1),
        "worker_processes": f"{processes}, one killed and one started",
    }
    if twice or len(counts) != count:
        raise RuntimeError(f"Messages sent twice or not at all: {detail}")
    return [
        one_run_row(
            f"{count:,} campaign texts to the provider",
            elapsed,
            throughput=f"{len(counts) / elapsed:,.0f}/s overall ({rate:g}/s limit)",
            target="at the rate limit; none sent twice after a worker is killed",
            detail=detail,
        )
    ]
