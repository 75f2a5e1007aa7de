"""Payment imports: a file becomes a batch, its good lines are posted, the rest wait in suspense with a reason.

Safe to repeat: the same file is refused by its SHA-256; a line already posted (same external id) is not posted again;
a batch that died half way can be processed again and finishes the rest without duplicating suspense items.
"""

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incomeapp.money import ZERO, to_money
from rentaccounts.constants import AccountKind, ImportStatus, SuspenseStatus, TransactionType
from rentaccounts.imports.formats import FileFormatError, ParsedLine, payment_format
from rentaccounts.models import Account, ImportBatch, SuspenseItem, Transaction
from rentaccounts.services import (
    Posting,
    allocation_order,
    payment_split,
    staff_require,
    transaction_post,
    transactions_post,
)
from rentaccounts.tasks import import_batch_process_task
from tenancies.models import Tenancy

CHUNK_LINES = 25_000
BACKGROUND_FROM_ROWS = 2_000
ALREADY_POSTED = "Already posted from an earlier file (same transaction id)."
SUSPENSE_REASON_UNMATCHED = "No tenancy has the payment reference '{reference}'."


@dataclass
class ImportSummary:
    rows_read: int = 0
    lines: int = 0
    posted: int = 0
    posted_total: Decimal = ZERO
    suspense: Counter = field(default_factory=Counter)
    rejected: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        return {
            "rows_read": self.rows_read,
            "posted": {"count": self.posted, "total": str(self.posted_total)},
            "suspense": {"count": sum(self.suspense.values()), "reasons": dict(self.suspense)},
            "rejected": {"count": sum(self.rejected.values()), "reasons": dict(self.rejected)},
        }


def _idempotency_key(format_name: str, line: ParsedLine) -> str:
    return f"import:{format_name}:{line.external_id}"


def _rent_accounts_by_reference(references: set[str] | None) -> dict[str, int]:
    """Rent account id by payment reference, for the references given (None: every rent account)."""
    accounts = Account.objects.filter(kind=AccountKind.RENT)
    if references is not None:
        if not references:
            return {}
        accounts = accounts.filter(tenancy__payment_reference__in=references)
    return dict(accounts.values_list("tenancy__payment_reference", "id"))


def _accounts_missing(references: set[str], known: dict[str, int]) -> dict[str, int]:
    """Tenancies that have no rent account yet get one, so a first payment can be posted."""
    missing = references - set(known)
    if not missing:
        return known
    tenancy_ids = Tenancy.objects.filter(payment_reference__in=missing).values_list("id", flat=True)
    Account.objects.bulk_create(
        [Account(tenancy_id=tenancy_id, kind=AccountKind.RENT) for tenancy_id in tenancy_ids], ignore_conflicts=True
    )
    return {**known, **_rent_accounts_by_reference(missing)}


def _classify(lines: list[ParsedLine], format_name: str, accounts: dict[str, int], posted_keys: set[str]):
    """Splits lines into (to post, to suspense with reason, rejected with reason).

    `posted_keys` may be empty: lines already posted are then refused by the ledger itself (unique keys) and counted
    as rejected afterwards (see _batch_finish).
    """
    to_post, to_suspense, rejected = [], [], []
    for line in lines:
        if line.problem:
            to_suspense.append((line, line.problem))
        elif line.amount == 0:
            rejected.append((line, "The amount is £0.00, so there is nothing to post."))
        elif _idempotency_key(format_name, line) in posted_keys:
            rejected.append((line, ALREADY_POSTED))
        elif line.payment_reference not in accounts:
            to_suspense.append((line, SUSPENSE_REASON_UNMATCHED.format(reference=line.payment_reference or "(blank)")))
        else:
            to_post.append(line)
    return to_post, to_suspense, rejected


def _posted_keys(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 5000):
        found.update(
            Transaction.objects.filter(idempotency_key__in=keys[start : start + 5000]).values_list(
                "idempotency_key", flat=True
            )
        )
    return found


