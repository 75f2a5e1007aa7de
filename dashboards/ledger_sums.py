"""Each rent account's ledger sums for the KPIs as of a date (rent and charges debited in the 52 weeks and in the
financial year, received and written off in the year), by one set of rules (`_sum_rules`) read two ways: from the
ledger alone (`_sums_in_full`, a rebuild) or from the previous week's stored sums and the ledger rows since
(`_sums_from_previous`, the weekly snapshot). Used by `dashboards.measures`."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Q, Sum

from dashboards.models import KpiAccountWeek, KpiWeek
from incomeapp.money import ZERO, money_from_sum
from rentaccounts.constants import RECEIPT_TYPES, TransactionType
from rentaccounts.models import Transaction


def financial_year_start(day: date) -> date:
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


CHARGED = (TransactionType.RENT_DEBIT, TransactionType.CHARGE_DEBIT)
NO_SUMS = (ZERO, ZERO, ZERO, ZERO)
TXN, ACCOUNT_WEEK = Transaction._meta.db_table, KpiAccountWeek._meta.db_table


def _sum_rules(on: date) -> list[tuple[str, str, str, list]]:
    """Which ledger rows count for which of an account's sums as of the date, once for the full pass and the weekly
    build alike: (sum, the amount it adds, SQL condition, its parameters). Rent and charges debited in the 52 weeks to
    the date (rent-free weeks debit nothing) and in the financial year to it; received and written off in the year,
    as positive amounts."""
    year_start, year_ago = financial_year_start(on), on - timedelta(days=363)
    charged, receipts = ", ".join(["%s"] * len(CHARGED)), ", ".join(["%s"] * len(RECEIPT_TYPES))
    between = "effective_date BETWEEN %s AND %s"
    return [
        ("rent_52w", "amount", f"transaction_type IN ({charged}) AND {between}", [*CHARGED, year_ago, on]),
        ("due", "amount", f"transaction_type IN ({charged}) AND {between}", [*CHARGED, year_start, on]),
        ("received", "-amount", f"transaction_type IN ({receipts}) AND {between}", [*RECEIPT_TYPES, year_start, on]),
        ("written_off", "-amount", f"transaction_type = %s AND {between}", [TransactionType.WRITE_OFF, year_start, on]),
    ]


def _ledger_totals(on: date, where: str) -> tuple[str, list]:
    """The sums per account over the ledger rows matching `where` (its parameters go after these): for a year of
    rows, where summing with FILTER skips the rows a sum does not count."""
    rules = _sum_rules(on)
    columns = ", ".join(f"SUM({amount}) FILTER (WHERE {condition}) AS {name}" for name, amount, condition, _ in rules)
    sql = f"SELECT account_id, {columns}, 0 AS held FROM {TXN} WHERE {where} GROUP BY account_id"  # noqa: S608
    return sql, [value for *_, params in rules for value in params]


def _ledger_parts(on: date, where: str) -> tuple[str, list]:
    """Each ledger row's part in the sums, row by row, for the rows matching `where`: for the weekly build's few rows,
    added up with the previous week's in one grouping."""
    rules = _sum_rules(on)
    columns = ", ".join(f"CASE WHEN {condition} THEN {amount} END AS {name}" for name, amount, condition, _ in rules)
    sql = f"SELECT account_id, {columns}, 0 AS held FROM {TXN} WHERE {where}"  # noqa: S608
    return sql, [value for *_, params in rules for value in params]


