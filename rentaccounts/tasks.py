from celery import shared_task
from django.utils import timezone

from .charging import monday_of
from .services import rent_debits_post


@shared_task
def post_this_weeks_rent_debits() -> dict:
    """Monday 00:30: the week's rent and charge debits (idempotent, so a retry or a manual run posts nothing twice)."""
    run = rent_debits_post(week_commencing=monday_of(timezone.localdate()))
    return {"run": run.pk, "posted": run.posted_count, "total": str(run.posted_total)}
