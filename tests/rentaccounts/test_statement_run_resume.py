"""A statement run that waits on Celery gives up after its timeout with a clear message saying how to resume;
resuming makes only the statements still missing, even beside the first run's chunks still in the queue; and two
workers making the same account's statement at once make one and send one email."""

import json
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

import rentaccounts.management.commands.generate_statements as command_module
import rentaccounts.services.statements as statements_module
from documents.models import Document
from incomeapp.celery import app as celery_app
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from rentaccounts.services.statement_run import statements_make
from tenancies.constants import ContactChannel
from tests.documents.workers import backends_waiting_for_a_lock, emails_in, stored_pdfs, wait_for, workers
from tests.factories import PersonFactory, TenancyFactory

PERIOD_END = date(2026, 9, 27)


def _accounts(count: int, *, emailer_at: int | None = None) -> list:
    accounts = []
    for n in range(count):
        person = (
            PersonFactory(preferred_contact=ContactChannel.EMAIL, email=f"tenant{n}@example.org")
            if n == emailer_at
            else PersonFactory()
        )
        account = account_get_or_create(tenancy=TenancyFactory(payment_reference=f"RW66000{n}", lead_tenant=person))
        transactions_post(
            postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("100.00"), date(2026, 9, 21), f"r{n}")]
        )
        accounts.append(account)
    return accounts


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_statement_run_that_times_out_says_how_to_resume_and_resuming_makes_nothing_twice(
    settings, tmp_path, monkeypatch, capsys
):
    if not settings.CELERY_BROKER_URL:
        pytest.skip("CELERY_BROKER_URL is not set")
    media, outbox = tmp_path / "media", tmp_path / "outbox"
    settings.MEDIA_ROOT = media
    accounts = _accounts(5, emailer_at=4)
    statements_make(account_ids=[accounts[0].pk, accounts[1].pk], period_end=PERIOD_END)  # a run that died part way
    monkeypatch.setattr(command_module, "CHUNK", 1)
    celery_app.control.purge()
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False  # to the broker, where no worker is listening yet
    try:
        with pytest.raises(CommandError) as timed_out:
            call_command("generate_statements", "--period-end", "2026-09-27", "--timeout", "1")
        message = str(timed_out.value)
        assert "had not finished the statements after 1 seconds" in message
        assert "0 of 5 chunks done; 2 of 5 statements made so far" in message
        assert "run the same command again: python manage.py generate_statements --period-end 2026-09-27" in message
        assert "never a statement twice" in message

        with workers(1, queue=celery_app.conf.task_default_queue, outbox=outbox, media=media):
            call_command("generate_statements", "--period-end", "2026-09-27", "--json")
            # The first run's chunks, still in the queue, are done by the worker beside the second run's.
            summary = json.loads(capsys.readouterr().out)
    finally:
        celery_app.conf.task_always_eager = eager
        celery_app.control.purge()
    assert summary["accounts"] == 5 and summary["made"] + summary["already_made"] == 5
    keys = list(Document.objects.values_list("idempotency_key", flat=True))
    assert sorted(keys) == sorted(f"statement:{account.pk}:2026-09-27" for account in accounts)
    assert len(stored_pdfs(media)) == 5
    assert len(emails_in(outbox)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_making_the_same_statement_at_once_make_one_and_send_one_email(
    settings, tmp_path, monkeypatch, mailoutbox
):
    """The first worker is held inside the renderer; the second waits for it (the statement's lock), then finds the
    statement made and sent."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's locks")
    settings.MEDIA_ROOT = tmp_path
    [account] = _accounts(1, emailer_at=0)
    first_rendering, go_on = threading.Event(), threading.Event()
    render = statements_module.statement_pdf

    def first_waits(*args, **kwargs):
        if threading.current_thread().name == "first-worker":
            first_rendering.set()
            go_on.wait(timeout=60)
        return render(*args, **kwargs)

    monkeypatch.setattr(statements_module, "statement_pdf", first_waits)
    results = {}

    def make(name):
        try:
            results[name] = statements_make(account_ids=[account.pk], period_end=PERIOD_END)
        finally:
            connection.close()

    first = threading.Thread(target=make, args=["first"], name="first-worker")
    second = threading.Thread(target=make, args=["second"], name="second-worker")
    first.start()
    try:
        assert first_rendering.wait(timeout=60)
        second.start()
        wait_for(lambda: "second" in results or backends_waiting_for_a_lock() == 1, "the second worker to wait or end")
    finally:
        go_on.set()
        first.join(timeout=120)
        second.join(timeout=120)
    assert results["first"]["made"] == 1 and results["second"] == {
        "already_made": 1,
        "pages": 0,
        "emailed": 1,
        "no_address": [],
    }
    assert Document.objects.filter(reference="RW660000").count() == 1
    assert len(mailoutbox) == 1 and len(stored_pdfs(tmp_path)) == 1
