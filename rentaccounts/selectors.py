"""Reads of the ledger."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from incomeapp.money import ZERO
from tenancies.constants import WeeksBasis
from tenancies.models import Tenancy
from tenancies.selectors import WeeklyRent, weekly_rent, weeks_basis, weeks_of

from .constants import RECEIPT_TYPES, AccountKind
from .models import Account, Transaction


def balance_differences() -> list[tuple[int, Decimal, Decimal]]:
    """(account id, cached balance, sum of its transactions) for every account where the two differ.

    PostgreSQL sums NUMERIC exactly in one query. SQLite (the demo database) sums decimals as floating point, so there
    the sums are made in Python with Decimal.
    """
    if connection.vendor != "postgresql":
        totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for account_id, amount in Transaction.objects.values_list("account_id", "amount").iterator(chunk_size=10000):
            totals[account_id] += amount
        return [
            (account_id, balance, totals[account_id])
            for account_id, balance in Account.objects.order_by("id").values_list("id", "balance")
            if balance != totals[account_id]
        ]
    account_table = Account._meta.db_table
    transaction_table = Transaction._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT a.id, a.balance, COALESCE(t.total, 0)
            FROM {account_table} AS a
            LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM {transaction_table} GROUP BY account_id) AS t
              ON t.account_id = a.id
            WHERE a.balance <> COALESCE(t.total, 0)
            ORDER BY a.id
            """  # noqa: S608 (table names from the models, no user input)
        )
        return [(row[0], Decimal(row[1]), Decimal(row[2])) for row in cursor.fetchall()]


def rent_account_ids(*, tenancy_ids: list[int]) -> list[int]:
    """The rent account of each tenancy given (the account arrears work is done on)."""
    return list(Account.objects.rent().filter(tenancy_id__in=tenancy_ids).values_list("pk", flat=True))


def account_balance_from_ledger(*, account: Account) -> Decimal:
    return sum_amounts(account.transactions.all())


def weeks_in_arrears(*, tenancy: Tenancy, balance: Decimal, on: date) -> dict:
    """A balance as weeks on the tenancy's weeks basis (its arrears policy's), with the weekly figure and the basis's
    label, for the account page and the rent statement: {"weekly_rent", "weeks", "basis", "basis_label"}."""
    basis = weeks_basis([tenancy.pk])[tenancy.pk]
    weekly = weekly_rent(tenancy_ids=[tenancy.pk], on=on).get(tenancy.pk, WeeklyRent()).on_basis(basis)
    return _weeks_figure(balance=balance, weekly=weekly, basis=basis)


def _weeks_figure(*, balance: Decimal | None, weekly: Decimal, basis: str) -> dict:
    return {
        "weekly_rent": weekly,
        "weeks": weeks_of(balance, weekly) if balance is not None and balance > 0 else None,
        "basis": basis,
        "basis_label": WeeksBasis(basis).label,
    }


def accounts_weeks_in_arrears(*, accounts: list[Account], on: date) -> dict[int, dict]:
    """`weeks_in_arrears` for many accounts at once (for the API's account list), by account id, in a few queries:
    the same figure the account page shows. Weeks are of a rent account's balance only (never another debt's)."""
    tenancy_ids = sorted({account.tenancy_id for account in accounts})
    bases = weeks_basis(tenancy_ids)
    rents = weekly_rent(tenancy_ids=tenancy_ids, on=on)
    found = {}
    for account in accounts:
        basis = bases[account.tenancy_id]
        weekly = rents.get(account.tenancy_id, WeeklyRent()).on_basis(basis)
        balance = account.balance if account.kind == AccountKind.RENT else None
        found[account.pk] = _weeks_figure(balance=balance, weekly=weekly, basis=basis)
    return found


def sum_amounts(transactions) -> Decimal:
    """Exact on every database: PostgreSQL sums NUMERIC in SQL; SQLite would sum floats, so sum Decimals in Python."""
    if connection.vendor == "postgresql":
        return transactions.aggregate(total=Sum("amount"))["total"] or ZERO
    return sum(transactions.values_list("amount", flat=True), ZERO)


def account_summary(*, tenancy: Tenancy) -> dict:
    """The tenancy page's account panel: balances by account, weeks in arrears on the tenancy's basis, the last
    payment."""
    accounts = list(Account.objects.filter(tenancy=tenancy).order_by("kind"))
    rent = next((a for a in accounts if a.kind == AccountKind.RENT), None)
    last_payment = (
        Transaction.objects.filter(account__tenancy=tenancy, transaction_type__in=RECEIPT_TYPES, amount__lt=0)
        .order_by("-effective_date", "-id")
        .first()
    )
    balance = rent.balance if rent else ZERO
    return {
        "rent_account": rent,
        "other_accounts": [a for a in accounts if a.kind != AccountKind.RENT],
        "balance": balance,
        "weeks": weeks_in_arrears(tenancy=tenancy, balance=balance, on=timezone.localdate()),
        "last_payment": last_payment,
    }


def balances_by_week(*, account: Account, as_of: date, weeks: int = 26) -> list[tuple[date, Decimal]]:
    """The balance at the end of each of the last `weeks` weeks (Sundays), oldest first: today's balance less what was
    posted after each Sunday. One query, over those weeks only."""
    last_sunday = as_of - timedelta(days=(as_of.weekday() + 1) % 7)
    ends = [last_sunday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    later = list(
        Transaction.objects.filter(account=account, effective_date__gt=ends[0]).values_list("effective_date", "amount")
    )
    return [(end, account.balance - sum((amount for day, amount in later if day > end), ZERO)) for end in ends]
