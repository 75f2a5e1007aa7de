"""A bad file never sticks nor loses the good rows; an import killed at any point resumes with nothing duplicated."""

from datetime import timedelta
from decimal import Decimal

import psycopg
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from incomeapp.constants import Role
from rentaccounts.constants import ImportStatus
from rentaccounts.imports import services
from rentaccounts.imports.formats import CONTROL_CHARACTER, FORMATS, UNREADABLE_LINE
from rentaccounts.imports.services import (
    IMPORT_LOCK,
    MOST_ATTEMPTS,
    STALLED_AFTER,
    import_batch_create,
    import_batch_process,
    import_batch_retry,
    import_batches_recover,
)
from rentaccounts.models import Account, AdjustmentRequest, ImportBatch, SuspenseItem, Transaction
from rentaccounts.selectors import balance_differences
from rentaccounts.services import account_get_or_create, transactions_post
from tests.factories import TenancyFactory, user_with_role
from tests.rentaccounts.conftest import transactions_post_fails_on_call

pytestmark = pytest.mark.django_db
HEADER = b"payment_reference,date,amount,method,transaction_id\n"
REFS = [f"RW00000{n}" for n in range(1, 6)]


class WorkerDied(BaseException):
    """What the import sees when its process is killed: nothing after it runs, not even an `except Exception`."""


@pytest.fixture
def tenancies():
    return {ref: TenancyFactory(payment_reference=ref) for ref in REFS}


@pytest.fixture
def officer():
    return user_with_role(Role.INCOME_OFFICER)


def _good_rows(count=10):
    """`count` good payments, two per tenancy: £1.00, £2.00, ... so every total is checkable."""
    return b"".join(f"{REFS[n % 5]},23/11/2026,{n + 1}.00,card,T-{n}\n".encode() for n in range(count))


def _expected_total(count=10):
    return sum(Decimal(n + 1) for n in range(count))


def _posted_once(count=10):
    keys = list(Transaction.objects.values_list("idempotency_key", flat=True))
    assert sorted(keys) == sorted(f"import:generic-csv:T-{n}" for n in range(count)), "every row posted exactly once"
    assert sum(Account.objects.values_list("balance", flat=True)) == -_expected_total(count)
    assert balance_differences() == []


HOSTILE_AMOUNTS = {
    "1e308": "scientific notation",
    "1E3": "scientific notation",
    "99999999999": "more than the largest amount allowed",
    "1000000000000": "more than the largest amount allowed",
    "9" * 30: "too many digits",
    "1,0,0": "commas are in the wrong places",
    "12\x00": CONTROL_CHARACTER,
    "١٢٣": "digits other than 0 to 9",
    "１２.５０": "digits other than 0 to 9",
    "NaN": "is not an amount of money",
    "-Infinity": "is not an amount of money",
    "12.345": "more than two decimal places",
    "": "No amount was given",
}


def test_hostile_amounts_are_row_errors_with_plain_reasons_and_the_good_rows_post(tenancies, officer):
    bad = b"".join(
        f'RW000001,23/11/2026,"{amount}",card,BAD-{n}\n'.encode() for n, amount in enumerate(HOSTILE_AMOUNTS)
    )
    content = HEADER + _good_rows(5) + bad + _good_rows(10)[len(_good_rows(5)) :]
    batch = import_batch_process(
        batch_id=import_batch_create(file_name="p.csv", content=content, format="generic-csv", uploaded_by=officer).pk
    )
    assert batch.status == ImportStatus.COMPLETED
    assert (batch.rows_read, batch.rows_posted, batch.rows_suspense) == (10 + len(HOSTILE_AMOUNTS), 10, 13)
    assert batch.total_posted == _expected_total()
    reasons = dict(SuspenseItem.objects.values_list("external_id", "reason"))
    for n, says in enumerate(HOSTILE_AMOUNTS.values()):
        assert says in reasons[f"BAD-{n}"]
        assert "\x00" not in reasons[f"BAD-{n}"]
    _posted_once()


