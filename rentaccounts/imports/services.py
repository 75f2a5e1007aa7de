"""Payment imports: a file becomes a batch, its good lines are posted, the rest wait in suspense with a reason.

Safe to repeat: the same file is refused by its SHA-256; a line already posted (same external id) is not posted again;
a batch that died half way can be processed again and finishes the rest without duplicating suspense items.
The hot path is set-based: one query matches every reference, postings go in by chunks of ~10,000 through
`transactions_post` (COPY on PostgreSQL), suspense rows by bulk_create, and the summary is one aggregate.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from incomeapp.money import ZERO, to_money
from incomeapp.roles import staff_require
from rentaccounts.constants import ImportStatus
from rentaccounts.imports.formats import FileFormatError, ParsedRow, PaymentFormat, payment_format
from rentaccounts.imports.matching import PaymentSplitter, rent_accounts_by_reference, tenancy_references_known
from rentaccounts.imports.suspense import suspense_item_allocate, suspense_item_reject
from rentaccounts.models import ImportBatch, SuspenseItem, Transaction
from rentaccounts.services import transactions_post
from rentaccounts.signals import payments_imported
from rentaccounts.tasks import import_batch_process_task
from tenancies.references import payment_reference_prefix, payment_reference_problem

CHUNK_LINES = 10_000
BACKGROUND_FROM_ROWS = 2_000
ALREADY_POSTED = "Already posted from an earlier file (same transaction id)."
TWICE_IN_FILE = "The same transaction id appears more than once in this file; only the first was posted."
ZERO_AMOUNT = "The amount is £0.00, so there is nothing to post."
UNMATCHED = "No tenancy has the payment reference '{reference}'."
ID_TOO_LONG = "The transaction id is longer than 100 characters; check the file."


@dataclass
class ImportSummary:
    """What an import did (or, for a dry run, would do). `as_dict` is the command's --json output."""

    rows_read: int = 0
    posted: int = 0
    posted_total: Decimal = ZERO
    suspense: Counter = field(default_factory=Counter)
    rejected: Counter = field(default_factory=Counter)
    already_imported: str = ""

    def as_dict(self) -> dict:
        summary = {
            "rows_read": self.rows_read,
            "posted": {"count": self.posted, "total": str(self.posted_total)},
            "suspense": {"count": sum(self.suspense.values()), "reasons": dict(self.suspense)},
            "rejected": {"count": sum(self.rejected.values()), "reasons": dict(self.rejected)},
            "already_imported": bool(self.already_imported),
        }
        if self.already_imported:
            summary["error"] = self.already_imported
        return summary


def import_summary(batch: ImportBatch) -> ImportSummary:
    return ImportSummary(
        rows_read=batch.rows_read,
        posted=batch.rows_posted,
        posted_total=batch.total_posted,
        suspense=Counter(batch.report.get("suspense_reasons", {})),
        rejected=Counter(batch.report.get("rejected_reasons", {})),
    )


def idempotency_key(format_name: str, row: ParsedRow) -> str:
    return f"import:{format_name}:{row.external_id}"


def _classify(rows: list[ParsedRow], format_name: str, matched: set[str] | dict[str, int]):
    """Splits lines into (to post, to hold in suspense with reason, rejected with reason). Pure: no queries."""
    to_post, to_suspense, rejected = [], [], []
    seen: set[str] = set()
    prefix = payment_reference_prefix()
    for row in rows:
        if row.problem:
            to_suspense.append((row, row.problem))
        elif len(row.external_id) > 100:
            to_suspense.append((row, ID_TOO_LONG))
        elif row.amount == 0:
            rejected.append((row, ZERO_AMOUNT))
        elif reference_problem := payment_reference_problem(row.payment_reference, prefix=prefix):
            # One of our references with a wrong check digit: a slip by the payer, never another tenant's account.
            to_suspense.append((row, reference_problem))
        elif row.payment_reference not in matched:
            to_suspense.append((row, UNMATCHED.format(reference=row.payment_reference or "(blank)")))
        elif row.external_id in seen:
            rejected.append((row, TWICE_IN_FILE))
        else:
            seen.add(row.external_id)
            to_post.append(row)
    return to_post, to_suspense, rejected


def _file_earlier(digest: str) -> ImportBatch | None:
    return ImportBatch.objects.defer("content").filter(sha256=digest).first()


def _refusal(earlier: ImportBatch) -> str:
    when = f"{timezone.localtime(earlier.created_at):%d/%m/%Y at %H:%M}"
    if earlier.status == ImportStatus.FAILED and not earlier.rows_posted:
        return f"This file was tried on {when} and could not be imported: {earlier.error} Correct the file first."
    return f"This file was already imported on {when} as '{earlier.file_name}'. Nothing has been posted again."


def _format_or_refuse(name: str) -> PaymentFormat:
    try:
        return payment_format(name)
    except FileFormatError as error:
        raise ValidationError(str(error)) from error


def import_batch_create(*, file_name: str, content: bytes, format: str, uploaded_by) -> ImportBatch:
    """Keeps a payment file for import. Refuses a file already imported, an unknown format and a file that does not
    have the format's columns, before anything is kept."""
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
    if earlier is not None:
        raise ValidationError(_refusal(earlier), code="already_imported")
    return ImportBatch.objects.create(
        file_name=file_name[:255], sha256=digest, format=fmt.name, content=content, uploaded_by=uploaded_by
    )


