"""Loading (or syncing) a landlord's records from its housing management system: the one entry point the command,
the browser upload's background job and the demo data share.

`onboarding_load` reads every file, checks every row, works out what would change, and only then writes, in one
database transaction: any error and nothing at all is loaded. A dry run does everything (the services' own checks
included) inside a transaction it rolls back. Only one load runs at a time (a PostgreSQL advisory lock).

For the browser: `tenancy_load_create` keeps an upload as a TenancyLoad; `tenancy_load_process(load_id=...)` (a Celery
task's body) runs it and keeps its progress (`status`, `rows_read`, `rows_done`) and its `report` on the record.
"""

import hashlib
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.utils import timezone

from arrears import services as arrears
from incomeapp.ahead import collector_paused
from incomeapp.money import ZERO
from incomeapp.roles import staff_require
from lifecycle.constants import LoadStatus
from lifecycle.models import TenancyLoad

from .formats import (
    KINDS,
    SPEC_BY_KIND,
    ErrorList,
    LoadError,
    SourceFile,
    files_from_path,
    files_from_upload,
    files_parse,
    rows_count,
)
from .load import Applied, Loader, LoadRefused
from .plan import Plan, plan_make

LOAD_LOCK = 7_340_201  # advisory lock key: one load at a time
LOAD_PERMISSION = "lifecycle.add_tenancyload"


@dataclass
class LoadReport:
    """What a load did, or (dry run, or refused) would have done. `as_dict` is the command's --json output and the
    TenancyLoad's report."""

    status: str = LoadStatus.QUEUED
    dry_run: bool = False
    files: list[dict] = field(default_factory=list)
    rows_read: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: ErrorList = field(default_factory=ErrorList)
    warnings: ErrorList = field(default_factory=ErrorList)
    opening_balances_posted: int = 0
    opening_balances_total: Decimal = ZERO
    opening_balances_in_files: Decimal = ZERO
    accounts_to_review: int = 0
    bulk: bool = False
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    sha256: str = ""  # of the files' contents, in load order

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "status": str(self.status),
            "dry_run": self.dry_run,
            "files": self.files,
            "rows_read": self.rows_read,
            "counts": self.counts,
            "error_count": self.errors.count,
            "errors": [error.as_dict() for error in self.errors.items],
            "warning_count": self.warnings.count,
            "warnings": [warning.as_dict() for warning in self.warnings.items],
            "opening_balances": {
                "posted": self.opening_balances_posted,
                "posted_total": str(self.opening_balances_total),
                "total_in_files": str(self.opening_balances_in_files),
            },
            "accounts_to_review": self.accounts_to_review,
            "bulk": self.bulk,
            "seconds": round(self.seconds, 2),
            "stage_seconds": self.stage_seconds,
        }


class _DryRun(Exception):
    """Rolls a dry run's transaction back once everything has been done."""


@contextmanager
def _one_load_at_a_time():
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOAD_LOCK])
        got = cursor.fetchone()[0]
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOAD_LOCK])


def onboarding_load(
    *,
    by,
    sources: list[SourceFile] | None = None,
    path: str | Path | None = None,
    dry_run: bool = False,
    bulk: bool | None = None,
    re_review: bool = True,
    today: date | None = None,
    progress: Callable[..., None] | None = None,
) -> LoadReport:
    """Loads the onboarding files at `path` (a folder, a zip or one CSV) or given as `sources`.

    `bulk`: None chooses (set-based writing from BULK_FROM new rows; the services below it); True or False forces
    one (tests compare them). `re_review`: queue the arrears re-review of the accounts touched once the load commits
    (False: the weekly review picks them up). `progress(stage=..., rows_done=..., rows_read=...)` is called
    as the work goes on. Returns the report; it never raises for a problem in the files."""
    staff_require(by, LOAD_PERMISSION, "load tenancies from a housing management system")
    with collector_paused():
        return _onboarding_load(
            by=by, sources=sources, path=path, dry_run=dry_run, bulk=bulk, re_review=re_review, today=today,
            progress=progress,
        )  # fmt: skip


