"""The webhook sender and the API's housekeeping as Celery tasks. Beat runs `deliver_webhooks` every minute (a retry
whose wait is over, a run lost to a restart) and `prune_api_call_log` daily."""

from celery import shared_task


@shared_task
def deliver_webhooks() -> dict:
    """Posts every due webhook delivery (api.webhooks.deliveries_send_due)."""
    from .webhooks import deliveries_send_due

    return deliveries_send_due().as_dict()


@shared_task
def prune_api_call_log() -> dict:
    """Deletes the call log older than API_CALL_LOG_DAYS and finished Idempotency-Key records older than 30 days."""
    from .webhooks import api_records_prune

    return api_records_prune()
