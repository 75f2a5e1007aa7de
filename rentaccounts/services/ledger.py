"""Writes to the ledger. Every posting goes through `transactions_post`, which keeps each account's cached balance in
the same database transaction and posts nothing twice (idempotency keys are unique)."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from incomeapp.money import ZERO, to_money
from rentaccounts.constants import AccountKind, TransactionType
from rentaccounts.models import Account, PaymentAllocationOrder, Transaction
from rentaccounts.signals import ledger_changed
from tenancies.models import Tenancy

POSTGRES = "postgresql"
DEFAULT_ALLOCATION_ORDER = (
    AccountKind.RENT,
    AccountKind.COURT_COSTS,
    AccountKind.RECHARGEABLE_REPAIRS,
    AccountKind.SUNDRY,
)


@dataclass(slots=True)
class Posting:
    """One ledger line to post. `idempotency_key` must say what the line is for, so a repeat finds it."""

    account_id: int
    transaction_type: str
    amount: Decimal
    effective_date: date
    idempotency_key: str
    payment_method: str = ""
    description: str = ""
    external_reference: str = ""
    period_start: date | None = None
    period_end: date | None = None
    reverses_id: int | None = None


@dataclass
class PostingResult:
    posted: int = 0
    total: Decimal = ZERO
    already_posted: int = 0
    account_ids: set[int] = field(default_factory=set)


def account_get_or_create(*, tenancy: Tenancy, kind: str = AccountKind.RENT) -> Account:
    account, _ = Account.objects.get_or_create(tenancy=tenancy, kind=kind)
    return account


def _existing_keys(keys: list[str]) -> set[str]:
    chunk = 5000 if connection.vendor == POSTGRES else 500
    found: set[str] = set()
    for start in range(0, len(keys), chunk):
        found.update(
            Transaction.objects.filter(idempotency_key__in=keys[start : start + chunk]).values_list(
                "idempotency_key", flat=True
            )
        )
    return found


LEDGER_COLUMNS = (  # the ledger table's columns a posting writes (in COPY order)
    "account_id",
    "transaction_type",
    "payment_method",
    "amount",
    "effective_date",
    "posted_at",
    "posted_by_id",
    "import_batch_id",
    "rent_run_id",
    "idempotency_key",
    "reverses_id",
    "description",
    "external_reference",
    "period_start",
    "period_end",
)


def _post_postgres(
    postings: list[Posting], posted_by_id, import_batch_id, rent_run_id
) -> list[tuple[int, int, Decimal]]:
    """COPY into a staging table, then one statement inserts the lines whose keys are new (ON CONFLICT DO NOTHING, so
    a concurrent run cannot double-post) and adds what was really inserted to each account's balance.

    Returns (account id, lines posted, total posted) for each account touched.
    """
    now = timezone.now()
    columns = ", ".join(LEDGER_COLUMNS)
    transaction_table = Transaction._meta.db_table
    account_table = Account._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS posting_staging")
        cursor.execute(
            f"CREATE TEMP TABLE posting_staging ON COMMIT DROP AS "  # noqa: S608 (model names)
            f"SELECT {columns} FROM {transaction_table} WITH NO DATA"
        )
        with cursor.copy(f"COPY posting_staging ({columns}) FROM STDIN") as copy:
            for p in postings:
                copy.write_row(
                    (
                        p.account_id,
                        p.transaction_type,
                        p.payment_method,
                        p.amount,
                        p.effective_date,
                        now,
                        posted_by_id,
                        import_batch_id,
                        rent_run_id,
                        p.idempotency_key,
                        p.reverses_id,
                        p.description,
                        p.external_reference,
                        p.period_start,
                        p.period_end,
                    )
                )
        cursor.execute(
            f"""
            WITH inserted AS (
                INSERT INTO {transaction_table} ({columns})
                SELECT {columns} FROM posting_staging
                ON CONFLICT (idempotency_key) DO NOTHING
                RETURNING account_id, amount
            ), totals AS (
                SELECT account_id, COUNT(*) AS lines, SUM(amount) AS total FROM inserted GROUP BY account_id
            ), updated AS (
                UPDATE {account_table} AS a SET balance = a.balance + t.total
                FROM totals AS t WHERE a.id = t.account_id
                RETURNING a.id
            )
            SELECT account_id, lines, total FROM totals
            """,  # noqa: S608 (table and column names from the models; values are parameters)
        )
        touched = [(account_id, lines, Decimal(total)) for account_id, lines, total in cursor.fetchall()]
        cursor.execute("DROP TABLE posting_staging")
    return touched


def _post_orm(postings: list[Posting], posted_by_id, import_batch_id, rent_run_id) -> list[tuple[int, int, Decimal]]:
    """The same through the ORM, for SQLite (the demo database). The caller holds the database transaction."""
    existing = _existing_keys([p.idempotency_key for p in postings])
    new = [p for p in postings if p.idempotency_key not in existing]
    Transaction.objects.bulk_create(
        [
            Transaction(
                account_id=p.account_id,
                transaction_type=p.transaction_type,
                payment_method=p.payment_method,
                amount=p.amount,
                effective_date=p.effective_date,
                posted_by_id=posted_by_id,
                import_batch_id=import_batch_id,
                rent_run_id=rent_run_id,
                idempotency_key=p.idempotency_key,
                reverses_id=p.reverses_id,
                description=p.description,
                external_reference=p.external_reference,
                period_start=p.period_start,
                period_end=p.period_end,
            )
            for p in new
        ],
        batch_size=1000,
    )
    totals: dict[int, list] = defaultdict(lambda: [0, ZERO])
    for p in new:
        totals[p.account_id][0] += 1
        totals[p.account_id][1] += p.amount
    for account_id, (_, total) in totals.items():
        Account.objects.filter(pk=account_id).update(balance=F("balance") + total)
    return [(account_id, lines, total) for account_id, (lines, total) in totals.items()]


@transaction.atomic
def transactions_post(
    *,
    postings: Sequence[Posting],
    posted_by=None,
    import_batch=None,
    rent_run=None,
    review_reason: str = "",
) -> PostingResult:
    """Posts every line whose idempotency key is new and moves each account's cached balance by the same amounts.
    With `review_reason` (money that can change an arrears recommendation), `ledger_changed` is sent for the accounts
    posted to, and the arrears app re-reviews them.

    On PostgreSQL the lines go in by COPY and one INSERT … ON CONFLICT DO NOTHING feeding an UPDATE … FROM; elsewhere
    through the ORM. Either way it is one database transaction: all of it or none.
    """
    unique: dict[str, Posting] = {}
    for posting in postings:
        if to_money(posting.amount) == 0:
            raise ValidationError(f"A posting of £0.00 ({posting.idempotency_key}) would mean nothing.")
        unique.setdefault(posting.idempotency_key, posting)
    if not unique:
        return PostingResult()
    post = _post_postgres if connection.vendor == POSTGRES else _post_orm
    touched = post(
        list(unique.values()),
        posted_by.pk if posted_by is not None else None,
        import_batch.pk if import_batch is not None else None,
        rent_run.pk if rent_run is not None else None,
    )
    posted = sum(lines for _, lines, _ in touched)
    account_ids = {account_id for account_id, _, _ in touched}
    if review_reason and account_ids:
        ledger_changed.send(sender=Transaction, account_ids=sorted(account_ids), reason=review_reason)
    return PostingResult(
        posted=posted,
        total=sum((total for _, _, total in touched), ZERO),
        already_posted=len(postings) - posted,
        account_ids=account_ids,
    )


def transaction_post(*, posting: Posting, posted_by=None, import_batch=None, review_reason: str = "") -> Transaction:
    """One line (or the line already posted under its key)."""
    transactions_post(postings=[posting], posted_by=posted_by, import_batch=import_batch, review_reason=review_reason)
    return Transaction.objects.get(idempotency_key=posting.idempotency_key)


def transaction_reverse(*, original: Transaction, reason: str, posted_by=None, on: date | None = None) -> Transaction:
    """Cancels a transaction by posting its opposite, which points at it. A transaction is reversed at most once."""
    if not reason.strip():
        raise ValidationError("Give the reason for the reversal; it shows on the account.")
    if original.transaction_type == TransactionType.REVERSAL:
        raise ValidationError("A reversal cannot itself be reversed; post a new transaction instead.")
    if Transaction.objects.filter(reverses=original).exists():
        raise ValidationError("This transaction has already been reversed.")
    return transaction_post(
        posting=Posting(
            account_id=original.account_id,
            transaction_type=TransactionType.REVERSAL,
            amount=-original.amount,
            effective_date=on or timezone.localdate(),
            idempotency_key=f"reversal:{original.pk}",
            payment_method=original.payment_method,
            description=reason.strip()[:255],
            reverses_id=original.pk,
        ),
        posted_by=posted_by,
        review_reason="reversal",
    )


def allocation_order() -> list[str]:
    configured = list(PaymentAllocationOrder.objects.values_list("kind", flat=True))
    return configured or list(DEFAULT_ALLOCATION_ORDER)


def payment_split(*, amount: Decimal, balances: dict[str, Decimal], order: Iterable[str]) -> list[tuple[str, Decimal]]:
    """How a payment (a negative amount) clears a tenancy's accounts in the configured order.

    Each account in turn takes up to what it owes; whatever is left goes to the rent account (a credit there is money
    in hand). Pure: balances by account kind in, (kind, amount) lines out.
    """
    remaining = -to_money(amount)
    lines: dict[str, Decimal] = {}
    for kind in order:
        owed = balances.get(kind, ZERO)
        if owed <= 0 or remaining <= 0:
            continue
        take = min(owed, remaining)
        lines[kind] = -take
        remaining -= take
    if remaining > 0:
        lines[AccountKind.RENT] = lines.get(AccountKind.RENT, ZERO) - remaining
    return list(lines.items())
