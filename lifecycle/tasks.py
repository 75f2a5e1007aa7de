"""Thin Celery wrappers over the lifecycle services (each safe to retry: the services skip work already done)."""

from celery import shared_task


@shared_task
def rent_change_apply(run_id: int, tenancy_ids: list[int], property_ids: list[int]) -> dict:
    """A chunk of an approved rent change (about 200 tenancies or homes): their charges changed, then their letters
    handed on in batches."""
    from .rent_change import rent_change_run_apply

    return dict(rent_change_run_apply(run_id=run_id, tenancy_ids=tenancy_ids, property_ids=property_ids))


@shared_task
def rent_change_letters(run_id: int, tenancy_ids: list[int]) -> dict:
    """A batch of a rent change's letters (about 25 tenancies), one per named tenant, each made once."""
    from .rent_change import rent_change_letters_make

    return dict(rent_change_letters_make(run_id=run_id, tenancy_ids=tenancy_ids))


# A first load of a large landlord's files can take minutes: longer limits than the default 10.
@shared_task(soft_time_limit=30 * 60, time_limit=35 * 60)
def tenancy_load_run(load_id: int) -> dict:
    """A data load uploaded in the browser (a TenancyLoad): checked, and loaded unless it is a dry run, with its
    progress and report kept on the record. Safe to retry: a load that has finished is left as it is."""
    from .onboarding.services import tenancy_load_process

    load = tenancy_load_process(load_id=load_id)
    return {"load": load.pk, "status": load.status, "rows_read": load.rows_read}
