"""Reviews you can start and watch (issue 22, item 9): the reviews page and a review's page poll a small progress
fragment (htmx) while a review runs and stop when it has finished; without JavaScript, Check progress reloads."""

from datetime import date

import pytest

from arrears.constants import ReviewStatus
from arrears.models import ReviewRun

pytestmark = pytest.mark.django_db


def test_a_running_review_fragment_reports_its_counts_and_keeps_polling(manager_client):
    run = ReviewRun.objects.create(as_of=date(2026, 11, 30), accounts_total=200, accounts_done=50)
    fragment = manager_client.get(f"/worklist/reviews/{run.pk}/progress/").content.decode()
    assert "50 of 200 (25%)" in fragment and "Running" in fragment
    assert f'hx-get="/worklist/reviews/{run.pk}/progress/"' in fragment and 'hx-trigger="every 2s"' in fragment
    assert f'href="/worklist/reviews/{run.pk}/"' in fragment  # Check progress without JavaScript

    ReviewRun.objects.filter(pk=run.pk).update(status=ReviewStatus.COMPLETED, accounts_done=200)
    done = manager_client.get(f"/worklist/reviews/{run.pk}/progress/").content.decode()
    assert "hx-get" not in done and "200 of 200" in done and "Completed" in done
    assert "Show its recommendations" in done


def test_the_reviews_table_polls_while_a_review_runs_and_stops_after(manager_client):
    run = ReviewRun.objects.create(as_of=date(2026, 11, 30), accounts_total=10, accounts_done=3)
    page = manager_client.get("/worklist/reviews/").content.decode()
    assert 'hx-get="/worklist/reviews/progress/"' in page and "3 of 10" in page
    ReviewRun.objects.filter(pk=run.pk).update(status=ReviewStatus.COMPLETED, accounts_done=10)
    fragment = manager_client.get("/worklist/reviews/progress/").content.decode()
    assert "hx-get" not in fragment and "10 of 10" in fragment


def test_the_reviews_table_waits_for_a_review_just_started(manager_client):
    # The task is queued on commit, which never comes inside the test's transaction: as when no worker has begun it.
    manager_client.post("/worklist/reviews/start/")
    fragment = manager_client.get("/worklist/reviews/progress/").content.decode()
    assert 'hx-trigger="every 2s"' in fragment and "The review is starting" in fragment