def _sub_account_debts(rent_account_ids: set[int]) -> dict[int, dict[str, tuple[int, Decimal]]]:
    """For tenancies that owe on court costs, repairs or sundry accounts: every account's id and balance by kind."""
    if not Account.objects.exclude(kind=AccountKind.RENT).filter(balance__gt=0).exists():
        return {}
    owing = set(
        Account.objects.filter(tenancy__accounts__id__in=rent_account_ids, balance__gt=0)
        .exclude(kind=AccountKind.RENT)
        .values_list("tenancy_id", flat=True)
    )
    accounts: dict[int, dict[str, tuple[int, Decimal]]] = defaultdict(dict)
    rent_by_tenancy = {}
    for tenancy_id, kind, account_id, balance in Account.objects.filter(tenancy_id__in=owing).values_list(
        "tenancy_id", "kind", "id", "balance"
    ):
        accounts[tenancy_id][kind] = (account_id, balance)
        if kind == AccountKind.RENT:
            rent_by_tenancy[tenancy_id] = account_id
    return {rent_by_tenancy[tenancy_id]: by_kind for tenancy_id, by_kind in accounts.items()}


def _postings(lines: list[ParsedLine], format_name: str, accounts: dict[str, int]) -> list[Posting]:
    """Tenant payments clear the tenancy's accounts in the allocation order; benefit credits always go to rent."""
    paying = {accounts[line.payment_reference] for line in lines if line.transaction_type == TransactionType.PAYMENT}
    debts = _sub_account_debts(paying) if paying else {}
    order = allocation_order() if debts else []
    postings = []
    for line in lines:
        rent_account_id = accounts[line.payment_reference]
        key = _idempotency_key(format_name, line)
        common = {
            "effective_date": line.effective_date,
            "payment_method": line.payment_method,
            "external_reference": line.external_id[:100],
            "period_start": line.period_start,
            "period_end": line.period_end,
            "description": f"Row {line.row_number}",
        }
        by_kind = debts.get(rent_account_id)
        if line.transaction_type != TransactionType.PAYMENT or by_kind is None or line.amount > 0:
            postings.append(Posting(rent_account_id, line.transaction_type, line.amount, idempotency_key=key, **common))
            continue
        balances = {kind: balance for kind, (_, balance) in by_kind.items()}
        for index, (kind, amount) in enumerate(payment_split(amount=line.amount, balances=balances, order=order)):
            account_id = by_kind.get(kind, (rent_account_id, ZERO))[0]
            leg_key = key if index == 0 else f"{key}:{kind}"
            postings.append(Posting(account_id, line.transaction_type, amount, idempotency_key=leg_key, **common))
            by_kind[kind] = (account_id, balances.get(kind, ZERO) + amount)
    return postings


def import_batch_create(*, file_name: str, content: bytes, format: str, uploaded_by) -> ImportBatch:
    """Keeps a payment file for import. Refuses a file already imported and a format that does not fit the file."""
    staff_require(uploaded_by, "rentaccounts.add_importbatch", "import payment files")
    if not content.strip():
        raise ValidationError("The file is empty. Choose the payment file again.")
    fmt = payment_format(format)
    try:
        next(iter(fmt.rows(content)), None)  # the header check, before anything is kept
    except FileFormatError as error:
        raise ValidationError(str(error)) from error
    digest = hashlib.sha256(content).hexdigest()
    earlier = ImportBatch.objects.filter(sha256=digest).first()
    if earlier is not None:
        raise ValidationError(
            f"This file was already imported on {timezone.localtime(earlier.created_at):%d/%m/%Y at %H:%M} "
            f"as '{earlier.file_name}'. Nothing has been posted again."
        )
    return ImportBatch.objects.create(
        file_name=file_name[:255], sha256=digest, format=fmt.name, content=content, uploaded_by=uploaded_by
    )


