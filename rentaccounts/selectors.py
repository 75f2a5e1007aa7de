"""Reads of the ledger."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from incomeapp.money import ZERO
from tenancies.models import Charge, Tenancy

from .charging import weekly_equivalent
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


def account_balance_from_ledger(*, account: Account) -> Decimal:
    return sum_amounts(account.transactions.all())


def weekly_rent(*, tenancy: Tenancy, on: date) -> Decimal:
    """The weekly equivalent of the charges in effect that count as rent (for 'weeks of rent' arithmetic)."""
    charges = Charge.objects.filter(tenancy=tenancy, counts_as_rent=True, effective_from__lte=on).exclude(
        effective_to__lt=on
    )
    period_total = sum((charge.amount for charge in charges), ZERO)
    return weekly_equivalent(period_total, tenancy.rent_period)


def sum_amounts(transactions) -> Decimal:
    """Exact on every database: PostgreSQL sums NUMERIC in SQL; SQLite would sum floats, so sum Decimals in Python."""
    if connection.vendor == "postgresql":
        return transactions.aggregate(total=Sum("amount"))["total"] or ZERO
    return sum(transactions.values_list("amount", flat=True), ZERO)


def weeks_of_rent(balance: Decimal, weekly: Decimal) -> Decimal | None:
    """Arrears as weeks of rent, to one decimal place (None when no rent is charged)."""
    if weekly <= 0:
        return None
    return (balance / weekly).quantize(Decimal("0.1"))


def account_summary(*, tenancy: Tenancy, charges=None) -> dict:
    """The tenancy page's account panel: balances by account, weeks of rent in arrears, the last payment. 2 queries."""
    accounts = list(Account.objects.filter(tenancy=tenancy).order_by("kind"))
    rent = next((a for a in accounts if a.kind == AccountKind.RENT), None)
    today = timezone.localdate()
    in_effect = [
        c
        for c in (charges if charges is not None else tenancy.charges.all())
        if c.counts_as_rent and c.effective_from <= today and (c.effective_to is None or c.effective_to >= today)
    ]
    weekly = weekly_equivalent(sum((c.amount for c in in_effect), ZERO), tenancy.rent_period)
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
        "weekly_rent": weekly,
        "weeks_in_arrears": weeks_of_rent(balance, weekly) if balance > 0 else None,
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