def import_preview(*, content: bytes, format: str) -> ImportSummary:
    """What importing the file would do, changing nothing (dry run): parse, match, check ids already posted."""
    fmt = _format_or_refuse(format)
    summary = ImportSummary()
    earlier = _file_earlier(hashlib.sha256(content).hexdigest())
    if earlier is not None:
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
    summary.suspense.update(reason for _, reason in to_suspense)
    summary.rejected.update(reason for _, reason in rejected)
    summary.rejected.update({ALREADY_POSTED: len(to_post) - len(new)} if len(new) < len(to_post) else {})
    return summary


def import_batch_process(*, batch_id: int) -> ImportBatch:
    """Posts a batch's lines in chunks, holding the rest in suspense. Safe to run again on the same batch."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status == ImportStatus.COMPLETED:
            return batch
        batch.status, batch.error = ImportStatus.RUNNING, ""
        batch.save(update_fields=["status", "error", "updated_at"])
    fmt = payment_format(batch.format)
    try:
        rows = list(fmt.parse(bytes(batch.content)))
    except FileFormatError as error:
        return _batch_fail(batch, str(error))
    rows_read = len({row.row_number for row in rows})
    ImportBatch.objects.filter(pk=batch.pk).update(rows_read=rows_read)
    try:
        references = {row.payment_reference for row in rows if row.payment_reference}
        accounts = rent_accounts_by_reference(references, create_missing=True)
        to_post, to_suspense, rejected = _classify(rows, fmt.name, accounts)
        _post_in_chunks(batch, fmt.name, rows_read, to_post, to_suspense, accounts)
    except Exception as error:
        _batch_fail(batch, f"The import stopped part way ({error}). Run it again: nothing will be posted twice.")
        raise
    return _batch_finish(batch, fmt.name, rows_read, len(to_post), Counter(reason for _, reason in rejected))


def _post_in_chunks(batch, format_name, rows_read, to_post, to_suspense, accounts) -> None:
    """Holds the suspense lines, then posts in chunks of about CHUNK_LINES ledger lines, each chunk one transaction.

    Lines are posted in rent-account order, not file order: each account's balance is then updated once per file
    rather than once per chunk, and the ledger's account index is written in order. A line's legs (a split payment)
    stay in one chunk, so a line is either wholly posted or not at all.
    """
    held = set(SuspenseItem.objects.filter(batch=batch).values_list("row_number", "transaction_type"))
    suspense = [
        _suspense_item(batch, row, reason)
        for row, reason in to_suspense
        if (row.row_number, row.transaction_type) not in held
    ]
    splitter = PaymentSplitter.for_rows(to_post, lambda row: idempotency_key(format_name, row))
    lines = [
        (accounts[row.payment_reference], splitter.postings(row, idempotency_key(format_name, row), accounts))
        for row in to_post
    ]
    lines.sort(key=lambda line: line[0])
    total, done, chunk = sum(len(legs) for _, legs in lines) or 1, 0, []
    pending = iter(lines)
    while True:
        line = next(pending, None)
        if line is not None:
            chunk.extend(line[1])
            if len(chunk) < CHUNK_LINES:
                continue
        with transaction.atomic():
            if chunk:
                transactions_post(postings=chunk, posted_by=batch.uploaded_by, import_batch=batch, flag_for_review=True)
            if suspense:
                SuspenseItem.objects.bulk_create(suspense, batch_size=2000)
                suspense = []
            done += len(chunk)
            ImportBatch.objects.filter(pk=batch.pk).update(rows_done=rows_read * done // total)
        chunk = []
        if line is None:
            return


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


def _batch_fail(batch: ImportBatch, error: str) -> ImportBatch:
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.FAILED, error=error, updated_at=timezone.now())
    batch.refresh_from_db()
    return batch


def _batch_finish(batch: ImportBatch, format_name: str, rows_read: int, offered: int, rejected: Counter):
    """Counts from the ledger itself (one aggregate), so a batch processed in two goes reports the whole.

    A line offered for posting that this batch did not post was already posted from an earlier file.
    """
    ours = Transaction.objects.filter(import_batch=batch, idempotency_key__startswith=f"import:{format_name}:")
    posted = ours.aggregate(lines=Count("id"), total=Sum("amount"), payments=Count("external_reference", distinct=True))
    if offered > posted["payments"]:
        rejected[ALREADY_POSTED] += offered - posted["payments"]
    suspense = Counter(SuspenseItem.objects.filter(batch=batch).values_list("reason", flat=True))
    batch.refresh_from_db()
    batch.rows_read = rows_read
    batch.rows_posted = posted["lines"]
    batch.total_posted = -to_money(posted["total"] or ZERO)  # SQLite sums lose the trailing zero
    batch.rows_suspense = sum(suspense.values())
    batch.rows_rejected = sum(rejected.values())
    batch.rows_done = rows_read
    batch.report = {"suspense_reasons": dict(suspense), "rejected_reasons": dict(rejected)}
    batch.status = ImportStatus.COMPLETED
    batch.error = ""
    batch.finished_at = timezone.now()
    batch.save()
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
    "ImportSummary",
    "import_batch_create",
    "import_batch_process",
    "import_batch_start",
    "import_preview",
    "import_summary",
    "suspense_item_allocate",
    "suspense_item_reject",
]
