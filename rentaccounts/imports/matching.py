"""Matching a file's payment references to rent accounts, and splitting payments across a tenancy's accounts.

Set-based: one query matches every reference in a file (on PostgreSQL an `= ANY(array)`, so 100,000 references are
one parameter), and sub-account balances are read once per file, only when some tenancy owes on one.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import connection

from incomeapp.money import ZERO
from rentaccounts.constants import AccountKind, TransactionType
from rentaccounts.imports.formats import ParsedRow
from rentaccounts.models import Account, Transaction
from rentaccounts.services import Posting, allocation_order, payment_split
from tenancies.models import Tenancy

_ORM_CHUNK = 2000  # SQLite's limit on query parameters


def _chunks(values: set[str]):
    ordered = sorted(values)
    for start in range(0, len(ordered), _ORM_CHUNK):
        yield ordered[start : start + _ORM_CHUNK]


def _rent_accounts(references: set[str]) -> dict[str, int]:
    if not references:
        return {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT t.payment_reference, a.id FROM {Tenancy._meta.db_table} AS t "  # noqa: S608 (model tables)
                f"JOIN {Account._meta.db_table} AS a ON a.tenancy_id = t.id AND a.kind = %s "
                f"WHERE t.payment_reference = ANY(%s)",
                [AccountKind.RENT.value, list(references)],
            )
            return dict(cursor.fetchall())
    found: dict[str, int] = {}
    for chunk in _chunks(references):
        found.update(
            Account.objects.filter(kind=AccountKind.RENT, tenancy__payment_reference__in=chunk).values_list(
                "tenancy__payment_reference", "id"
            )
        )
    return found


def tenancy_references_known(references: set[str]) -> set[str]:
    """The references that belong to a tenancy (whether or not it has a rent account yet). Reads only."""
    known: set[str] = set()
    for chunk in _chunks(references):
        known.update(Tenancy.objects.filter(payment_reference__in=chunk).values_list("payment_reference", flat=True))
    return known


def rent_accounts_by_reference(references: set[str], *, create_missing: bool = False) -> dict[str, int]:
    """Rent account id by payment reference. With create_missing, a tenancy without a rent account gets one, so its
    first payment can be posted (only the references not matched at first cost further queries)."""
    accounts = _rent_accounts(references)
    missing = references - accounts.keys()
    if create_missing and missing:
        tenancy_ids = []
        for chunk in _chunks(missing):
            tenancy_ids += Tenancy.objects.filter(payment_reference__in=chunk).values_list("id", flat=True)
        if tenancy_ids:
            Account.objects.bulk_create(
                [Account(tenancy_id=tenancy_id, kind=AccountKind.RENT) for tenancy_id in tenancy_ids],
                ignore_conflicts=True,
            )
            accounts.update(_rent_accounts(missing))
    return accounts


class PaymentSplitter:
    """Builds the postings for a line. A tenant payment clears the tenancy's accounts in the configured allocation
    order when it owes on a sub-account (court costs, repairs, sundry); otherwise, and for benefit, all goes to rent."""

    def __init__(self, debts: dict[str, dict[str, list]], order: list[str], posted_keys: frozenset[str] = frozenset()):
        self.debts = debts  # reference -> kind -> [account id, balance], only for tenancies owing on a sub-account
        self.order = order
        self.posted_keys = posted_keys  # split lines already in the ledger: never split again

    @classmethod
    def for_rows(cls, rows: list[ParsedRow], key_of) -> "PaymentSplitter":
        paying = {row.payment_reference for row in rows if row.transaction_type == TransactionType.PAYMENT}
        if not paying:
            return cls({}, [])
        owing = (
            set(
                Account.objects.exclude(kind=AccountKind.RENT)
                .filter(balance__gt=0)
                .values_list("tenancy__payment_reference", flat=True)
            )
            & paying
        )
        if not owing:
            return cls({}, [])
        debts: dict[str, dict[str, list]] = defaultdict(dict)
        for chunk in _chunks(owing):
            for reference, kind, account_id, balance in Account.objects.filter(
                tenancy__payment_reference__in=chunk
            ).values_list("tenancy__payment_reference", "kind", "id", "balance"):
                debts[reference][kind] = [account_id, balance]
        # Balances move, so a line posted before could split differently now; its first key says it is posted.
        keys = {key_of(row) for row in rows if row.payment_reference in owing}
        posted = set()
        for chunk in _chunks(keys):
            posted.update(
                Transaction.objects.filter(idempotency_key__in=chunk).values_list("idempotency_key", flat=True)
            )
        return cls(dict(debts), allocation_order(), frozenset(posted))

    def postings(self, row: ParsedRow, key: str, accounts: dict[str, int]) -> list[Posting]:
        if key in self.posted_keys:
            return []
        rent_account_id = accounts[row.payment_reference]
        by_kind = self.debts.get(row.payment_reference)
        if by_kind is None or row.transaction_type != TransactionType.PAYMENT or row.amount > 0:
            return [_posting(row, rent_account_id, row.amount, key)]
        balances = {kind: balance for kind, (_, balance) in by_kind.items()}
        postings = []
        for index, (kind, amount) in enumerate(payment_split(amount=row.amount, balances=balances, order=self.order)):
            account_id = by_kind[kind][0] if kind in by_kind else rent_account_id
            # The first leg keeps the line's own key, so a repeat of the line is found whichever account it cleared.
            postings.append(_posting(row, account_id, amount, key if index == 0 else f"{key}:{kind}"))
            by_kind.setdefault(kind, [account_id, ZERO])[1] = balances.get(kind, ZERO) + Decimal(amount)
        return postings


def _posting(row: ParsedRow, account_id: int, amount: Decimal, key: str) -> Posting:
    """A file line's posting (or one leg of a split line) to one account."""
    return Posting(
        account_id=account_id,
        transaction_type=row.transaction_type,
        amount=amount,
        effective_date=row.effective_date,
        idempotency_key=key,
        payment_method=row.payment_method,
        description=f"Row {row.row_number}",
        external_reference=row.external_id,
        period_start=row.period_start,
        period_end=row.period_end,
    )
