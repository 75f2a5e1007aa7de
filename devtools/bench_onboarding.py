"""The onboarding benchmark (issue 14), used by `manage.py bench --only onboarding`: a generated set of onboarding files
for N tenancies (docs/onboarding.md) is written to a temporary folder and loaded with `import_tenancies`' engine, then
synced with 1% of rows changed; the same rows the first load wrote are then copied into the same tables with plain
COPY, in the same run, for comparison. Everything is done inside one transaction that is rolled back at the end, so
the benchmark database is left as it was (and can be run again).

The generated landlord: 92% as many homes as tenancies (a few void), 90% of the tenancies current and 10% former
(ended before the current tenancy of the same home began), one named tenant each and a second on one in five, a rent
and a service charge on every tenancy and home, an opening balance for every tenancy, and a direct debit on a third.
Its files are written (and changed for the sync) by `devtools.onboarding_files`.
"""

import io
import shutil
import tempfile
import time
from pathlib import Path

from django.db import connection, transaction

from devtools.bench_rows import one_run_row
from devtools.onboarding_files import files_change, files_write
from lifecycle.onboarding.services import onboarding_load
from rentaccounts.models import Account, DirectDebitMandate, Transaction
from tenancies.models import (
    Charge,
    Patch,
    Person,
    Property,
    PropertyCharge,
    Provider,
    RentFreeWeek,
    Scheme,
    Tenancy,
    TenancyEvent,
    TenancyTenant,
)

SET_UP_TABLES = (Provider, Scheme, Patch, RentFreeWeek)
WRITTEN_TABLES = (
    Property,
    PropertyCharge,
    Person,
    Tenancy,
    TenancyTenant,
    Charge,
    Account,
    DirectDebitMandate,
    TenancyEvent,
    Transaction,
)
DELETE_ORDER = (
    Transaction,
    TenancyEvent,
    DirectDebitMandate,
    Account,
    Charge,
    TenancyTenant,
    Tenancy,
    Person,
    PropertyCharge,
    Property,
    RentFreeWeek,
    Patch,
    Scheme,
    Provider,
)


def _tables(model) -> list[str]:
    tables = [model._meta.db_table]
    if hasattr(model, "history"):
        tables.append(model.history.model._meta.db_table)
    return tables


def _pk(table: str) -> str:
    return "history_id" if "_historical" in table else "id"


def _high_water() -> dict[str, int]:
    """The highest id in each table a load writes to, before it: what is above it afterwards is the load's."""
    found = {}
    with connection.cursor() as cursor:
        for model in (*WRITTEN_TABLES, *SET_UP_TABLES):
            for table in _tables(model):
                cursor.execute(f"SELECT COALESCE(MAX({_pk(table)}), 0) FROM {table}")  # noqa: S608
                found[table] = cursor.fetchone()[0]
    return found


def _copy_out(high_water: dict[str, int]) -> dict[str, tuple[bytes, int]]:
    """Every row the first load wrote to the tables of homes, people, tenancies and money, as COPY text (untimed)."""
    buffers = {}
    with connection.cursor() as cursor:
        for model in WRITTEN_TABLES:
            for table in _tables(model):
                where = f"{_pk(table)} > {high_water[table]}"
                data = io.BytesIO()
                with cursor.copy(f"COPY (SELECT * FROM {table} WHERE {where}) TO STDOUT") as copy:  # noqa: S608
                    for block in copy:
                        data.write(block)
                cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}")  # noqa: S608
                buffers[table] = (data.getvalue(), cursor.fetchone()[0])
    return buffers


def _copy_in(buffers: dict[str, tuple[bytes, int]]) -> int:
    """The same rows into the same tables by plain COPY, in one transaction (its foreign keys checked at commit)."""
    rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for table, (data, count) in buffers.items():
            with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                copy.write(data)
            rows += count
    return rows


