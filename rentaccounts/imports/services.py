"""Payment imports: a file becomes a batch, its good lines are posted, the rest wait in suspense with a reason.

Safe to repeat: the same file is refused by its SHA-256 once imported; a line already posted (same external id) is
not posted again; a batch that died half way can be processed again and finishes the rest without duplicating suspense
items. A batch always ends completed or failed: an unexpected fault fails it with a plain message ("Try again" on its
page, or uploading the same file again, resumes it), and a batch whose worker died is found by
`import_batches_recover` (Celery beat) and resumed, or failed after MOST_ATTEMPTS. One process works on a batch at a
time (a PostgreSQL advisory lock per batch).
The hot path is set-based: one query matches every reference, postings go in by chunks of ~10,000 through
`transactions_post` (COPY on PostgreSQL), suspense rows by bulk_create, and the summary is one aggregate.
How each line is sorted (posted, suspense, rejected) is in `rentaccounts.imports.sorting`; a batch's life around the
import (refusing a file again, finding a stalled batch, Try again, failing it, the sweeper) in
`rentaccounts.imports.batches`. Their public names are importable from here.
"""

import hashlib
import logging
from collections import Counter
from contextlib import contextmanager
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, F, Sum, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from incomeapp.ahead import write_alongside
from incomeapp.money import ZERO, to_money
from incomeapp.roles import staff_require
from rentaccounts.constants import ImportStatus
from rentaccounts.imports.batches import (
    IMPORT_LOCK,
    MOST_ATTEMPTS,
    STALLED_AFTER,
    _batch_fail,
    _file_earlier,
    _posted_lines,
    _refusal,
    _try_again,
    import_batch_can_retry,
    import_batch_retry,
    import_batches_recover,
)
from rentaccounts.imports.formats import LARGEST_AMOUNT as LARGEST_AMOUNT  # the API checks payments by these
from rentaccounts.imports.formats import METHOD_ALIASES as METHOD_ALIASES
from rentaccounts.imports.formats import FileFormatError, ParsedRow, PaymentFormat, payment_format
from rentaccounts.imports.matching import PaymentSplitter, rent_accounts_by_reference, tenancy_references_known
from rentaccounts.imports.sorting import (
    ALREADY_POSTED,
    ImportSummary,
    _classify,
    idempotency_key,
    import_summary,
)
from rentaccounts.imports.suspense import suspense_item_allocate, suspense_item_reject
from rentaccounts.models import ImportBatch, SuspenseItem, Transaction
from rentaccounts.services import transactions_post
from rentaccounts.signals import payments_imported
from rentaccounts.tasks import import_batch_process_task

CHUNK_LINES = 10_000
IMPORT_WRITERS = 2  # chunks posted at once, each on its own connection (no two share an account)
BACKGROUND_FROM_ROWS = 2_000
STOPPED = (
    "The import stopped part way because of a fault on our side, not in the file. Choose Try again: what was posted "
    "stays posted and nothing will be posted twice."
)

logger = logging.getLogger(__name__)


