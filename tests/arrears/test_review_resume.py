"""A weekly review killed at any point (between chunks, part way through a chunk, by a signal it cannot catch, or
before its run record is finished) resumes when run again for the same week, with nothing duplicated: one
recommendation per account, one case per account, each letter queued and made once, and the run's counts right."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections

from arrears import review as review_module
from arrears.constants import CaseStatus, ContactKind, ContactOutcome, ReviewStatus
from arrears.models import ArrearsCase, Contact, LetterRequest, Recommendation, ReviewRun
from arrears.review import STOPPED, review_run, review_runs_mark_stopped
from arrears.services import policies_install_shipped
from documents.models import Document
from documents.services import templates_install_shipped
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.factories import TenancyFactory

AS_OF = date(2026, 11, 30)  # a Monday


class Killed(BaseException):
    """Like SIGKILL or SIGTERM: not an error the review catches, so it cannot mark its run failed."""


def _owing(reference: str, *, called: bool, ended: bool = False):
    tenancy = TenancyFactory(payment_reference=reference, end_date=AS_OF - timedelta(days=3) if ended else None)
    account = account_get_or_create(tenancy=tenancy)
    transactions_post(
        postings=[
            Posting(
                account.pk, TransactionType.RENT_DEBIT, Decimal("250.00"), AS_OF - timedelta(days=21), f"d:{reference}"
            )
        ]
    )
    if called or ended:
        case = ArrearsCase.objects.create(account=account, opened_on=AS_OF - timedelta(days=30))
        Contact.objects.create(case=case, kind=ContactKind.CALL, outcome=ContactOutcome.SPOKE, occurred_on=AS_OF)
    return account


@pytest.fixture
def estate(law, settings, tmp_path, monkeypatch):
    """Seven accounts in chunks of two: four with a case and a call (each gets an automatic reminder), two owing with
    no case (each gets a case opened), one whose tenancy ended (its case is closed)."""
    settings.MEDIA_ROOT = tmp_path
    policies_install_shipped()
    templates_install_shipped()
    accounts = [_owing(f"RW77000{n}", called=True) for n in range(4)]
    accounts += [_owing(f"RW77001{n}", called=False) for n in range(2)]
    accounts.append(_owing("RW770020", called=False, ended=True))
    monkeypatch.setattr(review_module, "_chunk_size", lambda: 2)
    return accounts


def _fail_on_second_chunk(monkeypatch, name: str, *, after: bool, error: BaseException):
    """Wraps one of the review's own steps so that on the second chunk it raises, before or after doing its work."""
    real, calls = getattr(review_module, name), []

    def step(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2 and not after:
            raise error
        result = real(*args, **kwargs)
        if len(calls) == 2 and after:
            raise error
        return result

    monkeypatch.setattr(review_module, name, step)


def assert_reviewed_once(run: ReviewRun, estate) -> None:
    """The estate's review finished with nothing duplicated: one recommendation and one case per live account (the
    last, ended, one has its case closed with one note), each of the four letters queued and made once."""
    *live, ended = estate
    assert run.status == ReviewStatus.COMPLETED and run.error == ""
    assert sorted(run.recommendations.values_list("account_id", flat=True)) == sorted(a.pk for a in live)
    assert Recommendation.objects.count() == len(live)
    for account in live:
        assert ArrearsCase.objects.filter(account=account).count() == 1
    ended_case = ArrearsCase.objects.get(account=ended)
    assert ended_case.status == CaseStatus.CLOSED
    assert ended_case.contacts.filter(kind=ContactKind.NOTE).count() == 1  # its closing note, once
    requests = LetterRequest.objects.all()
    assert requests.count() == 4 and Contact.objects.filter(kind=ContactKind.LETTER).count() == 4
    assert set(requests.values_list("contact__outcome", flat=True)) == {ContactOutcome.SENT}
    assert Document.objects.count() == 4  # each letter made once
    assert (run.letters_queued, run.cases_opened, run.cases_closed) == (4, 2, 1)


KILL_POINTS = {
    "between chunks: after the first chunk committed": ("_review_chunk", False),
    "mid-chunk: cases opened and closed, recommendations written": ("_letters_queue", False),
    "mid-chunk: letters queued, nothing committed yet": ("_letters_queue", True),
    "mid-chunk: the chunk's last write done, before it commits": ("_cases_point_at_latest", True),
    "after every chunk, before the run record is finished": ("_finish", False),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("uncatchable", [False, True], ids=["error", "killed"])
@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_a_review_killed_at_any_point_resumes_with_nothing_duplicated(estate, monkeypatch, point, uncatchable):
    name, after = KILL_POINTS[point]
    with monkeypatch.context() as injected:
        if name == "_finish":  # called once: fail on that call
            real_finish = review_module._finish

            def finish_fails(*args):
                raise (Killed if uncatchable else RuntimeError)("stopped")

            injected.setattr(review_module, "_finish", finish_fails)
        else:
            _fail_on_second_chunk(
                injected, name, after=after, error=Killed("stopped") if uncatchable else RuntimeError("stopped")
            )
        with pytest.raises(Killed if uncatchable else RuntimeError):
            review_run(as_of=AS_OF)
        connections.close_all()  # the process is gone (its advisory lock with it)
    stopped = ReviewRun.objects.get()
    assert stopped.status == (ReviewStatus.RUNNING if uncatchable else ReviewStatus.FAILED)
    if name == "_finish":
        assert real_finish is review_module._finish

    run, summary = review_run(as_of=AS_OF)

    assert run.pk == stopped.pk and ReviewRun.objects.count() == 1
    assert_reviewed_once(run, estate)
    assert (run.summary["letters_queued"], run.summary["cases_opened"], run.summary["cases_closed"]) == (4, 2, 1)
    assert (summary.letters_queued, summary.cases_opened, summary.cases_closed) == (4, 2, 1)
    assert run.accounts_done == run.accounts_total == summary.accounts


@pytest.mark.django_db(transaction=True)
def test_a_full_review_left_running_by_a_dead_process_is_marked_failed_by_the_sweeper(law):
    if connection.vendor != "postgresql":
        pytest.skip("the review's lock is PostgreSQL's")
    dead = ReviewRun.objects.create(as_of=AS_OF, scope="all")
    re_review = ReviewRun.objects.create(as_of=AS_OF, scope="import:1")
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:  # a live review holds the lock
            cursor.execute("SELECT pg_advisory_lock(%s)", [review_module.REVIEW_LOCK])
        assert review_runs_mark_stopped() == 0
        dead.refresh_from_db()
        assert dead.status == ReviewStatus.RUNNING
        with other.cursor() as cursor:  # that review ends
            cursor.execute("SELECT pg_advisory_unlock(%s)", [review_module.REVIEW_LOCK])
    finally:
        other.close()
    assert review_runs_mark_stopped() == 1
    dead.refresh_from_db()
    re_review.refresh_from_db()
    assert (dead.status, dead.error) == (ReviewStatus.FAILED, STOPPED)
    assert re_review.status == ReviewStatus.RUNNING


@pytest.mark.django_db(transaction=True)
def test_resuming_a_review_hands_on_the_letters_the_dead_run_queued_but_never_handed_to_celery(estate, monkeypatch):
    """The process died after its first chunk committed and before that chunk's letters reached the broker: resuming
    hands them on at once (the sweeper would, minutes later), and each is made once."""
    from tests.documents.workers import hand_off_lost

    with monkeypatch.context() as injected, hand_off_lost():
        _fail_on_second_chunk(injected, "_review_chunk", after=False, error=Killed("stopped"))
        with pytest.raises(Killed):
            review_run(as_of=AS_OF)
    queued = LetterRequest.objects.filter(contact__outcome=ContactOutcome.QUEUED)
    assert queued.count() == 2 and not Document.objects.exists()

    run, _ = review_run(as_of=AS_OF)

    assert run.status == ReviewStatus.COMPLETED
    assert LetterRequest.objects.count() == 4 and not queued.exists()
    assert Document.objects.count() == 4