def _onboarding_load(*, by, sources, path, dry_run, bulk, re_review, today, progress) -> LoadReport:
    started = time.perf_counter()
    report = LoadReport(dry_run=dry_run)
    tell = progress or (lambda **kwargs: None)
    if sources is None:
        sources, file_errors = files_from_path(path) if path is not None else ([], [])
        for error in file_errors:
            report.errors.add(error)
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source.content)
    report.sha256 = digest.hexdigest()
    report.rows_read = rows_count(sources)
    tell(stage=LoadStatus.CHECKING, rows_read=report.rows_read, rows_done=0)

    done = [0]

    def parsed_rows(count: int) -> None:
        done[0] += count
        tell(stage=LoadStatus.CHECKING, rows_read=report.rows_read, rows_done=done[0])

    with _one_load_at_a_time() as free:
        if not free:
            report.errors.add(LoadError("", 0, "", "Another load is running. Wait for it to finish, then try again."))
            return _finish(report, LoadStatus.REFUSED, started)
        files = files_parse(sources, report.errors, parsed_rows)
        report.files = [{"file": parsed.name, "kind": kind, "rows": len(parsed.rows)} for kind, parsed in files.items()]
        report.rows_read = sum(len(parsed.rows) for parsed in files.values())
        if not all(parsed.readable for parsed in files.values()):
            # A file that cannot be read at all would make every reference to its rows look wrong: say only that.
            return _finish(report, LoadStatus.REFUSED, started)
        plan = plan_make(files, report.errors, today=today)
        report.warnings = plan.warnings
        _counts(report, plan)
        report.opening_balances_in_files = sum(
            (row["balance"] for row in files["opening_balances"].rows if row.get("balance") is not None), ZERO
        ) if "opening_balances" in files else ZERO  # fmt: skip
        if report.errors:
            return _finish(report, LoadStatus.REFUSED, started)
        tell(stage=LoadStatus.LOADING, rows_read=report.rows_read, rows_done=report.rows_read)
        loader = Loader(plan, files, by=by, bulk=bulk, today=today, progress=lambda stage: tell(stage=stage))
        applied = None
        try:
            with transaction.atomic():
                applied = loader.run()
                if dry_run:
                    raise _DryRun
                if re_review and applied.account_ids:
                    arrears.re_review(account_ids=applied.account_ids, reason="data load", queue=True)
        except _DryRun:
            pass
        except LoadRefused as refused:
            report.errors.add(refused.error)
            return _finish(report, LoadStatus.REFUSED, started)
        _applied(report, applied)
    return _finish(report, LoadStatus.CHECKED if dry_run else LoadStatus.COMPLETED, started)


def _counts(report: LoadReport, plan: Plan) -> None:
    report.counts = {
        kind: {name: plan.counts[kind].get(name, 0) for name in ("created", "updated", "unchanged")}
        for kind in KINDS
        if kind in plan.counts or any(f["kind"] == kind for f in report.files)
    }


def _applied(report: LoadReport, applied: Applied) -> None:
    report.opening_balances_posted = applied.opening_balances
    report.opening_balances_total = Decimal(applied.opening_balances_total or 0)
    report.accounts_to_review = len(applied.account_ids)
    report.bulk = applied.bulk
    report.stage_seconds = applied.seconds


def _finish(report: LoadReport, status: str, started: float) -> LoadReport:
    report.status = status
    report.seconds = time.perf_counter() - started
    return report


# ---- the browser upload: a TenancyLoad record and its background job ------------------------------------------------


