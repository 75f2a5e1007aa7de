"""The write-off pages: the reason on the request, queue and approval pages, the write-on, and who may see the run."""

from datetime import date
from decimal import Decimal

import pytest

from rentaccounts.constants import RequestKind, RequestStatus, TransactionType, WriteOffReason
from rentaccounts.models import AdjustmentRequest
from rentaccounts.selectors import balance_differences
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tenancies.models import StaffScope
from tests.factories import TenancyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    account = account_get_or_create(tenancy=TenancyFactory(payment_reference="RW300001"))
    transactions_post(
        postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("180.00"), date(2026, 11, 2), "r:1")]
    )
    account.refresh_from_db()
    return account


def _ask(client, reason="", evidence=""):
    return client.post(
        "/approvals/new/",
        {
            "payment_reference": "RW300001",
            "account_kind": "rent",
            "kind": "write_off",
            "amount": "-180.00",
            "reason": "Left with no forwarding address",
            "write_off_reason": reason,
            "evidence": evidence,
        },
    )


def test_a_write_off_is_asked_for_with_its_reason_and_shown_with_it_everywhere(client, people, account):
    client.force_login(people["officer"])
    html = _ask(client).content.decode()
    assert "Choose why the debt is being written off" in html
    assert "Say what shows this, or add a note" in html
    html = _ask(client, reason=WriteOffReason.BANKRUPTCY, evidence="Register").content.decode()
    assert "No bankruptcy order is recorded on a named tenant of RW300001" in html
    assert not AdjustmentRequest.objects.exists()

    response = _ask(client, reason=WriteOffReason.GONE_AWAY, evidence="Tracing agent found no trace (report 12/11)")
    request = AdjustmentRequest.objects.get()
    assert response.status_code == 302 and request.write_off_reason == WriteOffReason.GONE_AWAY

    client.force_login(people["senior"])
    queue = client.get("/approvals/").content.decode()
    assert 'Write-off<span class="govuk-visually-hidden"> for RW300001</span></a>: gone away and not traced' in queue
    page = client.get(f"/approvals/{request.pk}/").content.decode()
    assert "Gone away and not traced" in page and "Tracing agent found no trace (report 12/11)" in page
    assert "Reverse this write-off" not in page  # not until it is approved
    client.post(f"/approvals/{request.pk}/decide/", {"approve": "1", "reason": "Report seen"})
    page = client.get(f"/approvals/{request.pk}/").content.decode()
    assert "(Write-off: gone away and not traced)" in page
    assert "Reverse this write-off (write-on)" in page
    account_page = client.get("/tenancies/RW300001/account/").content.decode()
    assert "£180.00 written off on" in account_page and ": gone away and not traced" in account_page
    assert "Write-off: gone away and not traced" in account_page  # the ledger line


def test_a_write_on_is_asked_for_from_the_write_off_and_approved_by_someone_else(client, people, account):
    client.force_login(people["officer"])
    _ask(client, reason=WriteOffReason.DECEASED_NO_ESTATE, evidence="Solicitor's letter: no estate")
    write_off = AdjustmentRequest.objects.get()
    client.force_login(people["senior"])
    client.post(f"/approvals/{write_off.pk}/decide/", {"approve": "1", "reason": "Letter seen"})
    account.refresh_from_db()
    assert account.balance == Decimal("0.00")

    client.force_login(people["officer"])
    html = client.post(f"/approvals/{write_off.pk}/write-on/", {"reason": ""}).content.decode()
    assert "Say why the debt is owed again" in html
    response = client.post(f"/approvals/{write_off.pk}/write-on/", {"reason": "The estate has paid after all"})
    write_on = AdjustmentRequest.objects.get(kind=RequestKind.WRITE_ON)
    assert response["Location"] == f"/approvals/{write_on.pk}/"
    again = client.get(f"/approvals/{write_off.pk}/write-on/", follow=True).content.decode()
    assert "a write-on is waiting for a decision" in again

    client.force_login(people["senior"])
    page = client.get(f"/approvals/{write_on.pk}/").content.decode()
    assert "The write-off of £180.00 (deceased with no estate)" in page
    client.post(f"/approvals/{write_on.pk}/decide/", {"approve": "1", "reason": "Cheque cleared"})
    write_on.refresh_from_db()
    account.refresh_from_db()
    assert write_on.status == RequestStatus.APPROVED and account.balance == Decimal("180.00")
    assert "Reverse this write-off" not in client.get(f"/approvals/{write_off.pk}/").content.decode()
    assert balance_differences() == []


def test_only_a_manager_who_sees_every_tenancy_uses_the_small_balance_run(client, people, account):
    client.force_login(people["senior"])
    assert client.get("/approvals/small-balances/").status_code == 403
    client.force_login(people["manager"])
    assert client.get("/approvals/small-balances/").status_code == 200
    StaffScope.objects.create(user=people["manager"], scheme_id=account.tenancy.property.scheme_id)
    client.force_login(people["manager"])
    assert client.get("/approvals/small-balances/").status_code == 403