@contextmanager
def _batch_lock(batch_id: int):
    """Yields whether this process may import the batch: False when another process holds it. Session-level, so it
    outlives the chunk transactions and is dropped by PostgreSQL if the process dies."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [IMPORT_LOCK, batch_id])
        locked = cursor.fetchone()[0]
    try:
        yield locked
    finally:
        if locked:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [IMPORT_LOCK, batch_id])
            except DatabaseError:  # the connection is gone, and the lock with it
                logger.warning("Could not release the import lock of batch %s; the connection had closed.", batch_id)


def _format_or_refuse(name: str) -> PaymentFormat:
    try:
        return payment_format(name)
    except FileFormatError as error:
        raise ValidationError(str(error)) from error


def import_batch_create(
    *, file_name: str, content: bytes, format: str, uploaded_by, check_first: bool = False
) -> ImportBatch:
    """Keeps a payment file for import. Refuses a file already imported, an unknown format and a file that does not
    have the format's columns, before anything is kept.

    `check_first` (the Payments page): the batch is kept as checked, not posted, for a person to look at the dry run
    (`import_preview`) and confirm (`import_batch_confirm`); the same file uploaded again returns that batch."""
    staff_require(uploaded_by, "rentaccounts.add_importbatch", "import payment files")
    if not content.strip():
        raise ValidationError("The file is empty. Choose the payment file again.")
    fmt = _format_or_refuse(format)
    try:
        next(iter(fmt.rows(content)), None)  # the header check
    except FileFormatError as error:
        raise ValidationError(str(error)) from error
    digest = hashlib.sha256(content).hexdigest()
    earlier = _file_earlier(digest)
    if earlier is not None and earlier.status == ImportStatus.CHECKED:
        if earlier.format != fmt.name:
            ImportBatch.objects.filter(pk=earlier.pk).update(format=fmt.name, updated_at=timezone.now())
            earlier.format = fmt.name
        return earlier
    if earlier is not None:
        # A file that never finished importing is not locked out: its batch resumes (nothing is posted twice).
        return _try_again(earlier, format_name=fmt.name, by=uploaded_by)
    return ImportBatch.objects.create(
        file_name=file_name[:255],
        sha256=digest,
        format=fmt.name,
        content=content,
        uploaded_by=uploaded_by,
        status=ImportStatus.CHECKED if check_first else ImportStatus.QUEUED,
    )


def import_batch_confirm(*, batch: ImportBatch, user) -> ImportBatch:
    """A person has seen the dry run and confirms: the checked batch is queued (start it with import_batch_start).
    Refused for a batch that is not waiting to be confirmed, so confirming twice posts once."""
    staff_require(user, "rentaccounts.add_importbatch", "import payment files")
    with transaction.atomic():
        batch = ImportBatch.objects.defer("content").select_for_update().get(pk=batch.pk)
        if batch.status != ImportStatus.CHECKED:
            raise ValidationError(
                f"This file has already been confirmed: it is {batch.get_status_display().lower()}. Nothing has been "
                "posted twice.",
                code="already_confirmed",
            )
        batch.status = ImportStatus.QUEUED
        batch.save(update_fields=["status", "updated_at"])
    return batch


def import_batch_discard(*, batch: ImportBatch, user) -> None:
    """Throws away a checked batch nobody confirmed (nothing was posted from it), so the file can be uploaded anew."""
    staff_require(user, "rentaccounts.add_importbatch", "import payment files")
    with transaction.atomic():
        batch = ImportBatch.objects.defer("content").select_for_update().get(pk=batch.pk)
        if batch.status != ImportStatus.CHECKED:
            raise ValidationError("This file has been confirmed, so it cannot be cancelled.", code="already_confirmed")
        batch.delete()


def import_batch_credited(batch: ImportBatch) -> list[dict]:
    """The tenancies a completed import credited: payment reference and the net sum credited (positive), by
    reference."""
    rows = (
        _posted_lines(batch)
        .values("account__tenancy__payment_reference")
        .annotate(total=Sum("amount"), lines=Count("id"))
        .order_by("account__tenancy__payment_reference")
    )
    return [
        {"payment_reference": row["account__tenancy__payment_reference"], "credited": -to_money(row["total"])}
        for row in rows
    ]


def import_preview(*, content: bytes, format: str) -> ImportSummary:
    """What importing the file would do, changing nothing (dry run): parse, match, check ids already posted."""
    fmt = _format_or_refuse(format)
    summary = ImportSummary()
    earlier = _file_earlier(hashlib.sha256(content).hexdigest())
    if earlier is not None and earlier.status not in (ImportStatus.FAILED, ImportStatus.CHECKED):
        summary.already_imported = _refusal(earlier)
    rows = list(fmt.parse(content))
    summary.rows_read = len({row.row_number for row in rows})
    known = tenancy_references_known({row.payment_reference for row in rows if row.payment_reference})
    to_post, to_suspense, rejected = _classify(rows, fmt.name, known)
    posted_keys = set(
        Transaction.objects.filter(idempotency_key__in=[idempotency_key(fmt.name, row) for row in to_post]).values_list(
            "idempotency_key", flat=True
        )
    )
    new = [row for row in to_post if idempotency_key(fmt.name, row) not in posted_keys]
    summary.posted = len(new)
    summary.posted_total = -sum((row.amount for row in new), ZERO)
    credits: dict[str, Decimal] = {}
    for row in new:
        credits[row.payment_reference] = credits.get(row.payment_reference, ZERO) - row.amount
    summary.credits = dict(sorted(credits.items()))
    summary.suspense.update(reason for _, reason in to_suspense)
    summary.rejected.update(reason for _, reason in rejected)
    summary.rejected.update({ALREADY_POSTED: len(to_post) - len(new)} if len(new) < len(to_post) else {})
    return summary


def import_batch_process(*, batch_id: int) -> ImportBatch:
    """Posts a batch's lines in chunks, holding the rest in suspense. Safe to run again on the same batch.

    Always ends the batch completed or failed (a fault is logged and the batch failed with a plain message; it is not
    raised). Only if the process itself dies, or the database goes away, is a batch left importing: the sweeper
    (`import_batches_recover`) resumes it. Another process already importing the batch is left to it.
    """
    with _batch_lock(batch_id) as ours:
        if not ours:
            return ImportBatch.objects.defer("content").get(pk=batch_id)
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
            if batch.status == ImportStatus.COMPLETED:
                return batch
            batch.status, batch.error, batch.attempts = ImportStatus.RUNNING, "", batch.attempts + 1
            batch.save(update_fields=["status", "error", "attempts", "updated_at"])
        try:
            return _process(batch)
        except Exception:
            logger.exception("Payment import batch %s stopped part way.", batch_id)
            return _batch_fail(batch, STOPPED)


def _process(batch: ImportBatch) -> ImportBatch:
    fmt = payment_format(batch.format)
    try:
        rows = list(fmt.parse(bytes(batch.content)))
    except FileFormatError as error:
        return _batch_fail(batch, str(error))
    rows_read = len({row.row_number for row in rows})
    ImportBatch.objects.filter(pk=batch.pk).update(rows_read=rows_read, updated_at=timezone.now())
    references = {row.payment_reference for row in rows if row.payment_reference}
    accounts = rent_accounts_by_reference(references, create_missing=True)
    to_post, to_suspense, rejected = _classify(rows, fmt.name, accounts)
    _post_in_chunks(batch, fmt.name, rows_read, to_post, to_suspense, accounts)
    return _batch_finish(batch, fmt.name, rows_read, len(to_post), Counter(reason for _, reason in rejected))


def _post_in_chunks(batch, format_name, rows_read, to_post, to_suspense, accounts) -> None:
    """Holds the suspense lines, then posts in chunks of about CHUNK_LINES ledger lines, each chunk one transaction,
    two chunks at once on PostgreSQL (each on its own connection).

    Lines are posted in rent-account order, not file order: each account's balance is then updated once per file
    rather than once per chunk, and the ledger's account index is written in order. A chunk ends only where the rent
    account changes, so no two chunks touch one account (and two posted at once never wait for each other). A line's
    legs (a split payment) stay in one chunk, so a line is either wholly posted or not at all.
    """
    held = set(SuspenseItem.objects.filter(batch=batch).values_list("row_number", "transaction_type"))
    suspense = [
        _suspense_item(batch, row, reason)
        for row, reason in to_suspense
        if (row.row_number, row.transaction_type) not in held
    ]
    splitter = PaymentSplitter.for_rows(to_post, lambda row: idempotency_key(format_name, row))
    in_order = sorted(to_post, key=lambda row: accounts[row.payment_reference])

    def chunks():
        """Built as the writers take them, so the next chunks are built while the first are posted."""
        chunk, last = [], len(in_order) - 1
        for index, row in enumerate(in_order):
            chunk.extend(splitter.postings(row, idempotency_key(format_name, row), accounts))
            account_id = accounts[row.payment_reference]
            if len(chunk) >= CHUNK_LINES and (
                index == last or accounts[in_order[index + 1].payment_reference] != account_id
            ):
                yield chunk, rows_read * (index + 1) // len(in_order)
                chunk = []
        if chunk or not in_order:
            yield chunk, rows_read

    def post(numbered) -> None:
        number, (postings, rows_done) = numbered
        with transaction.atomic():
            if postings:
                transactions_post(postings=postings, posted_by=batch.uploaded_by, import_batch=batch)
            if number == 0 and suspense:
                SuspenseItem.objects.bulk_create(suspense, batch_size=2000)
            # updated_at is the heartbeat the sweeper reads: a batch making progress is never taken for stalled.
            ImportBatch.objects.filter(pk=batch.pk).update(
                rows_done=Greatest(F("rows_done"), Value(rows_done)), updated_at=timezone.now()
            )

    write_alongside(enumerate(chunks()), post, writers=IMPORT_WRITERS, name="import-post")


def _suspense_item(batch: ImportBatch, row: ParsedRow, reason: str) -> SuspenseItem:
    return SuspenseItem(
        batch=batch,
        row_number=row.row_number,
        raw=row.raw,
        payment_reference=row.payment_reference[:50],
        amount=row.amount,
        effective_date=row.effective_date,
        transaction_type=row.transaction_type,
        payment_method=row.payment_method,
        external_id=row.external_id[:100],
        reason=reason[:255],
    )


_FINISHED_FIELDS = [
    "rows_read",
    "rows_posted",
    "total_posted",
    "rows_suspense",
    "rows_rejected",
    "rows_done",
    "report",
    "status",
    "error",
    "finished_at",
]


def _batch_finish(batch: ImportBatch, format_name: str, rows_read: int, offered: int, rejected: Counter):
    """Counts from the ledger itself (one aggregate), so a batch processed in two goes reports the whole.

    A line offered for posting that this batch did not post was already posted from an earlier file.
    """
    ours = _posted_lines(batch)
    posted = ours.aggregate(lines=Count("id"), total=Sum("amount"), payments=Count("external_reference", distinct=True))
    if offered > posted["payments"]:
        rejected[ALREADY_POSTED] += offered - posted["payments"]
    suspense = Counter(SuspenseItem.objects.filter(batch=batch).values_list("reason", flat=True))
    batch.refresh_from_db(fields=_FINISHED_FIELDS)  # not the file itself, which is neither read nor written again
    batch.rows_read = rows_read
    batch.rows_posted = posted["lines"]
    batch.total_posted = -to_money(posted["total"] or ZERO)  # SQLite sums lose the trailing zero
    batch.rows_suspense = sum(suspense.values())
    batch.rows_rejected = sum(rejected.values())
    batch.rows_done = rows_read
    tried = batch.report.get("tried_again")
    batch.report = {"suspense_reasons": dict(suspense), "rejected_reasons": dict(rejected)}
    if tried:
        batch.report["tried_again"] = tried  # who uploaded it again or chose Try again, and when
    batch.status = ImportStatus.COMPLETED
    batch.error = ""
    batch.finished_at = timezone.now()
    batch.save(update_fields=[*_FINISHED_FIELDS, "updated_at"])
    touched = list(ours.values_list("account_id", flat=True).distinct())
    if touched:
        payments_imported.send(sender=ImportBatch, batch_id=batch.pk, account_ids=touched)
    return batch


def import_batch_start(*, batch: ImportBatch) -> bool:
    """Small files import now; large ones in the background (Celery) while the page shows progress.

    Returns True when the import was queued rather than done.
    """
    if bytes(batch.content).count(b"\n") < BACKGROUND_FROM_ROWS:
        import_batch_process(batch_id=batch.pk)
        return False
    batch_id = batch.pk
    transaction.on_commit(lambda: import_batch_process_task.delay(batch_id=batch_id))
    return True


__all__ = [
    "IMPORT_LOCK",
    "MOST_ATTEMPTS",
    "STALLED_AFTER",
    "ImportSummary",
    "import_batch_can_retry",
    "import_batch_confirm",
    "import_batch_create",
    "import_batch_credited",
    "import_batch_discard",
    "import_batch_process",
    "import_batch_retry",
    "import_batch_start",
    "import_batches_recover",
    "import_preview",
    "import_summary",
    "suspense_item_allocate",
    "suspense_item_reject",
]
