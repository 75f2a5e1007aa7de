"""The weekly review shared among Celery workers: the accounts are split by id into parts, each part a task, so adding
worker processes (on this machine or others) shares the work.

A part does its accounts in the review's own chunks (`review._review_chunk`, each its own transaction), skipping the
accounts the run has already reviewed, so a part whose worker died part way is handed out again and does only the
rest. The worker doing a part holds two PostgreSQL advisory locks: the part's own (so two workers never do one part
at once, and the sweeper can tell a live part from a dead one) and the review's lock in shared mode (so a full review
in one process, which takes it exclusively, never runs beside the parts). The last part to finish completes the run.
"""

from contextlib import contextmanager
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from incomeapp.ahead import collector_paused
from incomeapp.roles import staff_require

from . import review
from .constants import ReviewPartStatus, ReviewStatus
from .models import ReviewPart, ReviewRun
from .review_facts import accounts_in_scope
from .selectors import PolicyChooser

PART_LOCK = 7_340_002  # advisory lock class: (PART_LOCK, part id) is held by the worker doing that part
PART_TRIES = 3  # a part whose worker died this many times is marked failed rather than handed out again
LOST_AFTER = timedelta(minutes=15)  # a part waiting this long was lost by the broker: it is handed out again
BUSY_RETRY_SECONDS = 60
START_AGAIN = (
    "To finish the rest, choose “Start this week's review now” on the Reviews page: what was done is kept "
    "and nothing is done twice."
)


def part_accounts() -> int:
    """Accounts in a part: two of the review's chunks, so a part overlaps its reads and writes (`_facts_ahead`) and a
    week's review of 90,000 accounts makes nine parts, which two or three workers share evenly."""
    return 2 * review._chunk_size()


def review_parts_start(*, as_of: date, started_by=None) -> ReviewRun:
    """Starts the full review as of `as_of` in parts handed to Celery, or resumes the one that stopped part way (its
    parts not done are handed out again; the letters it queued but never handed on are handed on). Returns the run."""
    staff_require(started_by, "arrears.add_reviewrun", "start an arrears review")
    with review._one_review_at_a_time(), transaction.atomic():
        other = (
            ReviewRun.objects.filter(status=ReviewStatus.RUNNING, scope="all", dry_run=False)
            .exclude(as_of=as_of)
            .filter(parts__status__in=[ReviewPartStatus.WAITING, ReviewPartStatus.RUNNING])
            .first()
        )
        if other is not None:
            raise ValidationError(
                f"The review as of {other.as_of:%-d %B %Y} is still running. Wait for it to finish, then try again."
            )
        run = review.review_run_resume_or_create(as_of=as_of, scope="all", started_by=started_by)
        if not run.parts.exists():
            _parts_make(run)
        waiting = list(run.parts.exclude(status=ReviewPartStatus.DONE).values_list("pk", flat=True))
        ReviewPart.objects.filter(pk__in=waiting).update(
            status=ReviewPartStatus.WAITING, error="", handed_out_at=timezone.now()
        )
    if waiting:
        transaction.on_commit(lambda: _hand_out(waiting))
    else:
        _run_finish_when_done(run.pk)
    run.refresh_from_db()
    return run


def _parts_make(run: ReviewRun) -> None:
    """Parts of `part_accounts()` accounts in scope each, as id ranges that cover every id between them."""
    ids = accounts_in_scope(as_of=run.as_of, former_after_days=PolicyChooser().starts_after_days())
    ReviewRun.objects.filter(pk=run.pk).update(accounts_total=len(ids))
    size = part_accounts()
    starts = list(range(0, len(ids), size)) or [0]
    ReviewPart.objects.bulk_create(
        ReviewPart(
            run=run,
            number=number,
            first_account_id=ids[start] if number > 1 else 0,
            last_account_id=ids[starts[number]] - 1 if number < len(starts) else None,  # up to the next part's first
            accounts_total=len(ids[start : start + size]),
        )
        for number, start in enumerate(starts, start=1)
    )


def _hand_out(part_ids: list[int]) -> None:
    from .tasks import review_part  # the tasks module imports this one

    for part_id in part_ids:
        review_part.delay(part_id)


