from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from incomeapp.constants import Role
from rentaccounts.constants import AccountKind, SuspenseStatus
from rentaccounts.models import Account, ImportBatch, SuspenseItem
from tests.factories import user_with_role
from tests.rentaccounts.conftest import SAMPLE

pytestmark = pytest.mark.django_db


def _upload(client, content=None, fmt="generic-csv", confirm=True):
    """Uploads the file (a dry run) and, unless `confirm` is False, posts it from the check page."""
    upload = SimpleUploadedFile("payments.csv", content or SAMPLE.read_bytes(), content_type="text/csv")
    response = client.post("/payments/", {"payment_file": upload, "format": fmt})
    if confirm and response.status_code == 302:
        batch = ImportBatch.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])
        client.post(f"/payments/imports/{batch.pk}/post/")
    return response


def test_upload_shows_the_result_report(officer_client):
    response = _upload(officer_client)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/payments/imports/{batch.pk}/"
    html = officer_client.get(response["Location"]).content.decode()
    assert "3 payments posted" in html
    assert "£165.50" in html
    assert "No tenancy has the payment reference &#x27;ZZ999999&#x27;." in html


def test_a_repeated_file_is_refused_with_a_plain_message(officer_client):
    _upload(officer_client)
    html = _upload(officer_client).content.decode()
    assert "govuk-error-summary" in html
    assert "This file was already imported on" in html
    assert ImportBatch.objects.count() == 1


def test_missing_choices_are_explained(officer_client):
    html = officer_client.post("/payments/", {}).content.decode()
    assert "Choose the payment file to import" in html
    assert "Choose what kind of file it is" in html


def test_allocating_from_the_suspense_page(officer_client):
    _upload(officer_client)
    item = SuspenseItem.objects.get(payment_reference="ZZ999999")
    assert "ZZ999999" in officer_client.get("/payments/suspense/").content.decode()
    wrong = officer_client.post(f"/payments/suspense/{item.pk}/allocate/", {"payment_reference": "NOPE1"})
    assert wrong.status_code == 200
    assert "No tenancy has the payment reference NOPE1" in wrong.content.decode()
    done = officer_client.post(
        f"/payments/suspense/{item.pk}/allocate/", {"payment_reference": "rw000003", "confirm": "yes"}
    )
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.status == SuspenseStatus.ALLOCATED
    assert Account.objects.get(tenancy__payment_reference="RW000003", kind=AccountKind.RENT).balance == Decimal(
        "-80.00"
    )


def test_an_unreadable_amount_must_be_entered(officer_client):
    _upload(officer_client)
    item = SuspenseItem.objects.get(payment_reference="RW000004")
    page = officer_client.get(f"/payments/suspense/{item.pk}/").content.decode()
    assert "The file did not give an amount we could read." in page
    response = officer_client.post(f"/payments/suspense/{item.pk}/allocate/", {"payment_reference": "RW000004"})
    assert "Enter the amount received, like 12.50" in response.content.decode()
    officer_client.post(
        f"/payments/suspense/{item.pk}/allocate/",
        {"payment_reference": "RW000004", "amount": "£12.00", "confirm": "yes"},
    )
    assert Account.objects.get(tenancy__payment_reference="RW000004", kind=AccountKind.RENT).balance == Decimal(
        "-12.00"
    )


def test_rejecting_from_the_suspense_page(officer_client):
    _upload(officer_client)
    item = SuspenseItem.objects.get(payment_reference="ZZ999999")
    assert (
        "Say why this payment is rejected"
        in officer_client.post(f"/payments/suspense/{item.pk}/reject/", {}).content.decode()
    )
    officer_client.post(f"/payments/suspense/{item.pk}/reject/", {"reason": "Returned to the payer"})
    item.refresh_from_db()
    assert item.status == SuspenseStatus.REJECTED


def test_a_support_worker_cannot_reach_payments(client):
    client.force_login(user_with_role(Role.SUPPORT_WORKER))
    assert client.get("/payments/").status_code == 403
    assert client.get("/payments/suspense/").status_code == 403