def test_nul_bytes_anywhere_in_a_line_hold_that_line_and_nothing_else(tenancies, officer):
    content = (
        b"payment_reference,date,amount,method,transaction_id,notes\x00\n"
        + _good_rows(4)
        + b"RW000001\x00,23/11/2026,5.00,card,NUL-1,\n"
        + b"RW000002,23/11/2026,5.00,card,NUL-\x002,\n"
        + b"RW000003,23/11/2026,5.00,card,NUL-3,a note\x00\x01\n"
        + _good_rows(10)[len(_good_rows(4)) :]
    )
    batch = import_batch_process(
        batch_id=import_batch_create(file_name="p.csv", content=content, format="generic-csv", uploaded_by=officer).pk
    )
    assert (batch.status, batch.rows_posted, batch.rows_suspense) == (ImportStatus.COMPLETED, 10, 3)
    held = SuspenseItem.objects.all()
    assert {item.reason for item in held} == {CONTROL_CHARACTER}
    assert all("\x00" not in str(item.raw) + item.payment_reference + item.external_id for item in held)
    _posted_once()


def test_a_line_the_csv_reader_cannot_read_is_held_and_the_rest_of_the_file_posts(tenancies, officer):
    content = HEADER + _good_rows(3) + b"RW000001,23/11/2026,5.00\rcard,BROKEN\n" + _good_rows(10)[len(_good_rows(3)) :]
    batch = import_batch_process(
        batch_id=import_batch_create(file_name="p.csv", content=content, format="generic-csv", uploaded_by=officer).pk
    )
    assert (batch.status, batch.rows_posted, batch.rows_suspense) == (ImportStatus.COMPLETED, 10, 1)
    assert SuspenseItem.objects.get().reason == UNREADABLE_LINE
    _posted_once()


@pytest.mark.parametrize("k", [0, 1, 2, 3, 4])
def test_an_import_killed_after_chunk_k_resumes_with_every_row_posted_once(tenancies, officer, monkeypatch, k):
    """Chunks of 2 lines: the fault strikes while posting chunk k+1; Try again finishes the rest."""
    content = HEADER + _good_rows() + b"ZZ999999,23/11/2026,9.00,card,T-Z\n"
    batch = import_batch_create(file_name="p.csv", content=content, format="generic-csv", uploaded_by=officer)
    monkeypatch.setattr(services, "CHUNK_LINES", 2)
    transactions_post_fails_on_call(monkeypatch, services, k + 1)
    batch = import_batch_process(batch_id=batch.pk)
    assert batch.status == ImportStatus.FAILED
    assert batch.error == services.STOPPED
    assert batch.rows_posted == Transaction.objects.count() == 2 * k
    assert balance_differences() == []

    monkeypatch.setattr(services, "transactions_post", transactions_post)
    batch = import_batch_process(batch_id=import_batch_retry(batch=batch, user=officer).pk)
    assert (batch.status, batch.rows_posted, batch.total_posted, batch.rows_suspense, batch.rows_rejected) == (
        ImportStatus.COMPLETED,
        10,
        _expected_total(),
        1,
        0,
    )
    assert (batch.attempts, len(batch.report["tried_again"])) == (2, 1)
    assert SuspenseItem.objects.count() == 1
    _posted_once()


@pytest.mark.parametrize("where", ["_process", "_post_in_chunks", "_batch_finish", "rent_accounts_by_reference"])
def test_a_fault_anywhere_in_the_import_fails_the_batch_plainly_and_a_retry_finishes_it(
    tenancies, officer, monkeypatch, where
):
    batch = import_batch_create(
        file_name="p.csv", content=HEADER + _good_rows(), format="generic-csv", uploaded_by=officer
    )
    real = getattr(services, where)

    def fault(*args, **kwargs):
        raise RuntimeError("something unexpected")

    monkeypatch.setattr(services, where, fault)
    batch = import_batch_process(batch_id=batch.pk)
    assert (batch.status, batch.error) == (ImportStatus.FAILED, services.STOPPED)
    assert "something unexpected" not in batch.error
    monkeypatch.setattr(services, where, real)
    batch = import_batch_process(batch_id=import_batch_retry(batch=batch, user=officer).pk)
    assert batch.status == ImportStatus.COMPLETED
    _posted_once()


def test_a_file_whose_import_failed_can_be_uploaded_again_and_resumes(tenancies, officer, monkeypatch):
    content = HEADER + _good_rows()
    monkeypatch.setattr(services, "CHUNK_LINES", 4)
    transactions_post_fails_on_call(monkeypatch, services, 2)
    first = import_batch_process(
        batch_id=import_batch_create(file_name="p.csv", content=content, format="generic-csv", uploaded_by=officer).pk
    )
    assert first.status == ImportStatus.FAILED
    again = import_batch_create(file_name="p (1).csv", content=content, format="generic-csv", uploaded_by=officer)
    assert again.pk == first.pk  # the same batch, resumed: the file's hash stays unique
    assert again.status == ImportStatus.QUEUED
    again = import_batch_process(batch_id=again.pk)
    assert (again.status, again.rows_posted, again.total_posted) == (ImportStatus.COMPLETED, 10, _expected_total())
    _posted_once()
    with pytest.raises(ValidationError, match="already imported on"):
        import_batch_create(file_name="p.csv", content=content, format="generic-csv", uploaded_by=officer)


