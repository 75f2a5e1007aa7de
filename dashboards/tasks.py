from celery import shared_task
from django.utils import timezone


@shared_task
def weekly_kpi_snapshot() -> dict:
    """Monday 07:30, after the weekly review: the KPIs for the week that ended on Sunday."""
    from datetime import timedelta

    from .services import kpi_snapshot_take

    today = timezone.localdate()
    week_ending = today - timedelta(days=today.weekday() + 1)
    return {"week_ending": week_ending.isoformat(), "rows": kpi_snapshot_take(week_ending=week_ending)}