@contextmanager
def _part_held(part_id: int):
    """True while this process holds the part (and the review's lock, shared); False if another does, or a full review
    runs in one process. Not PostgreSQL: always True (tests on SQLite run one thing at a time)."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock_shared(%s)", [review.REVIEW_LOCK])
        if not cursor.fetchone()[0]:
            yield False
            return
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [PART_LOCK, part_id])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        with connection.cursor() as cursor:
            if held:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [PART_LOCK, part_id])
            cursor.execute("SELECT pg_advisory_unlock_shared(%s)", [review.REVIEW_LOCK])


def review_part_run(*, part_id: int) -> str:
    """Reviews one part's accounts not yet reviewed by its run. Returns "done", or "busy" when another worker holds the
    part or a full review runs in one process (the task tries again later)."""
    with _part_held(part_id) as held:
        if not held:
            return "busy"
        part = ReviewPart.objects.select_related("run").get(pk=part_id)
        if part.status == ReviewPartStatus.DONE:
            return "done"
        run = part.run
        ReviewPart.objects.filter(pk=part.pk).update(
            status=ReviewPartStatus.RUNNING, attempts=F("attempts") + 1, started_at=timezone.now(), error=""
        )
        try:
            _part_review(part, run)
        except Exception as error:
            message = f"Part {part.number} stopped: {error}. {START_AGAIN}"
            ReviewPart.objects.filter(pk=part.pk).update(status=ReviewPartStatus.FAILED, error=str(error))
            ReviewRun.objects.filter(pk=run.pk).update(status=ReviewStatus.FAILED, error=message)
            raise
        ReviewPart.objects.filter(pk=part.pk).update(status=ReviewPartStatus.DONE, finished_at=timezone.now())
    _run_finish_when_done(run.pk)
    return "done"


def _part_review(part: ReviewPart, run: ReviewRun) -> None:
    chooser = PolicyChooser()
    ids = accounts_in_scope(
        as_of=run.as_of,
        former_after_days=chooser.starts_after_days(),
        id_range=(part.first_account_id, part.last_account_id),
    )
    done = run.recommendations.filter(account_id__gte=part.first_account_id)
    if part.last_account_id is not None:
        done = done.filter(account_id__lte=part.last_account_id)
    done = set(done.values_list("account_id", flat=True))
    todo = [account_id for account_id in ids if account_id not in done]
    ReviewPart.objects.filter(pk=part.pk).update(accounts_done=len(ids) - len(todo))
    size = review._chunk_size()
    summary = review.ReviewSummary(as_of=run.as_of)
    chunks = [todo[start : start + size] for start in range(0, len(todo), size)]
    with collector_paused():
        for chunk, facts in review._facts_ahead(chunks, run.as_of):
            review._review_chunk(run, chunk, run.as_of, chooser, summary, False, facts)
            ReviewPart.objects.filter(pk=part.pk).update(accounts_done=F("accounts_done") + len(chunk))
            ReviewRun.objects.filter(pk=run.pk).update(accounts_done=F("accounts_done") + len(chunk))


def _run_finish_when_done(run_id: int) -> bool:
    """Completes the run once every part is done (whichever part finishes last, or the sweeper). True if it did."""
    with transaction.atomic():
        run = ReviewRun.objects.select_for_update().get(pk=run_id)
        if run.status != ReviewStatus.RUNNING or run.parts.exclude(status=ReviewPartStatus.DONE).exists():
            return False
        review._finish(run, review.ReviewSummary(as_of=run.as_of, accounts=run.accounts_total))
    return True


def _part_is_live(part: ReviewPart) -> bool:
    """A worker holds the part now. Not PostgreSQL: it started less than LOST_AFTER ago."""
    if connection.vendor != "postgresql":
        return part.started_at is not None and timezone.now() - part.started_at < LOST_AFTER
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [PART_LOCK, part.pk])
        if not cursor.fetchone()[0]:
            return True
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [PART_LOCK, part.pk])
    return False


def review_parts_sweep() -> dict:
    """For the sweeper (every two minutes): a part left running by a worker that died is handed out again (after
    PART_TRIES deaths it is marked failed, with the run, saying how to finish); a part waiting longer than LOST_AFTER
    is handed out again (a second copy finds it done or held and does nothing); a run whose parts are all done but
    which was never completed (its last worker died at the end) is completed."""
    again, failed = [], 0
    now = timezone.now()
    parts = ReviewPart.objects.filter(
        run__status=ReviewStatus.RUNNING, status__in=[ReviewPartStatus.WAITING, ReviewPartStatus.RUNNING]
    ).select_related("run")
    for part in parts:
        if part.status == ReviewPartStatus.RUNNING:
            if _part_is_live(part):
                continue
            if part.attempts >= PART_TRIES:
                stopped = (
                    f"Part {part.number} stopped {part.attempts} times: the process running it ended each time (a "
                    f"restart, or out of memory). {START_AGAIN}"
                )
                ReviewPart.objects.filter(pk=part.pk).update(status=ReviewPartStatus.FAILED, error=stopped)
                ReviewRun.objects.filter(pk=part.run_id).update(status=ReviewStatus.FAILED, error=stopped)
                failed += 1
                continue
        elif part.handed_out_at and now - part.handed_out_at < LOST_AFTER:
            continue
        again.append(part.pk)
    ReviewPart.objects.filter(pk__in=again).update(status=ReviewPartStatus.WAITING, handed_out_at=now)
    _hand_out(again)
    finished = [
        run_id
        for run_id in ReviewRun.objects.filter(status=ReviewStatus.RUNNING, scope="all", parts__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
        if _run_finish_when_done(run_id)
    ]
    return {
        "review parts handed out again": len(again),
        "review parts failed": failed,
        "reviews completed": len(finished),
    }