def _clean_up(high_water: dict[str, int], *, keep_set_up: bool = False) -> None:
    """Deletes every row written since `high_water` (children first), leaving the database as it was; with
    `keep_set_up`, the providers, schemes and patches stay (the rows copied back point at them)."""
    with transaction.atomic(), connection.cursor() as cursor:
        for model in DELETE_ORDER:
            if keep_set_up and model in SET_UP_TABLES:
                continue
            for table in _tables(model):
                where = f"{_pk(table)} > {high_water[table]}"
                if model is Property and table == model._meta.db_table:
                    cursor.execute(f"DELETE FROM {table} WHERE {where} AND parent_id IS NOT NULL")  # noqa: S608
                cursor.execute(f"DELETE FROM {table} WHERE {where}")  # noqa: S608


def run(tenancies: int) -> list[dict]:
    """First load, nightly sync, the same again, and plain COPY of the first load's rows; each committed as it would
    be (so the foreign keys are checked), and all deleted afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="rentwise-onboarding-"))
    high_water = _high_water()
    try:
        started = time.perf_counter()
        counts = files_write(folder, tenancies)
        written = time.perf_counter() - started
        file_rows = sum(counts.values())
        size = sum(path.stat().st_size for path in folder.iterdir())
        started = time.perf_counter()
        first = onboarding_load(by=None, path=folder, re_review=False)
        first_seconds = time.perf_counter() - started
        if first.errors:
            raise RuntimeError(f"The generated files were refused: {[str(e) for e in first.errors.items[:5]]}")
        buffers = _copy_out(high_water)
        db_rows = sum(count for _, count in buffers.values())
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum does after a big load commits
        changes = files_change(folder, tenancies)
        started = time.perf_counter()
        sync = onboarding_load(by=None, path=folder, re_review=False)
        sync_seconds = time.perf_counter() - started
        if sync.errors:
            raise RuntimeError(f"The changed files were refused: {[str(e) for e in sync.errors.items[:5]]}")
        started = time.perf_counter()
        again = onboarding_load(by=None, path=folder, re_review=False)
        again_seconds = time.perf_counter() - started
        _clean_up(high_water, keep_set_up=True)
        started = time.perf_counter()
        copied = _copy_in(buffers)
        copy_seconds = time.perf_counter() - started
    finally:
        _clean_up(high_water)
        shutil.rmtree(folder, ignore_errors=True)
    changed = sum(v for k, v in changes.items() if k != "new tenancies")
    stages = {name: seconds for name, seconds in first.stage_seconds.items() if seconds >= 0.1}
    return [
        one_run_row(
            f"onboarding: first load of {tenancies:,} tenancies",
            first_seconds,
            throughput=f"{file_rows:,} file rows, {db_rows:,} table rows; {db_rows / first_seconds:,.0f} rows/s",
            target="<= 60 s (floor 5 min)",
            detail={
                "stages": stages,
                "files_written_seconds": round(written, 1),
                "files_bytes": size,
                "bulk": first.bulk,
                "counts": first.counts,
            },
        ),
        one_run_row(
            f"onboarding: nightly sync, {changed:,} rows changed, {changes['new tenancies']} new",
            sync_seconds,
            throughput=f"{file_rows:,} rows checked; "
            + ", ".join(f"{kind} {c['updated']}" for kind, c in sync.counts.items() if c["updated"]),
            target="<= 10 s",
            detail={"stages": sync.stage_seconds, "changes": changes, "warnings": sync.warnings.count},
        ),
        one_run_row(
            "onboarding: the same files again (nothing changed)",
            again_seconds,
            throughput=f"{again.rows_read:,} rows checked",
            target="",
        ),
        one_run_row(
            "onboarding: plain COPY of the first load's table rows",
            copy_seconds,
            throughput=f"{copied:,} rows; {copied / copy_seconds:,.0f} rows/s "
            f"(the load took {first_seconds / copy_seconds:.1f}× as long)",
            target="comparison",
        ),
    ]