def test_a_file_being_imported_is_not_started_twice(tenancies, officer):
    content = HEADER + _good_rows()
    batch = import_batch_create(file_name="p.csv", content=content, format="generic-csv", uploaded_by=officer)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING)
    with pytest.raises(ValidationError, match="is being imported now") as refused:
        import_batch_create(file_name="p.csv", content=content, format="generic-csv", uploaded_by=officer)
    assert refused.value.code == "in_progress"
    with pytest.raises(ValidationError, match="is being imported now"):
        import_batch_retry(batch=batch, user=officer)


def _as_if_no_progress_since(batch, minutes):
    ImportBatch.objects.filter(pk=batch.pk).update(updated_at=timezone.now() - timedelta(minutes=minutes))


def test_a_batch_whose_worker_died_is_resumed_by_the_sweeper_and_posts_each_row_once(
    tenancies, officer, monkeypatch, django_capture_on_commit_callbacks
):
    batch = import_batch_create(
        file_name="p.csv", content=HEADER + _good_rows(), format="generic-csv", uploaded_by=officer
    )
    monkeypatch.setattr(services, "CHUNK_LINES", 4)
    transactions_post_fails_on_call(monkeypatch, services, 3, WorkerDied())
    with pytest.raises(WorkerDied):
        import_batch_process(batch_id=batch.pk)
    batch.refresh_from_db()
    assert (batch.status, Transaction.objects.count()) == (ImportStatus.RUNNING, 8)
    monkeypatch.setattr(services, "transactions_post", transactions_post)

    assert import_batches_recover() == {"resumed": [], "failed": []}  # too soon: it may still be working
    _as_if_no_progress_since(batch, STALLED_AFTER.total_seconds() // 60 + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert import_batches_recover() == {"resumed": [batch.pk], "failed": []}
    batch.refresh_from_db()
    assert (batch.status, batch.rows_posted, batch.attempts) == (ImportStatus.COMPLETED, 10, 2)
    _posted_once()


def test_the_sweeper_leaves_alone_a_slow_import_that_a_live_process_is_working_on(tenancies, officer):
    if connection.vendor != "postgresql":
        pytest.skip("a live import is known by its PostgreSQL advisory lock; elsewhere one process imports at a time")
    batch = import_batch_create(
        file_name="p.csv", content=HEADER + _good_rows(), format="generic-csv", uploaded_by=officer
    )
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING, attempts=1)
    _as_if_no_progress_since(batch, 60)
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    ) as worker:
        worker.execute("SELECT pg_advisory_lock(%s, %s)", [IMPORT_LOCK, batch.pk])
        assert import_batches_recover() == {"resumed": [], "failed": []}
        assert import_batch_process(batch_id=batch.pk).status == ImportStatus.RUNNING  # not a second import at once
        with pytest.raises(ValidationError, match="is being imported now"):
            import_batch_retry(batch=batch, user=officer)
    assert not Transaction.objects.exists()


def test_a_batch_that_keeps_dying_is_failed_with_a_plain_message_for_a_person(tenancies, officer):
    batch = import_batch_create(
        file_name="p.csv", content=HEADER + _good_rows(), format="generic-csv", uploaded_by=officer
    )
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING, attempts=MOST_ATTEMPTS)
    _as_if_no_progress_since(batch, 60)
    assert import_batches_recover() == {"resumed": [], "failed": [batch.pk]}
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert batch.error.startswith(f"The import stopped {MOST_ATTEMPTS} times without finishing")
    assert "Try again" in batch.error
    batch = import_batch_process(batch_id=import_batch_retry(batch=batch, user=officer).pk)
    assert batch.status == ImportStatus.COMPLETED
    _posted_once()