def tenancy_load_create(*, by, file_name: str, content: bytes, dry_run: bool = False) -> TenancyLoad:
    """Keeps an uploaded zip (or one CSV) for the background job. Refuses an empty upload or one whose files cannot
    be told apart, before anything is kept."""
    staff_require(by, LOAD_PERMISSION, "load tenancies from a housing management system")
    if not content.strip():
        raise ValidationError("The file is empty. Choose the zip of your onboarding files, or one of them.")
    sources, errors = files_from_upload(file_name, content)
    if errors:
        raise ValidationError([str(error) for error in errors])
    del sources
    return TenancyLoad.objects.create(
        file_name=file_name[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        dry_run=dry_run,
        uploaded_by=by,
    )


def tenancy_load_record(*, by, file_name: str, report: LoadReport) -> TenancyLoad:
    """Keeps a record of a load run from the command line (the files stay where they are), so the data loads page
    lists every load and its report. A dry run is not recorded: it writes nothing."""
    return TenancyLoad.objects.create(
        file_name=file_name[:255],
        sha256=report.sha256,
        content=b"",
        dry_run=False,
        status=report.status,
        uploaded_by=by,
        rows_read=report.rows_read,
        rows_done=report.rows_read if report.ok else 0,
        report=report.as_dict(),
        error=str(report.errors.items[0]) if report.errors.items else "",
        finished_at=timezone.now(),
    )


def _progress_writer(load_id: int) -> Callable[..., None]:
    """Writes progress on a connection of its own, so the page sees it while the load's transaction is open."""
    last = [0.0]
    statuses = {LoadStatus.CHECKING, LoadStatus.LOADING}
    if connection.vendor != "postgresql":  # SQLite (the demo) allows one writer: its eager task needs no progress
        return lambda **kwargs: None

    def write(*, stage=None, rows_read=None, rows_done=None) -> None:
        now = time.monotonic()
        if stage not in statuses and now - last[0] < 1:
            return
        last[0] = now
        sets, values = [], []
        if stage in statuses:
            sets.append("status = %s")
            values.append(str(stage))
        if rows_read is not None:
            sets.append("rows_read = %s")
            values.append(rows_read)
        if rows_done is not None:
            sets.append("rows_done = %s")
            values.append(rows_done)
        if not sets:
            return
        side = connections.create_connection("default")
        try:
            with side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {TenancyLoad._meta.db_table} SET {', '.join(sets)} WHERE id = %s",  # noqa: S608
                    [*values, load_id],
                )
            side.commit() if not side.get_autocommit() else None
        finally:
            side.close()

    return write


def tenancy_load_process(*, load_id: int, re_review: bool = True) -> TenancyLoad:
    """Runs a kept load (the Celery task's body) and keeps its report on the record. Safe to call again for a load
    that already finished: it is left as it is."""
    load = TenancyLoad.objects.get(pk=load_id)
    if load.status not in (LoadStatus.QUEUED, LoadStatus.CHECKING, LoadStatus.LOADING):
        return load
    sources, errors = files_from_upload(load.file_name, bytes(load.content))
    try:
        if errors:
            report = LoadReport(dry_run=load.dry_run)
            for error in errors:
                report.errors.add(error)
            report.status = LoadStatus.REFUSED
        else:
            report = onboarding_load(
                by=load.uploaded_by,
                sources=sources,
                dry_run=load.dry_run,
                re_review=re_review,
                progress=_progress_writer(load.pk),
            )
    except Exception as error:  # a bug or a lost database: the record must not stay "loading" for ever
        load.status, load.error = LoadStatus.FAILED, f"The load stopped: {error}. Nothing was loaded."
        load.finished_at = timezone.now()
        load.save(update_fields=["status", "error", "finished_at", "updated_at"])
        raise
    load.status = report.status
    load.report = report.as_dict()
    load.rows_read = report.rows_read
    load.rows_done = report.rows_read if report.status != LoadStatus.REFUSED else load.rows_done
    load.error = str(report.errors.items[0]) if report.errors.items else ""
    load.finished_at = timezone.now()
    load.save(update_fields=["status", "report", "rows_read", "rows_done", "error", "finished_at", "updated_at"])
    return load


def file_names() -> list[str]:
    """The onboarding files, in the order they are loaded."""
    return [SPEC_BY_KIND[kind].file_name for kind in KINDS]
