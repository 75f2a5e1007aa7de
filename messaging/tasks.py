"""The sender as a Celery task: `messages_queue` starts it when a message is queued, and beat runs it every minute (a
retry whose backoff ended, a message that waited for quiet hours to end, a dead worker's messages)."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)

# A run that ends with a message due this soon starts the next one itself; beat (every minute) covers the rest.
FOLLOW_UP_WITHIN_SECONDS = 60


@shared_task
def send_waiting_messages() -> dict:
    """Sends every message due, in batches at the provider's rate limit, checking each at the moment it goes."""
    from .sending import messages_send_waiting, next_run_due

    summary = messages_send_waiting()
    if not send_waiting_messages.app.conf.task_always_eager:
        due = 0.0 if summary.more_waiting else next_run_due()
        if due is not None and due <= FOLLOW_UP_WITHIN_SECONDS:
            send_waiting_messages.apply_async(countdown=max(1.0, due))
    return summary.as_dict()
