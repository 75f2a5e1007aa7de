from celery import shared_task
from django.utils import timezone

from .charging import monday_of
from .services import rent_debits_post


@shared_task
def post_this_weeks_rent_debits() -> dict:
    """Monday 00:30: the week's rent and charge debits (idempotent, so a retry or a manual run posts nothing twice)."""
    run = rent_debits_post(week_commencing=monday_of(timezone.localdate()))
    return {"run": run.pk, "posted": run.posted_count, "total": str(run.posted_total)}


@shared_task
def import_batch_process_task(batch_id: int) -> dict:
    """A large payment file, imported in the background; safe to retry (see import_batch_process)."""
    from .imports.services import import_batch_process

    batch = import_batch_process(batch_id=batch_id)
    return {"batch": batch.pk, "posted": batch.rows_posted, "suspense": batch.rows_suspense}


@shared_task
def recover_stalled_imports() -> dict:
    """Every 5 minutes: payment imports queued or importing with no progress for 10 minutes and no process on them (a
    worker died, a queued task was lost) resume where they stopped, or are failed with a plain message after 3 tries."""
    from .imports.services import import_batches_recover

    return import_batches_recover()


@shared_task
def find_account_checks() -> int:
    """Nightly: suspected duplicate or overlapping payments of the last 90 days, raised once each."""
    from datetime import timedelta

    from .services.account_checks import account_checks_find

    return account_checks_find(since=timezone.localdate() - timedelta(days=90))


@shared_task
def make_statements(account_ids: list[int], period_end: str, run_id: int | None = None, chunk: int = 0) -> dict:
    """A chunk of the quarterly rent statements (about 50). Safe to retry: a statement is made once per quarter.
    Started from the browser, the chunk reports to its run (`run_id`), also when it fails, so the run's page finishes
    and says to run it again for the rest."""
    from datetime import date

    from .services.statement_run import statement_run_chunk_done, statements_make

    try:
        result = statements_make(account_ids=account_ids, period_end=date.fromisoformat(period_end))
    except Exception as error:
        if run_id is not None:
            failed = {"error": f"{type(error).__name__}: {error}"[:500]}
            statement_run_chunk_done(run_id=run_id, chunk=chunk, accounts=len(account_ids), result=failed)
        raise
    if run_id is not None:
        statement_run_chunk_done(run_id=run_id, chunk=chunk, accounts=len(account_ids), result=result)
    return result


@shared_task
def quarterly_rent_statements() -> dict:
    """The first day of each quarter, 07:00: the 13 weeks to the day before, for every current tenancy and every former
    tenancy with a balance, handed to the workers in chunks."""
    from datetime import timedelta

    from .services.statement_run import CHUNK, statement_run_accounts

    period_end = timezone.localdate() - timedelta(days=1)
    account_ids = statement_run_accounts(period_end)
    for start in range(0, len(account_ids), CHUNK):
        make_statements.delay(account_ids[start : start + CHUNK], period_end.isoformat())
    return {"period_end": period_end.isoformat(), "accounts": len(account_ids)}
