"""The weekly review in parts shared by Celery workers (Celery runs the tasks in this process here; a real worker killed
part way is in test_review_part_worker.py): it reviews every account once, as the review in one process does; a part
killed or failed part way is resumed (by the sweeper, or by starting the review again) and does only the rest."""

import html
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from arrears import review as review_module
from arrears import review_parts
from arrears.constants import ReviewPartStatus, ReviewStatus
from arrears.models import Recommendation, ReviewPart, ReviewRun
from arrears.review import review_run
from arrears.review_parts import LOST_AFTER, START_AGAIN, review_parts_start, review_parts_sweep
from arrears.services import policies_install_shipped
from documents.services import templates_install_shipped
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.arrears.test_review_resume import AS_OF, Killed, _owing, assert_reviewed_once
from tests.factories import TenancyFactory, user_with_role


@pytest.fixture
def estate(law, settings, tmp_path):
    """Seven accounts owing, in chunks of two and so parts of four: four with a case and a call (each gets a reminder),
    two with no case (each gets a case opened), one whose tenancy ended (its case is closed)."""
    settings.MEDIA_ROOT = tmp_path
    settings.ARREARS_REVIEW_CHUNK = 2
    policies_install_shipped()
    templates_install_shipped()
    accounts = [_owing(f"RW78000{n}", called=True) for n in range(4)]
    accounts += [_owing(f"RW78001{n}", called=False) for n in range(2)]
    accounts.append(_owing("RW780020", called=False, ended=True))
    return accounts


def assert_reviewed_in_parts_once(run: ReviewRun, estate) -> None:
    assert_reviewed_once(run, estate)
    assert (run.summary["letters_queued"], run.summary["cases_opened"], run.summary["cases_closed"]) == (4, 2, 1)
    assert run.accounts_done == run.accounts_total == 7
    assert set(run.parts.values_list("status", flat=True)) == {ReviewPartStatus.DONE}


@pytest.mark.django_db(transaction=True)
def test_a_review_in_parts_reviews_each_account_once_as_the_review_in_one_process_does(estate):
    run = review_parts_start(as_of=AS_OF)

    parts = list(run.parts.values_list("number", "first_account_id", "last_account_id", "accounts_total"))
    ids = sorted(account.pk for account in estate)
    assert parts == [(1, 0, ids[4] - 1, 4), (2, ids[4], None, 3)]  # every id in one part, the last open-ended
    assert_reviewed_in_parts_once(run, estate)
    in_parts = dict(run.recommendations.values_list("account_id", "action"))

    one_process, _ = review_run(as_of=AS_OF + timedelta(days=7))
    week_later = dict(one_process.recommendations.values_list("account_id", "action"))
    assert set(week_later) == set(in_parts)  # the same accounts, reviewed by the same engine


@pytest.mark.django_db(transaction=True)
def test_a_part_killed_midway_is_handed_out_again_by_the_sweeper_and_does_only_the_rest(
    estate, monkeypatch, time_machine
):
    if connection.vendor != "postgresql":
        pytest.skip("a dead worker's part is known by its PostgreSQL advisory lock")
    time_machine.move_to(timezone.now(), tick=False)
    real, calls = review_module._review_chunk, []

    def killed_on_second_chunk(run, chunk, *args):
        calls.append(list(chunk))
        if len(calls) == 2:
            raise Killed("the worker's machine stopped")
        return real(run, chunk, *args)

    with monkeypatch.context() as injected:
        injected.setattr(review_module, "_review_chunk", killed_on_second_chunk)
        with pytest.raises(Killed):
            review_parts_start(as_of=AS_OF)
        connections.close_all()  # the worker is gone, and its locks with it
    run = ReviewRun.objects.get()
    first, second = run.parts.all()
    assert (run.status, first.status, first.attempts, second.status) == (
        ReviewStatus.RUNNING,
        ReviewPartStatus.RUNNING,
        1,
        ReviewPartStatus.WAITING,
    )
    assert first.accounts_done == 2 and Recommendation.objects.count() == 2  # its first chunk, kept

    resumed = []
    monkeypatch.setattr(
        review_module, "_review_chunk", lambda run, chunk, *a: resumed.append(list(chunk)) or real(run, chunk, *a)
    )
    assert review_parts_sweep() == {
        "review parts handed out again": 1,  # the dead part; the waiting one may still be in the queue
        "review parts failed": 0,
        "reviews completed": 0,
    }
    assert resumed == [calls[1]]  # only the chunk it had not finished
    first.refresh_from_db()
    assert (first.status, first.attempts) == (ReviewPartStatus.DONE, 2)

    time_machine.shift(LOST_AFTER + timedelta(minutes=1))
    assert review_parts_sweep()["review parts handed out again"] == 1  # the waiting part's message was lost
    run.refresh_from_db()
    assert_reviewed_in_parts_once(run, estate)
    assert review_parts_sweep() == {
        "review parts handed out again": 0,
        "review parts failed": 0,
        "reviews completed": 0,
    }


