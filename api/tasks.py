"""The webhook sender and the API's housekeeping as Celery tasks. Beat runs `deliver_webhooks` every minute (a retry
whose wait is over, a run lost to a restart) and `prune_api_call_log` daily. A retry due sooner than beat's next run
is sent by the task itself, scheduled with a countdown for when its wait is over."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

BEAT_SECONDS = 60


@shared_task
def deliver_webhooks() -> dict:
    """Posts every due webhook delivery (api.webhooks.deliveries_send_due), then schedules itself for the next retry
    that falls before beat's next run."""
    from .webhooks import deliveries_send_due, next_retry_at

    summary = deliveries_send_due().as_dict()
    upcoming = next_retry_at()
    if upcoming is not None and not settings.CELERY_TASK_ALWAYS_EAGER:
        wait = (upcoming - timezone.now()).total_seconds()
        if wait < BEAT_SECONDS:
            deliver_webhooks.apply_async(countdown=max(1.0, wait))
            summary["next_run_in_seconds"] = round(max(1.0, wait), 1)
    return summary


@shared_task
def prune_api_call_log() -> dict:
    """Deletes the call log older than API_CALL_LOG_DAYS and finished Idempotency-Key records older than 30 days."""
    from .webhooks import api_records_prune

    return api_records_prune()
