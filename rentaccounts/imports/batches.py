"""A payment import batch's life around the import itself: a file already imported (or being imported) refused with
what to do, a stalled batch found (no progress and no process holding its advisory lock), "Try again" queueing a
failed or stalled batch to resume, a batch failed with what it had posted, and the sweeper that resumes stalled
batches (`import_batches_recover`, Celery beat) or fails them after MOST_ATTEMPTS.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from incomeapp.money import ZERO, to_money
from incomeapp.roles import staff_require
from rentaccounts.constants import ImportStatus
from rentaccounts.imports.formats import payment_format
from rentaccounts.models import ImportBatch, Transaction
from rentaccounts.tasks import import_batch_process_task

IN_PROGRESS = ("queued", "running")
IMPORT_LOCK = 7_340_301  # advisory lock class: (IMPORT_LOCK, batch id) is held while a process imports the batch
STALLED_AFTER = timedelta(minutes=10)  # queued or importing with no progress this long, and no process on it: stalled
MOST_ATTEMPTS = 3  # automatic resumes of a stalled batch before it is failed for a person to try again
GAVE_UP = (
    "The import stopped {attempts} times without finishing (the background worker stopped each time). Choose Try "
    "again to resume it; if it stops again, split the file into smaller files and tell your system administrator."
)


def _file_earlier(digest: str) -> ImportBatch | None:
    return ImportBatch.objects.defer("content").filter(sha256=digest).first()


def _refusal(earlier: ImportBatch) -> str:
    when = f"{timezone.localtime(earlier.created_at):%-d %B %Y at %H:%M}"
    if earlier.status in IN_PROGRESS:
        return (
            f"This file is being imported now (uploaded on {when} as '{earlier.file_name}'). Open it under Recent "
            f"imports to see its progress; there is no need to upload it again."
        )
    return f"This file was already imported on {when} as '{earlier.file_name}'. Nothing has been posted again."


def _stalled(batch: ImportBatch, now=None) -> bool:
    """Queued or importing, no progress for STALLED_AFTER, and (on PostgreSQL) no process holding the batch's lock."""
    if batch.status not in IN_PROGRESS or batch.updated_at > (now or timezone.now()) - STALLED_AFTER:
        return False
    return not _being_imported(batch.pk)


def _being_imported(batch_id: int) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [IMPORT_LOCK, batch_id])
        if not cursor.fetchone()[0]:
            return True
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [IMPORT_LOCK, batch_id])
    return False


def _try_again(earlier: ImportBatch, *, format_name: str, by) -> ImportBatch:
    """The same file uploaded again, or "Try again" on its page: a failed (or stalled) batch is queued once more and
    resumes where it stopped. A batch imported, or being imported, is refused with what to do."""
    with transaction.atomic():
        batch = ImportBatch.objects.defer("content").select_for_update().get(pk=earlier.pk)
        if batch.status == ImportStatus.COMPLETED or (batch.status in IN_PROGRESS and not _stalled(batch)):
            code = "already_imported" if batch.status == ImportStatus.COMPLETED else "in_progress"
            raise ValidationError(_refusal(batch), code=code)
        if format_name != batch.format:
            if _posted_lines(batch).exists() or batch.suspense_items.exists():
                raise ValidationError(
                    f"This file was partly imported as '{payment_format(batch.format).label}' before it stopped. "
                    f"Open it under Recent imports and choose Try again.",
                    code="format_changed",
                )
            batch.format = format_name
        tried = batch.report.get("tried_again", [])
        tried.append({"by": by.pk if by is not None else None, "at": timezone.now().isoformat()})
        batch.report = {**batch.report, "tried_again": tried}
        batch.status, batch.error, batch.finished_at = ImportStatus.QUEUED, "", None
        batch.save(update_fields=["format", "report", "status", "error", "finished_at", "updated_at"])
    return batch


def import_batch_retry(*, batch: ImportBatch, user) -> ImportBatch:
    """Try again, on a failed (or stalled) batch's page: queues it to resume; start it with import_batch_start."""
    staff_require(user, "rentaccounts.add_importbatch", "import payment files")
    return _try_again(batch, format_name=batch.format, by=user)


def import_batch_can_retry(batch: ImportBatch) -> bool:
    return batch.status == ImportStatus.FAILED or _stalled(batch)


def _posted_lines(batch: ImportBatch):
    """The ledger lines this batch's file posted (not the suspense allocations, which also name the batch)."""
    return Transaction.objects.filter(import_batch=batch, idempotency_key__startswith=f"import:{batch.format}:")


def _batch_fail(batch: ImportBatch, error: str) -> ImportBatch:
    """Failed, with what is already posted counted from the ledger, so the page can say what trying again will do."""
    posted = _posted_lines(batch).aggregate(lines=Count("id"), total=Sum("amount"))
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.FAILED,
        error=error,
        rows_posted=posted["lines"],
        total_posted=-to_money(posted["total"] or ZERO),
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    batch.refresh_from_db()
    return batch


def import_batches_recover(*, now=None) -> dict:
    """Finds batches queued or importing with no progress for STALLED_AFTER and no process working on them (the worker
    died, or the queued task was lost) and hands each to Celery again: the import resumes where it stopped, posting
    nothing twice. A batch that has stopped MOST_ATTEMPTS times is failed instead, with a plain message, for a person
    to try again. Celery beat runs it every few minutes."""
    now = now or timezone.now()
    resumed, failed = [], []
    candidates = ImportBatch.objects.defer("content").filter(status__in=IN_PROGRESS, updated_at__lt=now - STALLED_AFTER)
    for batch in candidates.order_by("pk"):
        if not _stalled(batch, now):
            continue
        if batch.attempts >= MOST_ATTEMPTS:
            _batch_fail(batch, GAVE_UP.format(attempts=batch.attempts))
            failed.append(batch.pk)
            continue
        # Touched, so the next sweep gives the resumed import its time before looking again.
        ImportBatch.objects.filter(pk=batch.pk).update(updated_at=now)
        batch_id = batch.pk
        transaction.on_commit(lambda batch_id=batch_id: import_batch_process_task.delay(batch_id=batch_id))
        resumed.append(batch.pk)
    return {"resumed": resumed, "failed": failed}
