"""The raw comparisons of `make bench`: what PostgreSQL itself needs to move the same rows as a job, timed in the same
run, so that the ratio (job ÷ raw) can be read on a machine whose speed varies from day to day (issue 20).

Each comparison writes inside a transaction that is rolled back: it does the database's work (the rows, their indexes,
their constraints) and leaves the ledger as it was, so `reconcile_balances` still finds no difference.
"""

import time
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from rentaccounts.models import Account, ImportBatch, Transaction
from rentaccounts.services.ledger import LEDGER_COLUMNS
from tenancies.models import Charge


def _timed_then_rolled_back(work, *, setup=lambda cursor: {}) -> float:
    """Seconds `work(cursor, **setup(cursor))` took inside a transaction that is then rolled back (`setup` runs in the
    same transaction, untimed). The ledger's foreign keys are deferred to the commit, which a rollback never reaches:
    they are made immediate here, so the comparison checks them as the job's commit does (until 2026-12-07 it did
    not, which spared it about a quarter of its work)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            prepared = setup(cursor)
            started = time.perf_counter()
            work(cursor, **prepared)
            elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def ledger_copy_like(*, account_ids: list[int], on: date, tag: str) -> float:
    """`COPY` into the ledger table of one card payment for each of `account_ids` (in account order, as the import
    posts them), from an import batch as the import's lines are, with nothing else: no parsing, no matching, no
    balances. The import's comparison: timed just before the import, on as many other accounts drawn the same way, so
    neither finds the other's index pages in memory."""
    columns = ", ".join(LEDGER_COLUMNS)
    now = timezone.now()
    payment = {"transaction_type": "payment", "payment_method": "card", "amount": Decimal("-10.00")}

    def rows_from_a_batch(cursor) -> dict:
        batch = ImportBatch.objects.create(file_name=f"{tag}.csv", sha256=tag[:64], format="generic-csv", content=b"")
        rows = [
            tuple(
                {
                    **payment,
                    "account_id": account_id,
                    "effective_date": on,
                    "posted_at": now,
                    "import_batch_id": batch.pk,
                    "idempotency_key": f"generic-csv:{tag}-{n}",
                    "description": "",
                    "external_reference": f"{tag}-{n}",
                }.get(column)
                for column in LEDGER_COLUMNS
            )
            for n, account_id in enumerate(sorted(account_ids))
        ]
        return {"rows": rows}

    def copy(cursor, rows):
        with cursor.copy(f"COPY {Transaction._meta.db_table} ({columns}) FROM STDIN") as stream:
            for row in rows:
                stream.write_row(row)

    return _timed_then_rolled_back(copy, setup=rows_from_a_batch)


def ledger_insert_select(*, rent_run_id: int, week_commencing: date) -> float:
    """`INSERT … SELECT` of the lines a rent run posted (under their keys with ":raw" added, so each lands where the
    run's did in the unique index), found by their dates (the ledger's date index): the rent run's comparison. Timed
    just after the run: every account's index pages were read by both."""
    columns = ", ".join(LEDGER_COLUMNS)
    selected = columns.replace("idempotency_key", "idempotency_key || ':raw'")
    table = Transaction._meta.db_table

    def insert(cursor):
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {selected} FROM {table} "  # noqa: S608
            "WHERE effective_date BETWEEN %s AND %s AND rent_run_id = %s",
            [week_commencing, week_commencing + timedelta(days=6), rent_run_id],
        )

    return _timed_then_rolled_back(insert)


def balances_and_charges_scan(*, on: date) -> float:
    """One scan of what the review reads most: every account's balance with the weekly charges in effect for its
    tenancy, fetched into Python (the review's comparison)."""
    accounts, charges = Account._meta.db_table, Charge._meta.db_table
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT a.id, a.balance, SUM(c.amount) FROM {accounts} a
                LEFT JOIN {charges} c ON c.tenancy_id = a.tenancy_id AND c.effective_from <= %s
                     AND (c.effective_to IS NULL OR c.effective_to >= %s)
                WHERE a.balance > 0 GROUP BY a.id, a.balance""",  # noqa: S608
            [on, on],
        )
        cursor.fetchall()
    return time.perf_counter() - started
