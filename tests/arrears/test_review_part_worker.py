"""A real Celery worker killed outright part way through its part of the weekly review: the part's first chunk is kept,
the sweeper hands the part out again, another worker does the rest, and nothing is done twice."""

import pytest
from django.db import connections

from arrears.constants import ReviewPartStatus, ReviewStatus
from arrears.models import ArrearsCase, Recommendation, ReviewRun
from arrears.review_parts import _part_is_live, review_parts_start, review_parts_sweep
from incomeapp.celery import app as celery_app
from tests.arrears.test_review_parts import assert_reviewed_in_parts_once
from tests.arrears.test_review_parts import estate as estate  # the fixture
from tests.arrears.test_review_resume import AS_OF
from tests.documents.workers import backends_waiting_for_a_lock, wait_for, workers


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_midway_through_its_part_is_resumed_by_another_with_nothing_done_twice(
    estate, settings, tmp_path, monkeypatch
):
    if connections["default"].vendor != "postgresql":
        pytest.skip("a dead worker's part is known by its PostgreSQL advisory lock")
    monkeypatch.setenv("RENTWISE_TEST_REVIEW_CHUNK", "2")  # the workers' chunks and parts, as this process's
    media, outbox = settings.MEDIA_ROOT, tmp_path / "outbox"
    # The first part's second chunk (the third and fourth accounts) will wait for this lock on its first case: its
    # worker is then killed mid-part, with the first chunk committed and the second not.
    blocked_case = ArrearsCase.objects.get(account=estate[2])
    holder = connections.create_connection("default")
    holder.set_autocommit(False)
    with holder.cursor() as cursor:
        cursor.execute("SELECT id FROM arrears_arrearscase WHERE id = %s FOR UPDATE", [blocked_case.pk])
    celery_app.control.purge()
    try:
        with workers(1, queue=celery_app.conf.task_default_queue, outbox=outbox, media=media) as (_, [first]):
            run = review_parts_start(as_of=AS_OF)
            wait_for(lambda: backends_waiting_for_a_lock() == 1, "the first worker to reach its second chunk")
            assert Recommendation.objects.count() == 2  # the first chunk, committed
            first.kill()
        holder.rollback()  # the killed worker's session gets the lock, finds its client gone and ends
        part = run.parts.get(number=1)
        wait_for(lambda: not _part_is_live(part), "PostgreSQL to end the killed worker's session")
        part.refresh_from_db()
        assert (part.status, part.attempts) == (ReviewPartStatus.RUNNING, 1)
        assert ReviewRun.objects.get().status == ReviewStatus.RUNNING

        with workers(1, queue=celery_app.conf.task_default_queue, outbox=outbox, media=media):
            assert review_parts_sweep()["review parts handed out again"] == 1
            wait_for(
                lambda: ReviewRun.objects.get().status == ReviewStatus.COMPLETED,
                "the second worker to do the second part and the rest of the first",
            )
    finally:
        holder.close()
        celery_app.control.purge()
    run.refresh_from_db()
    assert_reviewed_in_parts_once(run, estate)
    part.refresh_from_db()
    assert (part.status, part.attempts, part.accounts_done) == (ReviewPartStatus.DONE, 2, 4)