def test_a_queued_import_whose_task_was_lost_is_started_by_the_sweeper(
    tenancies, officer, django_capture_on_commit_callbacks
):
    batch = import_batch_create(
        file_name="p.csv", content=HEADER + _good_rows(), format="generic-csv", uploaded_by=officer
    )
    _as_if_no_progress_since(batch, 30)
    with django_capture_on_commit_callbacks(execute=True):
        assert import_batches_recover()["resumed"] == [batch.pk]
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMPLETED
    _posted_once()


def test_the_recovery_task_is_scheduled():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "rentaccounts.tasks.recover_stalled_imports" in tasks


def test_every_format_turns_a_hostile_amount_into_a_held_row():
    hostile = "1e308"
    files = {
        "generic-csv": HEADER + f"RW000001,23/11/2026,{hostile},card,T-1\n".encode(),
        "hb-schedule": b"claim_reference,payment_reference,period_from,period_to,amount,payment_date\n"
        + f"HB-1,RW000001,26/10/2026,22/11/2026,{hostile},23/11/2026\n".encode(),
        "uc-managed-payment": b"uc_reference,payment_reference,assessment_period_start,assessment_period_end,"
        b"housing_costs,arrears_deduction,payment_date\n"
        + f"UC-1,RW000001,15/10/2026,14/11/2026,{hostile},{hostile},23/11/2026\n".encode(),
    }
    for name, content in files.items():
        rows = list(FORMATS[name].parse(content))
        assert rows and all("scientific notation" in row.problem and row.amount is None for row in rows), name


# Pages: a failed import says what to do and offers Try again; an absurd amount is a form error, not a server error.


@pytest.fixture
def officer_client(client, tenancies, officer):
    client.force_login(officer)
    return client


def test_the_page_of_a_failed_import_offers_try_again_and_it_finishes_the_import(officer_client, monkeypatch):
    monkeypatch.setattr(services, "_post_in_chunks", lambda *args: (_ for _ in ()).throw(RuntimeError("fault")))
    upload = SimpleUploadedFile("p.csv", HEADER + _good_rows(), content_type="text/csv")
    response = officer_client.post("/payments/", {"payment_file": upload, "format": "generic-csv"})
    batch = ImportBatch.objects.get()
    assert response["Location"] == f"/payments/imports/{batch.pk}/"
    officer_client.post(f"/payments/imports/{batch.pk}/post/")  # confirmed after the dry run
    html = officer_client.get(response["Location"]).content.decode()
    assert "The file could not be imported" in html
    assert "Choose Try again" in html and "Nothing was posted." in html
    assert f'action="/payments/imports/{batch.pk}/try-again/"' in html
    monkeypatch.undo()
    response = officer_client.post(f"/payments/imports/{batch.pk}/try-again/")
    assert response.status_code == 302
    html = officer_client.get(f"/payments/imports/{batch.pk}/").content.decode()
    assert "10 payments posted" in html
    assert "try-again" not in html
    _posted_once()


def test_uploading_a_failed_file_again_on_the_payments_page_resumes_it(officer_client, monkeypatch):
    monkeypatch.setattr(services, "_post_in_chunks", lambda *args: (_ for _ in ()).throw(RuntimeError("fault")))
    content = HEADER + _good_rows()
    officer_client.post("/payments/", {"payment_file": SimpleUploadedFile("p.csv", content), "format": "generic-csv"})
    officer_client.post(f"/payments/imports/{ImportBatch.objects.get().pk}/post/")  # confirmed after the dry run
    monkeypatch.undo()
    response = officer_client.post(
        "/payments/", {"payment_file": SimpleUploadedFile("p.csv", content), "format": "generic-csv"}
    )
    assert response.status_code == 302
    assert ImportBatch.objects.get().status == ImportStatus.COMPLETED
    _posted_once()


@pytest.mark.parametrize("amount", ["1e308", str(10**12), "99999999999", "-1E+308", "1,0,0", "١٠٠", "NaN"])
def test_an_approval_request_with_an_absurd_amount_gets_a_form_error_not_a_server_error(client, amount):
    account = account_get_or_create(tenancy=TenancyFactory())
    client.force_login(user_with_role(Role.INCOME_OFFICER))
    response = client.post(
        "/approvals/new/",
        {
            "payment_reference": account.tenancy.payment_reference,
            "account_kind": "rent",
            "kind": "adjustment",
            "amount": amount,
            "reason": "Typed by mistake",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    says = ("is not an amount of money", "more than the largest amount allowed here", "digits other than 0 to 9")
    assert any(message in html for message in says)
    assert not AdjustmentRequest.objects.exists()