@pytest.mark.django_db(transaction=True)
def test_a_part_that_fails_stops_the_run_with_how_to_finish_and_starting_again_does_the_rest(
    estate, monkeypatch, client
):
    real, calls = review_module._review_chunk, []

    def fails_on_third_chunk(run, chunk, *args):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return real(run, chunk, *args)

    with monkeypatch.context() as injected:
        injected.setattr(review_module, "_review_chunk", fails_on_third_chunk)
        with pytest.raises(RuntimeError):
            review_parts_start(as_of=AS_OF)
    run = ReviewRun.objects.get()
    second = run.parts.get(number=2)
    assert run.status == ReviewStatus.FAILED
    assert run.error == f"Part 2 stopped: the database went away. {START_AGAIN}"
    assert (second.status, second.error) == (ReviewPartStatus.FAILED, "the database went away")
    assert review_parts_sweep()["review parts handed out again"] == 0  # a failed part waits for a person
    client.force_login(user_with_role(Role.INCOME_MANAGER))
    page = html.unescape(client.get(f"/worklist/reviews/{run.pk}/").content.decode())
    assert "1 of 2 done, 1 failed" in page and "Start this week's review now" in page

    again = review_parts_start(as_of=AS_OF)

    assert again.pk == run.pk and ReviewRun.objects.count() == 1
    assert again.parts.get(number=1).attempts == 1  # done the first time; not done again
    assert_reviewed_in_parts_once(again, estate)


@pytest.mark.django_db(transaction=True)
def test_a_review_for_another_week_waits_while_one_in_parts_is_still_running(estate):
    stuck = ReviewRun.objects.create(as_of=AS_OF - timedelta(days=7), scope="all")
    ReviewPart.objects.create(run=stuck, number=1, first_account_id=0, status=ReviewPartStatus.WAITING)

    with pytest.raises(ValidationError) as refused:
        review_parts_start(as_of=AS_OF)

    assert refused.value.messages == [
        "The review as of 23 November 2026 is still running. Wait for it to finish, then try again."
    ]
    assert ReviewRun.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_account_that_comes_into_scope_after_the_parts_are_made_is_reviewed_by_the_part_its_id_falls_in(
    law, settings, monkeypatch
):
    settings.ARREARS_REVIEW_CHUNK = 2  # parts of four accounts
    policies_install_shipped()
    first = [_owing(f"RW78100{n}", called=False) for n in range(4)]
    between = account_get_or_create(tenancy=TenancyFactory(payment_reference="RW781010"))  # owes nothing yet
    rest = [_owing(f"RW78102{n}", called=False) for n in range(3)]
    handed = []
    monkeypatch.setattr(review_parts, "_hand_out", handed.extend)
    run = review_parts_start(as_of=AS_OF)
    assert run.accounts_total == 7 and between.pk not in {a.pk for a in first + rest}
    transactions_post(postings=[Posting(between.pk, TransactionType.RENT_DEBIT, Decimal("300.00"), AS_OF, "d:between")])

    for part_id in handed:
        review_parts.review_part_run(part_id=part_id)

    run.refresh_from_db()
    assert run.status == ReviewStatus.COMPLETED
    assert run.recommendations.filter(account=between).count() == 1
