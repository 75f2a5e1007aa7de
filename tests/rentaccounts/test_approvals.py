"""Maker and checker: an officer asks, someone else within their delegated authority decides; approval posts."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import timezone

from incomeapp.constants import Role
from rentaccounts.constants import AccountKind, RequestKind, RequestStatus, TransactionType, WriteOffReason
from rentaccounts.models import Account, AdjustmentRequest, Transaction
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from rentaccounts.services.approvals import (
    adjustment_request_approve,
    adjustment_request_create,
    adjustment_request_reject,
)
from tests.factories import TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db
DECIDED = (TransactionType.ADJUSTMENT, TransactionType.REFUND, TransactionType.TRANSFER, TransactionType.WRITE_OFF)


def _post(account, amount, key, kind=TransactionType.RENT_DEBIT):
    transactions_post(postings=[Posting(account.pk, kind, Decimal(amount), date(2026, 11, 2), key)])
    account.refresh_from_db()


@pytest.fixture
def account():
    account = account_get_or_create(tenancy=TenancyFactory())
    _post(account, "300.00", "r:1")
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


def _posted():
    return Transaction.objects.filter(transaction_type__in=DECIDED)


def _reconciles() -> bool:
    out = StringIO()
    call_command("reconcile_balances", stdout=out)
    return ": 0 differences." in out.getvalue()


def test_asking_posts_nothing_and_approval_posts_exactly_the_request(people, account):
    request = _ask(people, account)
    assert request.status == RequestStatus.PENDING
    assert not _posted().exists()
    adjustment_request_approve(request=request, approver=people["senior"], reason="Checked the debit run")
    account.refresh_from_db()
    assert account.balance == Decimal("275.00")
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    assert (request.decided_by, request.decision_reason) == (people["senior"], "Checked the debit run")
    assert request.decided_at is not None
    leg = request.transactions.get()
    assert (leg.transaction_type, leg.amount, leg.idempotency_key, leg.posted_by) == (
        TransactionType.ADJUSTMENT,
        Decimal("-25.00"),
        f"request:{request.pk}:1",
        people["senior"],
    )
    assert leg.effective_date == timezone.localdate()
    assert leg.description == "Adjustment: Rent charged twice"
    assert _reconciles()


def test_a_refund_posts_a_positive_refund_and_a_write_off_a_negative_write_off(people):
    in_credit = account_get_or_create(tenancy=TenancyFactory())
    _post(in_credit, "-100.00", "p:1", TransactionType.PAYMENT)
    refund = _ask(people, in_credit, kind=RequestKind.REFUND, amount="40.00")
    adjustment_request_approve(request=refund, approver=people["senior"], reason="Tenant moving out")
    in_credit.refresh_from_db()
    assert in_credit.balance == Decimal("-60.00")
    assert [(t.transaction_type, t.amount) for t in refund.transactions.all()] == [
        (TransactionType.REFUND, Decimal("40.00"))
    ]

    owing = account_get_or_create(tenancy=TenancyFactory())
    _post(owing, "120.00", "r:2")
    write_off = _ask(
        people,
        owing,
        kind=RequestKind.WRITE_OFF,
        amount="-120.00",
        write_off_reason=WriteOffReason.DECEASED_NO_ESTATE,
        evidence="Death certificate seen; the estate's solicitor confirms nothing is left",
    )
    adjustment_request_approve(request=write_off, approver=people["senior"], reason="Tenant deceased, no estate")
    owing.refresh_from_db()
    assert owing.balance == Decimal("0.00")
    assert [(t.transaction_type, t.amount) for t in write_off.transactions.all()] == [
        (TransactionType.WRITE_OFF, Decimal("-120.00"))
    ]
    assert _reconciles()


def test_a_transfer_moves_money_in_hand_and_its_legs_sum_to_zero(people):
    tenancy = TenancyFactory()
    rent = account_get_or_create(tenancy=tenancy)
    costs = account_get_or_create(tenancy=tenancy, kind=AccountKind.COURT_COSTS)
    _post(rent, "-80.00", "p:1", TransactionType.PAYMENT)
    _post(costs, "80.00", "c:1", TransactionType.COURT_COSTS)
    request = _ask(people, rent, kind=RequestKind.TRANSFER, amount="80.00", to_account=costs)
    adjustment_request_approve(request=request, approver=people["senior"], reason="Clears the court costs")
    rent.refresh_from_db()
    costs.refresh_from_db()
    assert (rent.balance, costs.balance) == (Decimal("0.00"), Decimal("0.00"))
    legs = {t.idempotency_key: (t.account_id, t.transaction_type, t.amount) for t in request.transactions.all()}
    assert legs == {
        f"request:{request.pk}:from": (rent.pk, TransactionType.TRANSFER, Decimal("80.00")),
        f"request:{request.pk}:to": (costs.pk, TransactionType.TRANSFER, Decimal("-80.00")),
    }
    assert _reconciles()


def test_a_transfer_to_another_tenancy(people, account):
    paid_wrong = account_get_or_create(tenancy=TenancyFactory())
    _post(paid_wrong, "-50.00", "p:9", TransactionType.PAYMENT)
    request = _ask(people, paid_wrong, kind=RequestKind.TRANSFER, amount="50.00", to_account=account)
    adjustment_request_approve(request=request, approver=people["manager"], reason="Paid to the wrong reference")
    paid_wrong.refresh_from_db()
    account.refresh_from_db()
    assert (paid_wrong.balance, account.balance) == (Decimal("0.00"), Decimal("250.00"))


def test_rejection_needs_a_reason_and_posts_nothing(people, account):
    request = _ask(people, account)
    with pytest.raises(ValidationError, match="Give the reason for your decision"):
        adjustment_request_reject(request=request, approver=people["senior"], reason="  ")
    adjustment_request_reject(request=request, approver=people["senior"], reason="The debit was right")
    request.refresh_from_db()
    assert (request.status, request.decision_reason) == (RequestStatus.REJECTED, "The debit was right")
    assert not _posted().exists()
    with pytest.raises(ValidationError, match="already been rejected"):
        adjustment_request_approve(request=request, approver=people["manager"], reason="Changed my mind")
    assert not _posted().exists()


def test_approval_needs_a_reason(people, account):
    with pytest.raises(ValidationError, match="Give the reason for your decision"):
        adjustment_request_approve(request=_ask(people, account), approver=people["senior"], reason="")
    assert not _posted().exists()


def test_nobody_approves_their_own_request_even_a_manager_with_a_big_limit(people, account):
    request = adjustment_request_create(
        kind=RequestKind.ADJUSTMENT,
        account=account,
        amount=Decimal("-10.00"),
        reason="Goodwill for a repair delay",
        requested_by=people["manager"],
    )
    with pytest.raises(PermissionDenied, match=r"^You asked for this, so someone else must decide it\.$"):
        adjustment_request_approve(request=request, approver=people["manager"], reason="Fine")
    with pytest.raises(PermissionDenied, match="someone else must decide it"):
        adjustment_request_reject(request=request, approver=people["manager"], reason="Withdrawn")
    assert AdjustmentRequest.objects.get(pk=request.pk).status == RequestStatus.PENDING
    assert not _posted().exists()
    # The database refuses it too.
    with pytest.raises(IntegrityError):
        AdjustmentRequest.objects.filter(pk=request.pk).update(decided_by=people["manager"])


def test_an_approval_above_the_approvers_limit_is_refused(people, account):
    request = _ask(people, account, amount="-600.00")
    message = (
        r"^£600\.00 is above your delegated authority of £500\.00\. Ask someone with a higher limit to decide it\.$"
    )
    with pytest.raises(PermissionDenied, match=message):
        adjustment_request_approve(request=request, approver=people["senior"], reason="Agreed")
    assert not _posted().exists()
    assert AdjustmentRequest.objects.get(pk=request.pk).status == RequestStatus.PENDING
    # Exactly at the limit is within it.
    at_limit = _ask(people, account, amount="-500.00")
    adjustment_request_approve(request=at_limit, approver=people["senior"], reason="Agreed")
    adjustment_request_approve(request=request, approver=people["manager"], reason="Agreed")
    account.refresh_from_db()
    assert account.balance == Decimal("-800.00")


def test_a_second_approval_is_refused_and_posts_nothing(people, account):
    request = _ask(people, account)
    adjustment_request_approve(request=request, approver=people["senior"], reason="Agreed")
    # The same stale object, as a double click would send it.
    with pytest.raises(ValidationError, match="already been approved"):
        adjustment_request_approve(request=request, approver=people["manager"], reason="Agreed")
    assert _posted().count() == 1
    account.refresh_from_db()
    assert account.balance == Decimal("275.00")


def test_an_officer_cannot_decide(people, account):
    other_officer = user_with_role(Role.INCOME_OFFICER, delegated_authority_limit=Decimal("1000.00"))
    request = _ask(people, account)
    with pytest.raises(PermissionDenied, match="permission to decide"):
        adjustment_request_approve(request=request, approver=other_officer, reason="Agreed")
    with pytest.raises(PermissionDenied):
        adjustment_request_reject(request=request, approver=other_officer, reason="No")
    assert not _posted().exists()


def test_a_support_worker_cannot_ask(account):
    with pytest.raises(PermissionDenied, match="permission to ask for adjustments"):
        adjustment_request_create(
            kind=RequestKind.ADJUSTMENT,
            account=account,
            amount=Decimal("-1.00"),
            reason="x",
            requested_by=user_with_role(Role.SUPPORT_WORKER),
        )


def test_what_a_request_may_ask_for(people, account):
    with pytest.raises(ValidationError, match="Give the reason"):
        adjustment_request_create(
            kind=RequestKind.ADJUSTMENT,
            account=account,
            amount=Decimal("5"),
            reason=" ",
            requested_by=people["officer"],
        )
    with pytest.raises(ValidationError, match=r"other than £0\.00"):
        _ask(people, account, amount="0.00")
    with pytest.raises(ValidationError, match=r"account has £0\.00 in credit, less than £10\.00"):
        _ask(people, account, kind=RequestKind.REFUND, amount="10.00")
    with pytest.raises(ValidationError, match="refund as a positive amount"):
        _ask(people, account, kind=RequestKind.REFUND, amount="-10.00")
    with pytest.raises(ValidationError, match=r"cannot be more than is owed \(£300\.00\)"):
        _ask(people, account, kind=RequestKind.WRITE_OFF, amount="-300.01")
    with pytest.raises(ValidationError, match="write-off as a negative amount"):
        _ask(people, account, kind=RequestKind.WRITE_OFF, amount="30.00")
    with pytest.raises(ValidationError, match="different account"):
        _ask(people, account, kind=RequestKind.TRANSFER, amount="30.00", to_account=account)
    with pytest.raises(ValidationError, match="sum to move as a positive"):
        _ask(
            people,
            account,
            kind=RequestKind.TRANSFER,
            amount="-30.00",
            to_account=Account.objects.create(tenancy=account.tenancy, kind=AccountKind.SUNDRY),
        )
    assert not AdjustmentRequest.objects.exists()


def test_a_refund_is_checked_again_when_approved(people):
    in_credit = account_get_or_create(tenancy=TenancyFactory())
    _post(in_credit, "-100.00", "p:1", TransactionType.PAYMENT)
    refund = _ask(people, in_credit, kind=RequestKind.REFUND, amount="100.00")
    # The week's rent is charged before anyone decides: the money in hand is now £20.
    _post(in_credit, "80.00", "r:1")
    with pytest.raises(ValidationError, match=r"account has £20\.00 in credit, less than £100\.00"):
        adjustment_request_approve(request=refund, approver=people["senior"], reason="Agreed")
    assert not _posted().exists()
    assert AdjustmentRequest.objects.get(pk=refund.pk).status == RequestStatus.PENDING


def test_the_queue_and_the_decision_pages(client, people, account):
    request = _ask(people, account)
    own = adjustment_request_create(
        kind=RequestKind.ADJUSTMENT,
        account=account,
        amount=Decimal("12.00"),
        reason="Missed charge",
        requested_by=people["senior"],
    )
    big = _ask(people, account, amount="-700.00")
    client.force_login(people["officer"])
    assert client.get("/approvals/").status_code == 403
    page = client.get(f"/approvals/{request.pk}/").content.decode()
    assert "You asked for this, so someone else must decide it." in page and "Approve and post" not in page
    assert client.post(f"/approvals/{request.pk}/decide/", {"approve": "", "reason": "x"}).status_code == 403

    client.force_login(people["senior"])
    queue = client.get("/approvals/").content.decode()
    assert queue.count("You can decide") == 1 and "-£25.00" in queue
    assert "Your request: someone else decides" in queue
    assert "Above your limit" in queue
    assert "Approve and post" not in client.get(f"/approvals/{own.pk}/").content.decode()
    assert "Approve and post" not in client.get(f"/approvals/{big.pk}/").content.decode()
    no_reason = client.post(f"/approvals/{request.pk}/decide/", {"approve": ""}).content.decode()
    assert "Give the reason for your decision" in no_reason
    above = client.post(f"/approvals/{big.pk}/decide/", {"approve": "", "reason": "Agreed"}).content.decode()
    assert "£700.00 is above your delegated authority of £500.00" in above
    response = client.post(f"/approvals/{request.pk}/decide/", {"approve": "", "reason": "Agreed"})
    assert response.status_code == 302
    assert AdjustmentRequest.objects.get(pk=request.pk).status == RequestStatus.APPROVED
    again = client.post(f"/approvals/{request.pk}/decide/", {"approve": "", "reason": "Agreed"}).content.decode()
    assert "already been approved" in again
    assert _posted().count() == 1
    assert _reconciles()


def test_the_request_form_explains_mistakes(client, people, account):
    client.force_login(people["officer"])
    html = client.post(
        "/approvals/new/", {"payment_reference": "NOPE", "kind": "adjustment", "amount": "x"}
    ).content.decode()
    assert "No tenancy has the payment reference NOPE." in html
    assert "is not an amount of money" in html
    assert "Give the reason" in html
    refund = client.post(
        "/approvals/new/",
        {
            "payment_reference": account.tenancy.payment_reference,
            "account_kind": "rent",
            "kind": "refund",
            "amount": "5.00",
            "reason": "Overpaid",
        },
    ).content.decode()
    assert "A refund can only return money in hand" in refund
    response = client.post(
        "/approvals/new/",
        {
            "payment_reference": account.tenancy.payment_reference.lower(),
            "account_kind": "rent",
            "kind": "adjustment",
            "amount": "-25.00",
            "reason": "Duplicate debit",
        },
    )
    assert response.status_code == 302
    created = AdjustmentRequest.objects.get()
    assert (created.account, created.amount, created.requested_by) == (account, Decimal("-25.00"), people["officer"])
    assert not _posted().exists()
