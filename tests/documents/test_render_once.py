"""Rendering the same letter twice at once makes one document and sends one email: the letter's row lock lets one
worker make it while the other skips it, and the database refuses a second document with the same idempotency key."""

import threading
from datetime import date

import pytest
from django.db import connection

import documents.services as document_services
from arrears.constants import ContactOutcome
from arrears.letters import IN_HAND_ELSEWHERE, letter_requests_render
from arrears.tasks import render_letters
from documents.constants import DeliveryState, DocumentKind
from documents.models import Document
from documents.services import document_store
from tests.documents.workers import emails_in, letter_queued, stored_pdfs, workers


@pytest.mark.django_db(transaction=True)
def test_two_workers_rendering_the_same_letter_at_once_make_one_document_and_send_one_email(
    law, settings, tmp_path, monkeypatch, mailoutbox
):
    """The first worker is held inside the renderer until the second has finished with the same letter."""
    if connection.vendor != "postgresql":
        pytest.skip("the second worker skips a letter in hand by PostgreSQL's row lock; SQLite makes it wait instead")
    settings.MEDIA_ROOT = tmp_path
    request = letter_queued(email=True)
    first_rendering, second_finished = threading.Event(), threading.Event()
    render = document_services.letter_pdf

    def first_waits_for_the_second(**kwargs):
        if threading.current_thread().name == "first-worker":
            first_rendering.set()
            second_finished.wait(timeout=60)
        return render(**kwargs)

    monkeypatch.setattr(document_services, "letter_pdf", first_waits_for_the_second)
    results = {}

    def first_worker():
        try:
            results["first"] = letter_requests_render(request_ids=[request.pk], run_label="review:1")
        finally:
            connection.close()

    first = threading.Thread(target=first_worker, name="first-worker")
    first.start()
    try:
        assert first_rendering.wait(timeout=60), "the first worker never started rendering"
        results["second"] = letter_requests_render(request_ids=[request.pk], run_label="review:1")
    finally:
        second_finished.set()
        first.join(timeout=120)

    assert results == {"first": {ContactOutcome.SENT: 1}, "second": {IN_HAND_ELSEWHERE: 1}}
    documents = Document.objects.filter(reference="RW440001")
    assert documents.count() == 1
    assert documents.get().delivery_state == DeliveryState.EMAILED
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["ada@example.org"]
    assert len(stored_pdfs(tmp_path)) == 1
    request.contact.refresh_from_db()
    assert request.contact.outcome == ContactOutcome.SENT


@pytest.mark.django_db
def test_the_database_refuses_a_second_document_with_the_same_key(settings, tmp_path):
    """Even a caller that skipped the lock gets the first document back, and no second row or file is kept."""
    settings.MEDIA_ROOT = tmp_path
    from documents.rendering import letter_pdf

    pdf = letter_pdf(
        title="Reminder",
        landlord={"name": "Landlord", "address_lines": ["1 High Street"]},
        recipient={"name": "Ada Email", "address_lines": ["2 Low Road"]},
        reference="RW440001",
        dated=date(2026, 11, 30),
        body_html="<p>Please pay.</p>",
    )
    made = [
        document_store(
            kind=DocumentKind.LETTER,
            pdf=pdf,
            title="Reminder",
            reference="RW440001",
            subject_key="letter-request:1:person:1",
            recipient_name="Ada Email",
            idempotency_key="letter-request:1:person:1",
        )
        for _ in range(2)
    ]
    assert made[0].pk == made[1].pk
    assert Document.objects.count() == 1 and len(stored_pdfs(tmp_path)) == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_real_worker_processes_given_the_same_letter_make_one_document_and_send_one_email(law, settings, tmp_path):
    media, outbox = tmp_path / "media", tmp_path / "outbox"
    settings.MEDIA_ROOT = media
    request = letter_queued(email=True)
    with workers(2, outbox=outbox, media=media) as (queue, _):
        sent = [
            render_letters.apply_async(kwargs={"request_ids": [request.pk], "run_label": "review:1"}, queue=queue)
            for _ in range(2)
        ]
        outcomes = [result.get(timeout=120) for result in sent]
    assert sum(outcome.get(ContactOutcome.SENT, 0) for outcome in outcomes) == 1  # the other skipped it
    assert Document.objects.filter(reference="RW440001").count() == 1
    assert len(emails_in(outbox)) == 1
    assert len(stored_pdfs(media)) == 1
    request.contact.refresh_from_db()
    assert request.contact.outcome == ContactOutcome.SENT
