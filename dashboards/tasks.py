from celery import shared_task


@shared_task
def weekly_kpi_snapshot() -> dict:
    """Monday 07:30, after the weekly review: the KPIs for the week that ended on Sunday, built from the week before's
    snapshot and the ledger rows since (from the whole ledger when there is none)."""
    from .services import kpi_snapshot_take, last_sunday

    week_ending = last_sunday()
    rows = kpi_snapshot_take(week_ending=week_ending, from_previous_week=True)
    return {"week_ending": week_ending.isoformat(), "rows": rows}
