import logging

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task
def weekly_arrears_review() -> dict:
    """Monday 06:00: every account owing or with an open case, in parts shared by the workers (`review_part`). Resumes
    a review that died, posts no letter twice."""
    from .review_parts import review_parts_start

    run = review_parts_start(as_of=timezone.localdate())
    return {"run": run.pk, "parts": run.parts.count()}


@shared_task(bind=True, max_retries=60)
def review_part(self, part_id: int) -> dict:
    """One part (a range of account ids) of a full review. Safe to repeat: a part is done once, by one worker at a
    time; one held by another worker, or waiting for a review running in one process, is tried again a minute later."""
    from .review_parts import BUSY_RETRY_SECONDS, review_part_run

    outcome = review_part_run(part_id=part_id)
    if outcome == "busy":
        raise self.retry(countdown=BUSY_RETRY_SECONDS)
    return {"part": part_id, "outcome": outcome}


@shared_task
def re_review_accounts(account_ids: list[int], scope: str) -> dict:
    """Straight after a payment import: the accounts it touched, so no worklist is stale."""
    from .constants import PolicyVersionStatus
    from .models import ArrearsPolicyVersion
    from .review import review_run

    if not ArrearsPolicyVersion.objects.filter(status=PolicyVersionStatus.LIVE).exists():
        logger.warning("No arrears policy is live, so accounts were not re-reviewed after %s.", scope)
        return {"skipped": "no live arrears policy"}

    run, summary = review_run(as_of=timezone.localdate(), account_ids=account_ids, scope=scope)
    return {"run": run.pk, **summary.as_dict()}


@shared_task
def monitor_agreements() -> dict:
    """Daily 05:30: every live or breached agreement against its balance; history written only on change."""
    from .services import agreements_monitor

    return dict(agreements_monitor(on=timezone.localdate()))


@shared_task
def review_preview(preview_id: int) -> dict:
    """A dry run requested in the browser; its report is kept on its record."""
    from .review import review_preview_run

    return {"preview": review_preview_run(preview_id=preview_id).pk}


@shared_task
def review_start(as_of: str, started_by_id: int) -> dict:
    """A full review started by an Income Manager from the browser."""
    from datetime import date

    from incomeapp.models import User

    from .review_parts import review_parts_start

    run = review_parts_start(as_of=date.fromisoformat(as_of), started_by=User.objects.get(pk=started_by_id))
    return {"run": run.pk, "parts": run.parts.count()}


@shared_task
def render_letters(request_ids: list[int], run_label: str = "") -> dict:
    """A batch of queued letters (about 25), rendered to PDFs one per named tenant. Safe to retry."""
    from .letters import letter_requests_render

    return dict(letter_requests_render(request_ids=request_ids, run_label=run_label))


@shared_task
def sweep_stuck_work() -> dict:
    """Every two minutes: letters whose render died are handed to Celery again (a render under way is left alone), a
    full review left "running" by a process that died is marked failed with how to finish it, and review parts whose
    worker died (or whose message was lost) are handed out again."""
    from .letters import letters_sweep
    from .review import review_runs_mark_stopped
    from .review_parts import review_parts_sweep

    return {**letters_sweep(), "reviews marked stopped": review_runs_mark_stopped(), **review_parts_sweep()}
