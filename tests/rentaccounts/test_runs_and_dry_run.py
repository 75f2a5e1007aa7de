"""Runs you can start and watch (issue 22, item 9): the payment file dry run and its confirm step, the suspense
allocation's check page, the statement run's progress fragment, and the one way money is shown."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.utils.html import escape

from documents.models import Document
from incomeapp.constants import Role
from rentaccounts.constants import AccountKind, ImportStatus, SuspenseStatus, TransactionType
from rentaccounts.models import Account, ImportBatch, StatementRun, SuspenseItem, Transaction
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tenancies.models import Tenancy
from tests.factories import PersonFactory, TenancyFactory, user_with_role
from tests.rentaccounts.conftest import SAMPLE

pytestmark = pytest.mark.django_db


def _upload(client):
    upload = SimpleUploadedFile("payments.csv", SAMPLE.read_bytes(), content_type="text/csv")
    response = client.post("/payments/", {"payment_file": upload, "format": "generic-csv"})
    return response, ImportBatch.objects.get()


def test_the_dry_run_posts_nothing_and_lists_what_it_would_credit(officer_client):
    response, batch = _upload(officer_client)
    assert response["Location"] == f"/payments/imports/{batch.pk}/"
    assert batch.status == ImportStatus.CHECKED
    html = officer_client.get(response["Location"]).content.decode()
    assert not Transaction.objects.exists() and not SuspenseItem.objects.exists()
    assert "Check the payments in payments.csv" in html and "Nothing has been posted yet" in html
    assert "3 rows: £165.50 credited to 3 tenancies" in html
    for reference, amount in (("RW000001", "£100.00"), ("RW000002", "£45.50"), ("RW000003", "£20.00")):
        assert f'href="/tenancies/{reference}/account/"' in html
        assert amount in html
    assert "No tenancy has the payment reference &#x27;ZZ999999&#x27;." in html  # would wait in suspense
    assert "Post 3 payments" in html


def test_confirming_posts_once_even_if_submitted_twice(officer_client):
    _, batch = _upload(officer_client)
    first = officer_client.post(f"/payments/imports/{batch.pk}/post/", follow=True)
    assert "3 payments posted (£165.50 credited); 2 held in suspense." in first.content.decode()
    second = officer_client.post(f"/payments/imports/{batch.pk}/post/", follow=True)
    assert "This file has already been confirmed" in second.content.decode()
    assert Transaction.objects.count() == 3
    assert Account.objects.get(tenancy__payment_reference="RW000001").balance == Decimal("-100.00")
    html = officer_client.get(f"/payments/imports/{batch.pk}/").content.decode()
    assert "Tenancies credited" in html and 'href="/tenancies/RW000002/account/"' in html and "£45.50" in html


def test_the_same_file_uploaded_again_before_confirming_returns_to_its_check(officer_client):
    _, batch = _upload(officer_client)
    response, again = _upload(officer_client)
    assert again.pk == batch.pk and response["Location"] == f"/payments/imports/{batch.pk}/"


def test_cancelling_a_checked_import_keeps_nothing(officer_client):
    _, batch = _upload(officer_client)
    response = officer_client.post(f"/payments/imports/{batch.pk}/cancel/", follow=True)
    assert "was cancelled. Nothing was posted." in response.content.decode()
    assert not ImportBatch.objects.exists() and not Transaction.objects.exists()


def test_the_import_progress_fragment_polls_while_running_and_stops_when_done(officer_client):
    _, batch = _upload(officer_client)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING, rows_read=5, rows_done=2)
    running = officer_client.get(f"/payments/imports/{batch.pk}/progress/").content.decode()
    assert "2 of 5 rows (40%)" in running and 'hx-trigger="every 2s"' in running
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.COMPLETED, rows_done=5)
    done = officer_client.get(f"/payments/imports/{batch.pk}/progress/").content.decode()
    assert "hx-get" not in done and "See what was posted and the accounts credited" in done


def test_allocating_a_suspense_item_shows_the_tenancy_and_posts_once_confirmed(officer_client):
    tenancy = TenancyFactory(
        payment_reference="RW000005", lead_tenant=PersonFactory(first_name="Amina", last_name="Okafor")
    )
    account = account_get_or_create(tenancy=tenancy)
    transactions_post(
        postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("120.00"), date(2026, 11, 2), "r")]
    )
    _, batch = _upload(officer_client)
    officer_client.post(f"/payments/imports/{batch.pk}/post/")
    item = SuspenseItem.objects.get(payment_reference="ZZ999999")
    url = f"/payments/suspense/{item.pk}/allocate/"
    check = officer_client.post(url, {"payment_reference": "RW000005"}).content.decode()
    assert "Check the tenancy before you allocate" in check
    assert "Amina Okafor" in check and escape(tenancy.property.one_line_address) in check
    assert "£120.00 in arrears" in check and "£60.00 credit" in check and "Allocate £60.00 to RW000005" in check
    item.refresh_from_db()
    assert item.status == SuspenseStatus.OPEN and not Transaction.objects.filter(account=account, amount__lt=0).exists()
    done = officer_client.post(url, {"payment_reference": "RW000005", "confirm": "yes"}, follow=True)
    assert "£60.00 credited to RW000005" in done.content.decode()
    again = officer_client.post(url, {"payment_reference": "RW000005", "confirm": "yes"}, follow=True)
    assert "already been allocated" in again.content.decode()
    account.refresh_from_db()
    assert account.balance == Decimal("60.00")
    assert Transaction.objects.filter(account=account, amount=Decimal("-60.00")).count() == 1


@pytest.fixture
def manager_client(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(user_with_role(Role.INCOME_MANAGER))
    return client


def test_a_statement_run_checks_then_starts_and_its_fragment_reports_counts_and_done(
    manager_client, django_capture_on_commit_callbacks
):
    for n in range(2):
        account = account_get_or_create(tenancy=TenancyFactory(payment_reference=f"RW71100{n}"))
        transactions_post(
            postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("100.00"), date(2026, 9, 21), f"r{n}")]
        )
    form = {"period_end_0": "27", "period_end_1": "9", "period_end_2": "2026"}
    check = manager_client.post("/payments/statements/", form).content.decode()
    assert "Check before you start" in check and "29 June 2026 to 27 September 2026" in check
    assert not StatementRun.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post("/payments/statements/", {**form, "start": "yes"})
    run = StatementRun.objects.get()
    assert response["Location"] == f"/payments/statements/{run.pk}/"
    # Tests run Celery eagerly: the chunks ran when the request's transaction committed.
    fragment = manager_client.get(f"/payments/statements/{run.pk}/progress/").content.decode()
    assert "2 of 2 accounts done" in fragment and "hx-get" not in fragment
    assert Document.objects.filter(kind="statement").count() == 2
    assert 'href="/documents/printing/"' in fragment and "Open the PDF" in fragment


def test_a_running_statement_run_fragment_keeps_polling(manager_client):
    run = StatementRun.objects.create(period_end=date(2026, 9, 27), accounts_total=120, chunks_total=3)
    run.results = {"0": {"made": 50, "to_print": 50, "accounts": 50, "no_address": []}}
    run.save()
    fragment = manager_client.get(f"/payments/statements/{run.pk}/progress/").content.decode()
    assert "50 of 120 accounts done (42%)" in fragment
    assert f'hx-get="/payments/statements/{run.pk}/progress/"' in fragment and 'hx-trigger="every 2s"' in fragment
    assert f'href="/payments/statements/{run.pk}/"' in fragment  # Check progress, without JavaScript


def test_a_chunk_reported_twice_counts_once():
    from rentaccounts.services.statement_run import statement_run_chunk_done, statement_run_progress

    run = StatementRun.objects.create(period_end=date(2026, 9, 27), accounts_total=3, chunks_total=1)
    for _ in range(2):
        run = statement_run_chunk_done(run_id=run.pk, chunk=0, accounts=3, result={"made": 3, "no_address": []})
    progress = statement_run_progress(run)
    assert (progress["accounts_done"], progress["made"], progress["finished"]) == (3, 3, True)


def test_an_officer_sees_runs_but_cannot_start_one(client):
    client.force_login(user_with_role(Role.INCOME_OFFICER))
    assert "Start a statement run" not in client.get("/payments/statements/").content.decode()
    form = {"period_end_0": "27", "period_end_1": "9", "period_end_2": "2026", "start": "yes"}
    client.post("/payments/statements/", form)
    assert not StatementRun.objects.exists()


@pytest.mark.parametrize(
    ("amount", "kind", "shown"),
    [
        ("120.00", "balance", "£120.00 in arrears"),
        ("-30.00", "balance", "£30.00 in credit"),
        ("0", "balance", "£0.00"),
        ("-60.00", "credit", "£60.00"),
        ("-60.00", "debit", ""),
        ("100.00", "debit", "£100.00"),
        ("-60.00", "received", "£60.00"),
        ("-60.00", "change", "£60.00 credit"),
        ("25.00", "change", "£25.00 debit"),
    ],
)
def test_one_filter_shows_ledger_money(amount, kind, shown):
    rendered = Template("{% load ledger %}{{ amount|ledger:kind }}").render(
        Context({"amount": Decimal(amount), "kind": kind})
    )
    assert rendered == shown


def test_a_receipt_has_no_minus_sign_on_the_account_page(officer_client):
    account = account_get_or_create(tenancy=Tenancy.objects.get(payment_reference="RW000001"))
    transactions_post(
        postings=[Posting(account.pk, TransactionType.PAYMENT, Decimal("-60.00"), date(2026, 11, 2), "p")]
    )
    html = officer_client.get("/tenancies/RW000001/account/").content.decode()
    assert "-£60.00" not in html and "£60.00 in credit" in html
    assert ">Debit<" in html and ">Credit<" in html
    assert account.kind == AccountKind.RENT


def test_the_statement_run_form_says_what_to_correct(manager_client):
    empty = manager_client.post("/payments/statements/", {}).content.decode()
    assert "<title>Error: " in empty and "govuk-error-summary" in empty
    assert "Enter the last day the statements cover" in empty
    future = {"period_end_0": "1", "period_end_1": "1", "period_end_2": "2099"}
    html = manager_client.post("/payments/statements/", future).content.decode()
    assert "The last day must be today or in the past" in html and 'value="2099"' in html
    assert not StatementRun.objects.exists()
