"""Maker and checker: an officer asks, someone else within their delegated authority decides; approval posts."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError

from incomeapp.constants import Role
from rentaccounts.approvals import adjustment_request_approve, adjustment_request_create, adjustment_request_reject
from rentaccounts.constants import AccountKind, RequestKind, RequestStatus, TransactionType
from rentaccounts.models import AdjustmentRequest, Transaction
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.factories import TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "officer": user_with_role(Role.INCOME_OFFICER),
        "senior": user_with_role(Role.SENIOR_INCOME_OFFICER, delegated_authority_limit=Decimal("500.00")),
        "manager": user_with_role(Role.INCOME_MANAGER, delegated_authority_limit=Decimal("5000.00")),
    }


@pytest.fixture
def account():
    account = account_get_or_create(tenancy=TenancyFactory())
    transactions_post(
        postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("300.00"), "2026-11-02", "r:1")]
    )
    account.refresh_from_db()
    return account


def _ask(people, account, kind=RequestKind.ADJUSTMENT, amount="-25.00", **extra):
    return adjustment_request_create(
        kind=kind,
        account=account,
        amount=Decimal(amount),
        reason="Rent charged twice",
        requested_by=people["officer"],
        **extra,
    )


def test_approval_posts_exactly_the_request(people, account):
    request = _ask(people, account)
    assert not Transaction.objects.filter(transaction_type=TransactionType.ADJUSTMENT).exists()
    adjustment_request_approve(request=request, approver=people["senior"], reason="Checked the debit run")
    account.refresh_from_db()
    assert account.balance == Decimal("275.00")
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED and request.decided_by == people["senior"]
    assert [t.amount for t in request.transactions.all()] == [Decimal("-25.00")]


def test_nobody_approves_their_own_request_even_a_manager(people, account):
    request = adjustment_request_create(
        kind=RequestKind.ADJUSTMENT,
        account=account,
        amount=Decimal("-10.00"),
        reason="x",
        requested_by=people["manager"],
    )
    with pytest.raises(PermissionDenied, match="someone else must decide"):
        adjustment_request_approve(request=request, approver=people["manager"])
    assert AdjustmentRequest.objects.get(pk=request.pk).status == RequestStatus.PENDING
    # The database refuses it too.
    with pytest.raises(IntegrityError):
        AdjustmentRequest.objects.filter(pk=request.pk).update(decided_by=people["manager"])


def test_an_approval_above_the_approvers_limit_is_refused(people, account):
    request = _ask(people, account, amount="-600.00")
    with pytest.raises(PermissionDenied, match=r"£600\.00 is above your delegated authority of £500\.00"):
        adjustment_request_approve(request=request, approver=people["senior"])
    assert not Transaction.objects.filter(transaction_type=TransactionType.ADJUSTMENT).exists()
    adjustment_request_approve(request=request, approver=people["manager"])
    account.refresh_from_db()
    assert account.balance == Decimal("-300.00")


def test_a_second_decision_is_refused_and_posts_nothing(people, account):
    request = _ask(people, account)
    adjustment_request_approve(request=request, approver=people["senior"])
    with pytest.raises(ValidationError, match="already been approved"):
        adjustment_request_approve(request=request, approver=people["manager"])
    assert Transaction.objects.filter(transaction_type=TransactionType.ADJUSTMENT).count() == 1


def test_an_officer_cannot_decide(people, account):
    other_officer = user_with_role(Role.INCOME_OFFICER)
    with pytest.raises(PermissionDenied):
        adjustment_request_approve(request=_ask(people, account), approver=other_officer)


def test_rejection_needs_a_reason_and_posts_nothing(people, account):
    request = _ask(people, account)
    with pytest.raises(ValidationError, match="Say why"):
        adjustment_request_reject(request=request, approver=people["senior"], reason="")
    adjustment_request_reject(request=request, approver=people["senior"], reason="The debit was right")
    assert AdjustmentRequest.objects.get(pk=request.pk).status == RequestStatus.REJECTED
    assert not Transaction.objects.filter(transaction_type=TransactionType.ADJUSTMENT).exists()


def test_a_transfer_moves_money_in_hand_and_sums_to_zero(people):
    tenancy = TenancyFactory()
    rent = account_get_or_create(tenancy=tenancy)
    costs = account_get_or_create(tenancy=tenancy, kind=AccountKind.COURT_COSTS)
    transactions_post(
        postings=[
            Posting(rent.pk, TransactionType.PAYMENT, Decimal("-80.00"), "2026-11-02", "p:1"),
            Posting(costs.pk, TransactionType.COURT_COSTS, Decimal("80.00"), "2026-11-02", "c:1"),
        ]
    )
    request = _ask(people, rent, kind=RequestKind.TRANSFER, amount="80.00", to_account=costs)
    adjustment_request_approve(request=request, approver=people["senior"])
    rent.refresh_from_db()
    costs.refresh_from_db()
    assert (rent.balance, costs.balance) == (Decimal("0.00"), Decimal("0.00"))
    assert sum(t.amount for t in request.transactions.all()) == 0


def test_refunds_and_write_offs_are_bounded(people, account):
    with pytest.raises(ValidationError, match="only return money in hand"):
        _ask(people, account, kind=RequestKind.REFUND, amount="10.00")
    with pytest.raises(ValidationError, match="cannot be more than is owed"):
        _ask(people, account, kind=RequestKind.WRITE_OFF, amount="-300.01")
    write_off = _ask(people, account, kind=RequestKind.WRITE_OFF, amount="-300.00")
    adjustment_request_approve(request=write_off, approver=people["senior"])
    account.refresh_from_db()
    assert account.balance == Decimal("0.00")
    call_command("reconcile_balances")


def test_the_queue_and_the_decision_pages(client, people, account):
    request = _ask(people, account)
    client.force_login(people["officer"])
    assert client.get("/approvals/").status_code == 403
    assert "someone else must decide it" in client.get(f"/approvals/{request.pk}/").content.decode()
    client.force_login(people["senior"])
    queue = client.get("/approvals/").content.decode()
    assert "You can decide" in queue and "-£25.00" in queue
    client.post(f"/approvals/{request.pk}/decide/", {"approve": "", "reason": "Agreed"})
    assert AdjustmentRequest.objects.get(pk=request.pk).status == RequestStatus.APPROVED


def test_the_request_form_explains_mistakes(client, people, account):
    client.force_login(people["officer"])
    html = client.post(
        "/approvals/new/", {"payment_reference": "NOPE", "kind": "adjustment", "amount": "x"}
    ).content.decode()
    assert "No tenancy has the payment reference NOPE." in html
    assert "is not an amount of money" in html
    assert "Give the reason" in html
    response = client.post(
        "/approvals/new/",
        {
            "payment_reference": account.tenancy.payment_reference,
            "account_kind": "rent",
            "kind": "adjustment",
            "amount": "-25.00",
            "reason": "Duplicate debit",
        },
    )
    assert response.status_code == 302
    assert AdjustmentRequest.objects.get().amount == Decimal("-25.00")
