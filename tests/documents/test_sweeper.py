"""Letters whose render died are found by the sweeper (beat, every two minutes) and made within minutes, once; a render
that is slow but alive is left alone; a letter that kills its worker every time is failed for a person to review."""

import threading

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections

import arrears.letters as letters_module
import documents.services as document_services
from arrears.constants import ContactOutcome
from arrears.letters import letter_requests_render, letters_sweep
from arrears.models import LetterRequest
from arrears.tasks import render_letters
from documents.constants import DeliveryState
from documents.models import Document
from tests.documents.workers import (
    age,
    backends_waiting_for_a_lock,
    letter_queued,
    other_backends,
    stored_pdfs,
    wait_for,
    workers,
)


def _outcome(request) -> str:
    request.contact.refresh_from_db()
    return request.contact.outcome


@pytest.mark.django_db(transaction=True)
def test_a_letter_whose_render_task_was_lost_is_made_by_the_sweeper_once(law, settings, tmp_path, mailoutbox):
    settings.MEDIA_ROOT = tmp_path
    request = letter_queued(email=True)
    assert letters_sweep() == {"handed on": 0, "failed": 0}  # queued just now: its task may be on its way
    age(request, minutes=settings.LETTER_RENDER_STALE_MINUTES + 1)
    assert letters_sweep() == {"handed on": 1, "failed": 0}
    assert _outcome(request) == ContactOutcome.SENT
    document = Document.objects.get(reference="RW440001")
    assert document.made_by_run == f"review:{request.recommendation.run_id}"  # in its review's print run
    assert len(mailoutbox) == 1
    assert letters_sweep() == {"handed on": 0, "failed": 0}
    assert Document.objects.filter(reference="RW440001").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_review_whose_hand_off_to_celery_failed_finishes_and_the_sweeper_sends_its_letters(law, settings, tmp_path):
    """The broker refuses the review's letters after its chunk committed: the review still completes, and the letters
    it queued are made by the sweeper rather than never."""
    from arrears.constants import ReviewStatus
    from arrears.models import ReviewRun

    settings.MEDIA_ROOT = tmp_path
    request = letter_queued(email=False, refused=True)
    assert ReviewRun.objects.get().status == ReviewStatus.COMPLETED
    assert _outcome(request) == ContactOutcome.QUEUED
    age(request, minutes=settings.LETTER_RENDER_STALE_MINUTES + 1)
    assert letters_sweep()["handed on"] == 1
    assert _outcome(request) == ContactOutcome.SENT
    assert Document.objects.filter(reference="RW440001").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_sweeper_leaves_a_slow_but_alive_render_alone(law, settings, tmp_path, monkeypatch, mailoutbox):
    if connection.vendor != "postgresql":
        pytest.skip("a render in hand is known by its PostgreSQL row lock (SKIP LOCKED); SQLite has none")
    settings.MEDIA_ROOT = tmp_path
    request = letter_queued(email=True)
    age(request, minutes=settings.LETTER_RENDER_STALE_MINUTES + 30)
    rendering, go_on = threading.Event(), threading.Event()
    render = document_services.letter_pdf

    def slow(**kwargs):
        rendering.set()
        go_on.wait(timeout=60)
        return render(**kwargs)

    monkeypatch.setattr(document_services, "letter_pdf", slow)

    def slow_worker():
        try:
            letter_requests_render(request_ids=[request.pk], run_label="review:1")
        finally:
            connection.close()

    worker = threading.Thread(target=slow_worker)
    worker.start()
    try:
        assert rendering.wait(timeout=60)
        assert letters_sweep() == {"handed on": 0, "failed": 0}
        assert LetterRequest.objects.get(pk=request.pk).render_retries == 0
    finally:
        go_on.set()
        worker.join(timeout=120)
    assert _outcome(request) == ContactOutcome.SENT
    assert Document.objects.filter(reference="RW440001").count() == 1 and len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_render_whose_database_session_died_mid_letter_is_finished_by_the_sweeper_once(
    law, settings, tmp_path, monkeypatch, mailoutbox
):
    """The worker dies after storing the PDF, before emailing it: its transaction and lock go with its session; the
    sweeper makes the letter again, reusing the stored file, and emails it once."""
    if connection.vendor != "postgresql":
        pytest.skip("a dead PostgreSQL session and its row lock; SQLite locks the whole database")
    settings.MEDIA_ROOT = tmp_path
    request = letter_queued(email=True)
    stored, session_ended, session = threading.Event(), threading.Event(), {}
    real_email = letters_module.document_email

    def dies_before_emailing(**kwargs):
        session["pid"] = connection.connection.info.backend_pid
        stored.set()
        session_ended.wait(timeout=60)

    monkeypatch.setattr(letters_module, "document_email", dies_before_emailing)
    errors = []

    def doomed_worker():
        try:
            letter_requests_render(request_ids=[request.pk], run_label="review:1")
        except Exception as error:  # the session it was using has gone
            errors.append(error)
        finally:
            connections.close_all()

    worker = threading.Thread(target=doomed_worker)
    worker.start()
    try:
        assert stored.wait(timeout=60)
        assert len(stored_pdfs(tmp_path)) == 1
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [session["pid"]])
    finally:
        session_ended.set()
        worker.join(timeout=60)
    assert errors, "the worker's session should have gone"
    monkeypatch.setattr(letters_module, "document_email", real_email)
    age(request, minutes=settings.LETTER_RENDER_STALE_MINUTES + 1)
    wait_for(lambda: letters_sweep()["handed on"] == 1, "the dead session's lock to go")
    assert _outcome(request) == ContactOutcome.SENT
    assert Document.objects.filter(reference="RW440001").count() == 1
    assert len(stored_pdfs(tmp_path)) == 1  # the dead render's file is the same PDF and is reused
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_a_letter_that_kills_its_worker_every_time_is_failed_for_review_after_the_retries(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    request = letter_queued(email=False)
    LetterRequest.objects.filter(pk=request.pk).update(render_retries=settings.LETTER_RENDER_MAX_RETRIES)
    age(request, minutes=settings.LETTER_RENDER_STALE_MINUTES + 1)
    assert letters_sweep() == {"handed on": 0, "failed": 1}
    assert _outcome(request) == ContactOutcome.FAILED
    assert "could not be made after 4 tries" in request.contact.notes
    assert not Document.objects.exists()


def test_the_sweeper_runs_on_beat_more_often_than_a_letter_is_counted_stale():
    from celery.schedules import crontab

    entry = next(e for e in django_settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("sweep_stuck_work"))
    assert isinstance(entry["schedule"], crontab)
    minutes = sorted(entry["schedule"].minute)
    assert max(b - a for a, b in zip(minutes, [*minutes[1:], minutes[0] + 60], strict=True)) <= 2
    assert django_settings.LETTER_RENDER_STALE_MINUTES <= 10


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_process_killed_mid_letter_is_found_by_the_sweeper_and_its_letter_made_once(law, settings, tmp_path):
    """A real worker is stopped with SIGKILL while making a posted letter (held just before it records the letter as
    sent). While it is alive the sweeper leaves it alone; once it is dead, the sweeper makes the letter, once."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker is held by a PostgreSQL row lock (FOR UPDATE); SQLite locks the whole database")
    from django.db import connections as all_connections

    media, outbox = tmp_path / "media", tmp_path / "outbox"
    settings.MEDIA_ROOT = media
    settings.LETTER_RENDER_STALE_MINUTES = 0  # every queued letter counts as stale at once
    request = letter_queued(email=False)
    age(request, minutes=1)
    blocker = all_connections.create_connection("default")
    try:
        blocker.set_autocommit(False)
        with blocker.cursor() as cursor:  # holds the letter's diary entry, which the worker writes last
            cursor.execute("SELECT id FROM arrears_contact WHERE id = %s FOR UPDATE", [request.contact_id])
        sessions_before = other_backends()
        with workers(1, outbox=outbox, media=media) as (queue, [worker]):
            render_letters.apply_async(kwargs={"request_ids": [request.pk], "run_label": "review:1"}, queue=queue)
            wait_for(lambda: backends_waiting_for_a_lock() == 1, "the worker to be mid-letter")
            assert letters_sweep() == {"handed on": 0, "failed": 0}  # alive, however slow
            worker.kill()
        blocker.rollback()
    finally:
        blocker.close()
    wait_for(lambda: not other_backends() - sessions_before, "PostgreSQL to end the dead worker's session")
    assert letters_sweep() == {"handed on": 1, "failed": 0}  # rendered here (no broker: in this process)
    assert _outcome(request) == ContactOutcome.SENT
    document = Document.objects.get(reference="RW440001")
    assert document.delivery_state == DeliveryState.TO_PRINT
    assert len(stored_pdfs(media)) == 1
