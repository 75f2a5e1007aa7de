"""Transfers move money in credit between one household's accounts (the same tenancy's, or another tenancy of the same
tenant); anything else needs an Income Manager to approve it."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from rentaccounts.constants import AccountKind, RequestKind, RequestStatus, TransactionType
from rentaccounts.models import AdjustmentRequest
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from rentaccounts.services.approvals import adjustment_request_approve, adjustment_request_create
from tests.factories import PersonFactory, TenancyFactory

pytestmark = pytest.mark.django_db
NEEDS_MANAGER = "This transfer needs an Income Manager to approve it"


def _account(amount, tenancy=None, kind=AccountKind.RENT):
    account = account_get_or_create(tenancy=tenancy or TenancyFactory(), kind=kind)
    kind_posted = TransactionType.PAYMENT if Decimal(amount) < 0 else TransactionType.RENT_DEBIT
    key = f"{kind_posted}:{account.pk}"
    transactions_post(postings=[Posting(account.pk, kind_posted, Decimal(amount), date(2026, 11, 2), key)])
    account.refresh_from_db()
    return account


def _transfer(people, source, destination, amount):
    return adjustment_request_create(
        kind=RequestKind.TRANSFER,
        account=source,
        to_account=destination,
        amount=Decimal(amount),
        reason="Move it",
        requested_by=people["officer"],
    )


def _approve(request, approver):
    return adjustment_request_approve(request=request, approver=approver, reason="Agreed")


def test_a_transfer_to_another_households_account_needs_an_income_manager_but_not_to_the_same_tenants(people):
    source = _account("-80.00")
    stranger = _account("200.00")
    request = _transfer(people, source, stranger, "80.00")
    message = rf"^{NEEDS_MANAGER}: RW\d+ is not one of RW\d+'s accounts, nor another tenancy of the same tenant\.$"
    with pytest.raises(PermissionDenied, match=message):
        _approve(request, people["senior"])
    assert AdjustmentRequest.objects.get(pk=request.pk).status == RequestStatus.PENDING
    _approve(request, people["manager"])
    stranger.refresh_from_db()
    assert stranger.balance == Decimal("120.00")

    # Money in credit to another home of one of the same tenants (here a joint tenant there): the usual approval.
    tenant = PersonFactory()
    old = _account("-120.00", tenancy=TenancyFactory(lead_tenant=tenant))
    joint = TenancyFactory()
    joint.tenancy_tenants.create(person=tenant)
    new = _account("300.00", tenancy=joint)
    _approve(_transfer(people, old, new, "120.00"), people["senior"])
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.balance, new.balance) == (Decimal("0.00"), Decimal("180.00"))


def test_a_transfer_of_more_than_the_credit_needs_an_income_manager(people):
    tenancy = TenancyFactory()
    rent = _account("-50.00", tenancy=tenancy)
    costs = _account("200.00", tenancy=tenancy, kind=AccountKind.COURT_COSTS)
    request = _transfer(people, rent, costs, "150.00")
    with pytest.raises(PermissionDenied, match=rf"{NEEDS_MANAGER}: it moves £150\.00 but RW\d+ has £50\.00 in credit"):
        _approve(request, people["senior"])
    # The credit covers a smaller sum: the usual approval.
    _approve(_transfer(people, rent, costs, "50.00"), people["senior"])
    # And the balance is read when deciding: the credit is spent now, so even £50 more needs a manager.
    again = _transfer(people, rent, costs, "50.00")
    with pytest.raises(PermissionDenied, match=r"has £0\.00 in credit"):
        _approve(again, people["senior"])
    _approve(request, people["manager"])


def test_carrying_a_debt_to_the_same_tenants_new_tenancy_is_usual_but_not_to_a_stranger(people):
    tenant = PersonFactory()
    old = _account("128.57", tenancy=TenancyFactory(lead_tenant=tenant))
    new = _account("20.00", tenancy=TenancyFactory(lead_tenant=tenant))
    # The new account is charged the debt and the old one credited (lifecycle's balance carry).
    _approve(_transfer(people, new, old, "128.57"), people["senior"])
    old.refresh_from_db()
    assert old.balance == Decimal("0.00")

    someone_elses = _account("20.00")
    owed = _account("90.00", tenancy=TenancyFactory(lead_tenant=tenant))
    with pytest.raises(PermissionDenied, match=NEEDS_MANAGER):
        _approve(_transfer(people, someone_elses, owed, "90.00"), people["senior"])


def test_the_form_says_where_a_transfer_may_go_and_what_needs_a_manager(client, people):
    tenant = PersonFactory()
    source = _account("-40.00", tenancy=TenancyFactory(lead_tenant=tenant))
    own_other = TenancyFactory(lead_tenant=tenant)
    stranger = TenancyFactory()
    client.force_login(people["officer"])
    reference = source.tenancy.payment_reference
    page = client.get(f"/approvals/new/?reference={reference}").content.decode()
    assert f"The same tenant's other tenancies: {own_other.payment_reference}." in page
    assert stranger.payment_reference not in page

    form = {
        "payment_reference": reference,
        "account_kind": "rent",
        "kind": "transfer",
        "amount": "40.00",
        "to_account_kind": "rent",
        "reason": "Paid to the wrong reference",
    }
    usual = client.post("/approvals/new/", {**form, "to_payment_reference": own_other.payment_reference}, follow=True)
    assert "Someone with enough delegated authority will decide it." in usual.content.decode()
    AdjustmentRequest.objects.all().delete()
    response = client.post("/approvals/new/", {**form, "to_payment_reference": stranger.payment_reference}, follow=True)
    html = response.content.decode()
    assert "Sent for approval. An Income Manager must approve it:" in html
    assert f"{stranger.payment_reference} is not one of {reference}&#x27;s accounts" in html
    request = AdjustmentRequest.objects.get()

    client.force_login(people["senior"])
    assert "Needs an Income Manager" in client.get("/approvals/").content.decode()
    detail = client.get(f"/approvals/{request.pk}/").content.decode()
    assert "Approve and post" not in detail and "An Income Manager must approve this transfer" in detail
    client.force_login(people["manager"])
    assert "Approve and post" in client.get(f"/approvals/{request.pk}/").content.decode()