def import_preview(*, content: bytes, format: str) -> ImportSummary:
    """What importing the file would do, changing nothing (the command's --dry-run)."""
    fmt = payment_format(format)
    summary = ImportSummary()
    lines = list(fmt.lines(content))
    summary.rows_read = len({line.row_number for line in lines})
    summary.lines = len(lines)
    accounts = dict(
        Tenancy.objects.filter(payment_reference__in={line.payment_reference for line in lines}).values_list(
            "payment_reference", "id"
        )
    )
    posted_keys = _posted_keys([_idempotency_key(fmt.name, line) for line in lines if line.external_id])
    to_post, to_suspense, rejected = _classify(lines, fmt.name, accounts, posted_keys)
    summary.posted = len(to_post)
    summary.posted_total = -sum((line.amount for line in to_post), ZERO)
    summary.suspense.update(reason for _, reason in to_suspense)
    summary.rejected.update(reason for _, reason in rejected)
    return summary


def import_batch_process(*, batch_id: int) -> ImportBatch:
    """Posts a batch's lines in chunks, holding the rest in suspense. Safe to run again on the same batch."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status == ImportStatus.COMPLETED:
            return batch
        batch.status = ImportStatus.RUNNING
        batch.save(update_fields=["status", "updated_at"])
    fmt = payment_format(batch.format)
    try:
        lines = list(fmt.lines(bytes(batch.content)))
    except FileFormatError as error:
        batch.status, batch.error = ImportStatus.FAILED, str(error)
        batch.save(update_fields=["status", "error", "updated_at"])
        return batch
    rows_read = len({line.row_number for line in lines})
    ImportBatch.objects.filter(pk=batch.pk).update(rows_read=rows_read)
    held = set(SuspenseItem.objects.filter(batch=batch).values_list("row_number", "external_id"))
    references = {line.payment_reference for line in lines if line.payment_reference}
    # A big file meets most tenancies: one read of every rent account beats an IN list per chunk.
    accounts = _rent_accounts_by_reference(None if len(references) > 20_000 else references)
    rejected: Counter = Counter()
    offered: list[ParsedLine] = []
    for start in range(0, len(lines), CHUNK_LINES):
        chunk = lines[start : start + CHUNK_LINES]
        chunk_rejected, chunk_offered = _process_chunk(batch, fmt.name, chunk, held, accounts)
        rejected.update(chunk_rejected)
        offered.extend(chunk_offered)
        ImportBatch.objects.filter(pk=batch.pk).update(rows_done=chunk[-1].row_number - 1)
    return _batch_finish(batch, fmt.name, rejected, offered)


@transaction.atomic
def _process_chunk(
    batch: ImportBatch, format_name: str, chunk: list[ParsedLine], held: set, accounts: dict[str, int]
) -> tuple[Counter, list[ParsedLine]]:
    """Posts a chunk and holds its problem lines. Returns the rejected reasons and the lines offered for posting."""
    accounts = _accounts_missing({line.payment_reference for line in chunk if line.payment_reference}, accounts)
    to_post, to_suspense, rejected = _classify(chunk, format_name, accounts, set())
    transactions_post(
        postings=_postings(to_post, format_name, accounts),
        posted_by=batch.uploaded_by,
        import_batch=batch,
        flag_for_review=True,
    )
    SuspenseItem.objects.bulk_create(
        [
            SuspenseItem(
                batch=batch,
                row_number=line.row_number,
                raw=line.raw,
                payment_reference=line.payment_reference[:50],
                amount=line.amount,
                effective_date=line.effective_date,
                transaction_type=line.transaction_type,
                payment_method=line.payment_method,
                external_id=line.external_id[:100],
                reason=reason[:255],
            )
            for line, reason in to_suspense
            if (line.row_number, line.external_id[:100]) not in held
        ]
    )
    return Counter(reason for _, reason in rejected), to_post


def _batch_finish(batch: ImportBatch, format_name: str, rejected: Counter, offered: list[ParsedLine]) -> ImportBatch:
    """Counts from the ledger itself, so a batch processed in two goes reports the whole.

    A line offered for posting whose key this batch did not post was already posted from an earlier file.
    """
    ours = dict(Transaction.objects.filter(import_batch=batch).values_list("idempotency_key", "amount"))
    posted = list(ours.values())
    duplicates = sum(1 for line in offered if _idempotency_key(format_name, line) not in ours)
    if duplicates:
        rejected[ALREADY_POSTED] += duplicates
    suspense = Counter(SuspenseItem.objects.filter(batch=batch).values_list("reason", flat=True))
    batch.refresh_from_db()
    batch.rows_posted = len(posted)
    batch.total_posted = -sum(posted, ZERO)
    batch.rows_suspense = sum(suspense.values())
    batch.rows_rejected = sum(rejected.values())
    batch.rows_done = batch.rows_read
    batch.report = {"suspense_reasons": dict(suspense), "rejected_reasons": dict(rejected)}
    batch.status = ImportStatus.COMPLETED
    batch.finished_at = timezone.now()
    batch.save()
    return batch


def import_batch_start(*, batch: ImportBatch) -> None:
    """Small files import now; large ones in the background (Celery), while the page shows progress."""
    if bytes(batch.content).count(b"\n") < BACKGROUND_FROM_ROWS:
        import_batch_process(batch_id=batch.pk)
    else:
        transaction.on_commit(lambda: import_batch_process_task.delay(batch_id=batch.pk))


@transaction.atomic
def suspense_item_allocate(*, item: SuspenseItem, tenancy: Tenancy, user, amount=None, effective_date=None):
    """Posts a held payment to a tenancy's rent account. The officer may supply an amount or date the file lacked."""
    staff_require(user, "rentaccounts.change_suspenseitem", "allocate payments in suspense")
    item = SuspenseItem.objects.select_for_update().get(pk=item.pk)
    if item.status != SuspenseStatus.OPEN:
        raise ValidationError(f"This payment has already been {item.get_status_display().lower()}.")
    credit = -to_money(amount) if amount is not None else item.amount
    when = effective_date or item.effective_date
    if credit is None or credit == 0:
        raise ValidationError("Enter the amount received: the file did not give one we could read.")
    if when is None:
        raise ValidationError("Enter the date the payment was received: the file did not give one we could read.")
    account_id = _accounts_missing({tenancy.payment_reference}, {})[tenancy.payment_reference]
    posted = transaction_post(
        posting=Posting(
            account_id,
            item.transaction_type or TransactionType.PAYMENT,
            credit,
            when,
            f"suspense:{item.pk}",
            payment_method=item.payment_method,
            external_reference=item.external_id,
            description=f"From suspense: {item.reason}"[:255],
        ),
        posted_by=user,
        import_batch=item.batch,
        flag_for_review=True,
    )
    item.status = SuspenseStatus.ALLOCATED
    item.transaction = posted
    item.resolved_by, item.resolved_at = user, timezone.now()
    item.resolution_note = f"Allocated to {tenancy.payment_reference}"
    item.save()
    return item


@transaction.atomic
def suspense_item_reject(*, item: SuspenseItem, reason: str, user) -> SuspenseItem:
    staff_require(user, "rentaccounts.change_suspenseitem", "reject payments in suspense")
    if not reason.strip():
        raise ValidationError("Say why this payment is rejected (for example: returned to the payer).")
    item = SuspenseItem.objects.select_for_update().get(pk=item.pk)
    if item.status != SuspenseStatus.OPEN:
        raise ValidationError(f"This payment has already been {item.get_status_display().lower()}.")
    item.status = SuspenseStatus.REJECTED
    item.resolved_by, item.resolved_at = user, timezone.now()
    item.resolution_note = reason.strip()[:255]
    item.save()
    return item
