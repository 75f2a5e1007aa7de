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
def find_account_checks() -> int:
    """Nightly: suspected duplicate or overlapping payments of the last 90 days, raised once each."""
    from datetime import timedelta

    from .account_checks import account_checks_find

    return account_checks_find(since=timezone.localdate() - timedelta(days=90))
