"""Adjustments, refunds, transfers and write-offs: one person asks, another within their delegated authority decides.

Approval posts the transactions; nothing is posted before. Nobody decides their own request (also a database rule).
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from incomeapp.money import ZERO, format_money, to_money

from .constants import RequestKind, RequestStatus, TransactionType
from .models import Account, AdjustmentRequest, Transaction
from .services import Posting, staff_require, transactions_post

LEG_TYPES = {
    RequestKind.ADJUSTMENT: TransactionType.ADJUSTMENT,
    RequestKind.REFUND: TransactionType.REFUND,
    RequestKind.WRITE_OFF: TransactionType.WRITE_OFF,
    RequestKind.TRANSFER: TransactionType.TRANSFER,
}


def _check_amount(*, kind: str, account: Account, amount: Decimal, to_account: Account | None) -> None:
    if amount == 0:
        raise ValidationError("Enter an amount other than £0.00.")
    if kind == RequestKind.REFUND:
        if amount <= 0:
            raise ValidationError("Enter the refund as a positive amount: it is money paid back to the tenant.")
        if amount > -account.balance:
            raise ValidationError(
                f"A refund can only return money in hand: the account has {format_money(max(-account.balance, ZERO))} "
                f"in credit, less than {format_money(amount)}."
            )
    if kind == RequestKind.WRITE_OFF:
        if amount >= 0:
            raise ValidationError("Enter the write-off as a negative amount: it reduces what is owed.")
        if -amount > account.balance:
            raise ValidationError(
                f"A write-off cannot be more than is owed ({format_money(max(account.balance, ZERO))})."
            )
    if kind == RequestKind.TRANSFER:
        if to_account is None or to_account.pk == account.pk:
            raise ValidationError("Choose a different account to transfer to.")
        if amount <= 0:
            raise ValidationError("Enter the sum to move as a positive amount.")
    elif to_account is not None:
        raise ValidationError("Only a transfer moves money to another account.")


@transaction.atomic
def adjustment_request_create(
    *, kind: str, account: Account, amount: Decimal, reason: str, requested_by, to_account: Account | None = None
) -> AdjustmentRequest:
    staff_require(requested_by, "rentaccounts.add_adjustmentrequest", "ask for adjustments")
    if not reason.strip():
        raise ValidationError("Give the reason: the person who decides needs it, and it stays on the account.")
    amount = to_money(amount)
    _check_amount(kind=kind, account=account, amount=amount, to_account=to_account)
    return AdjustmentRequest.objects.create(
        kind=kind,
        account=account,
        to_account=to_account,
        amount=amount,
        reason=reason.strip(),
        requested_by=requested_by,
    )


def _decidable(request: AdjustmentRequest, approver) -> None:
    staff_require(approver, "rentaccounts.change_adjustmentrequest", "decide adjustment requests")
    if request.requested_by_id == approver.pk:
        raise PermissionDenied("You asked for this, so someone else must decide it.")
    if request.status != RequestStatus.PENDING:
        raise ValidationError(f"This request has already been {request.get_status_display().lower()}.")


@transaction.atomic
def adjustment_request_approve(*, request: AdjustmentRequest, approver, reason: str = "") -> AdjustmentRequest:
    """Posts the request's transactions. Locked, so a double click cannot post twice."""
    request = AdjustmentRequest.objects.select_for_update().select_related("account").get(pk=request.pk)
    _decidable(request, approver)
    if abs(request.amount) > approver.delegated_authority_limit:
        raise PermissionDenied(
            f"{format_money(abs(request.amount))} is above your delegated authority of "
            f"{format_money(approver.delegated_authority_limit)}. Ask someone with a higher limit to decide it."
        )
    today = timezone.localdate()
    leg_type = LEG_TYPES[RequestKind(request.kind)]
    description = f"{request.get_kind_display()}: {request.reason}"[:255]
    legs = [
        Posting(request.account_id, leg_type, request.amount, today, f"request:{request.pk}:1", description=description)
    ]
    if request.kind == RequestKind.TRANSFER:
        # Money in hand moves: the first account gives up the credit (a debit there), the other receives it.
        legs = [
            Posting(
                request.account_id,
                leg_type,
                request.amount,
                today,
                f"request:{request.pk}:from",
                description=description,
            ),
            Posting(
                request.to_account_id,
                leg_type,
                -request.amount,
                today,
                f"request:{request.pk}:to",
                description=description,
            ),
        ]
    transactions_post(postings=legs, posted_by=approver, flag_for_review=True)
    request.status = RequestStatus.APPROVED
    request.decided_by, request.decided_at, request.decision_reason = approver, timezone.now(), reason.strip()
    request.save()
    request.transactions.set(Transaction.objects.filter(idempotency_key__in=[leg.idempotency_key for leg in legs]))
    return request


@transaction.atomic
def adjustment_request_reject(*, request: AdjustmentRequest, approver, reason: str) -> AdjustmentRequest:
    request = AdjustmentRequest.objects.select_for_update().get(pk=request.pk)
    _decidable(request, approver)
    if not reason.strip():
        raise ValidationError("Say why the request is rejected, so the officer can act on it.")
    request.status = RequestStatus.REJECTED
    request.decided_by, request.decided_at, request.decision_reason = approver, timezone.now(), reason.strip()
    request.save()
    return request