def _sums_fetch(parts: str, params: list) -> tuple[dict[int, list[Decimal]], set[int]]:
    """Adds up the parts per account in the database: each account's sums, and the accounts a previous week held."""
    sums: dict[int, list[Decimal]] = {}
    held = set()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT account_id, SUM(rent_52w), SUM(due), SUM(received), SUM(written_off), SUM(held)
                FROM ({parts}) AS parts GROUP BY account_id""",  # noqa: S608  (built from the SQL above)
            params,
        )
        for account_id, rent_52w, due, received, written_off, in_previous in cursor.fetchall():
            sums[account_id] = [
                money_from_sum(rent_52w),
                money_from_sum(due),
                money_from_sum(received),
                money_from_sum(written_off),
            ]
            if in_previous:
                held.add(account_id)
    return sums, held


def _reversals_net(totals: dict[int, list[Decimal]], rows, on: date) -> None:
    """Takes the reversals of receipts and write-offs among the rows given, dated in the year, off what was received
    and written off."""
    reversals = (
        rows.filter(
            effective_date__gte=financial_year_start(on),
            effective_date__lte=on,
            transaction_type=TransactionType.REVERSAL,
            reverses__transaction_type__in=[*RECEIPT_TYPES, TransactionType.WRITE_OFF],
        )
        .values("account_id", "reverses__transaction_type")
        .annotate(total=Sum("amount"))
    )
    for row in reversals:
        column = 3 if row["reverses__transaction_type"] == TransactionType.WRITE_OFF else 2
        totals.setdefault(row["account_id"], list(NO_SUMS))[column] -= money_from_sum(row["total"])


def _sums_in_full(on: date, account_ids: set[int] | None = None) -> dict[int, list[Decimal]]:
    """From the ledger alone: every row from the earlier of 1 April and 52 weeks back, of every account or of those
    given. (Every account rather than a join to the rent accounts: the join cost more than the rows it saves.)"""
    since = min(financial_year_start(on), on - timedelta(days=363))
    where, where_params = "effective_date >= %s AND effective_date <= %s", [since, on]
    rows = Transaction.objects.filter(effective_date__gte=since, effective_date__lte=on)
    if account_ids is not None:
        ids = sorted(account_ids)
        where += f" AND account_id IN ({', '.join(['%s'] * len(ids))})"
        where_params += ids
        rows = rows.filter(account_id__in=ids)
    totals, params = _ledger_totals(on, where)
    sums, _ = _sums_fetch(totals, params + where_params)
    _reversals_net(sums, rows, on)
    return sums


def _sums_from_previous(on: date, previous: KpiWeek, account_ids: set[int]) -> dict[int, list[Decimal]]:
    """The week's sums from the previous week's stored ones, reading about two weeks of ledger rather than a year:
    the rows posted since that snapshot (whatever their dates), the rows it already held that are dated in the new
    week, and the charges of the week that leaves the 52 (taken off). The year's sums start again in the week with
    1 April in it. One statement whose parts each read an index, added up by the database; the few reversals of
    receipts and write-offs are read apart. Accounts the previous week did not hold (new tenancies) are summed in
    full."""
    last_week, high_water = previous.week_ending, previous.ledger_high_water
    if on - last_week != timedelta(days=7):
        raise ValueError("A week is built only from the week before it.")
    carry = 1 if financial_year_start(last_week) == financial_year_start(on) else 0
    posted_since, posted_since_params = _ledger_parts(on, "id > %s")
    dated_in_week, dated_in_week_params = _ledger_parts(on, "id <= %s AND effective_date > %s AND effective_date <= %s")
    charged = ", ".join(["%s"] * len(CHARGED))
    parts = f"""SELECT account_id, rent_debit_52w AS rent_52w, due_this_year * %s AS due,
                received_this_year * %s AS received, written_off_this_year * %s AS written_off, 1 AS held
            FROM {ACCOUNT_WEEK} WHERE week_ending = %s
          UNION ALL {posted_since}
          UNION ALL {dated_in_week}
          UNION ALL SELECT account_id, -amount, 0, 0, 0, 0 FROM {TXN}
            WHERE id <= %s AND transaction_type IN ({charged}) AND effective_date >= %s AND effective_date < %s"""  # noqa: S608
    params = [
        carry, carry, carry, last_week,
        *posted_since_params, high_water,
        *dated_in_week_params, high_water, last_week, on,
        high_water, *CHARGED, last_week - timedelta(days=363), on - timedelta(days=363),
    ]  # fmt: skip
    sums, held = _sums_fetch(parts, params)
    _reversals_net(sums, Transaction.objects.filter(Q(id__gt=high_water) | Q(effective_date__gt=last_week)), on)
    new_accounts = account_ids - held
    if new_accounts:
        in_full = _sums_in_full(on, new_accounts)
        for account_id in new_accounts:
            sums[account_id] = in_full.get(account_id, list(NO_SUMS))
    return sums
