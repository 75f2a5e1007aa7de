"""Reads of the ledger."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db import connection

from incomeapp.money import ZERO
from tenancies.models import Charge, Tenancy

from .charging import weekly_equivalent
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


def account_balance_from_ledger(*, account: Account) -> Decimal:
    return sum(account.transactions.values_list("amount", flat=True), ZERO)


def weekly_rent(*, tenancy: Tenancy, on: date) -> Decimal:
    """The weekly equivalent of the charges in effect that count as rent (for 'weeks of rent' arithmetic)."""
    charges = Charge.objects.filter(tenancy=tenancy, counts_as_rent=True, effective_from__lte=on).exclude(
        effective_to__lt=on
    )
    period_total = sum((charge.amount for charge in charges), ZERO)
    return weekly_equivalent(period_total, tenancy.rent_period)
