from celery import shared_task


@shared_task
def weekly_kpi_snapshot(rebuild_id: int | None = None) -> dict:
    """Monday 07:30, after the weekly review: the KPIs for the week that ended on Sunday, built from the week before's
    snapshot and the ledger rows since (from the whole ledger when there is none). With `rebuild_id`, a manager's
    "Rebuild now" from the dashboard: the same week, marked finished on its KpiRebuild row."""
    from .services import kpi_rebuild_run, kpi_snapshot_take, last_sunday

    if rebuild_id is not None:
        return {"rebuild_id": rebuild_id, "rows": kpi_rebuild_run(rebuild_id=rebuild_id)}
    week_ending = last_sunday()
    rows = kpi_snapshot_take(week_ending=week_ending, from_previous_week=True)
    return {"week_ending": week_ending.isoformat(), "rows": rows}
