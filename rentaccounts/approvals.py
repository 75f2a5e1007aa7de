"""Adjustments, refunds, transfers and write-offs: one person asks, another within their delegated authority decides.

Approval posts the transactions; nothing is posted before. Nobody decides their own request (also a database rule).
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from incomeapp.money import ZERO, format_money, to_money
from incomeapp.roles import staff_require

from .constants import RequestKind, RequestStatus, TransactionType
from .models import Account, AdjustmentRequest, Transaction
from .services import Posting, transactions_post

LEG_TYPES = {
    RequestKind.ADJUSTMENT: TransactionType.ADJUSTMENT,
    RequestKind.REFUND: TransactionType.REFUND,
    RequestKind.WRITE_OFF: TransactionType.WRITE_OFF,
    RequestKind.TRANSFER: TransactionType.TRANSFER,
}
SELF_DECISION = "You asked for this, so someone else must decide it."


def _check_amount(*, kind: str, account: Account, amount: Decimal, to_account: Account | None) -> None:
    """The rules a request must meet when asked for and again when approved (the balance may have moved since)."""
    if kind not in RequestKind.values:
        raise ValidationError("Choose whether this is an adjustment, a refund, a transfer or a write-off.")
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
    if not (reason or "").strip():
        raise ValidationError("Give the reason: the person who decides needs it, and it stays on the account.")
    amount = to_money(amount)
    # The balance as it stands now, not as the caller last read it.
    account = Account.objects.get(pk=account.pk)
    _check_amount(kind=kind, account=account, amount=amount, to_account=to_account)
    return AdjustmentRequest.objects.create(
        kind=kind,
        account=account,
        to_account=to_account,
        amount=amount,
        reason=reason.strip(),
        requested_by=requested_by,
    )


def _decidable(request: AdjustmentRequest, approver, reason: str) -> None:
    staff_require(approver, "rentaccounts.change_adjustmentrequest", "decide adjustment requests")
    if request.requested_by_id == approver.pk:
        raise PermissionDenied(SELF_DECISION)
    if request.status != RequestStatus.PENDING:
        raise ValidationError(f"This request has already been {request.get_status_display().lower()}.")
    if not (reason or "").strip():
        raise ValidationError("Give the reason for your decision: it stays on the account with the request.")


def _legs(request: AdjustmentRequest) -> list[Posting]:
    today = timezone.localdate()
    leg_type = LEG_TYPES[RequestKind(request.kind)]
    description = f"{request.get_kind_display()}: {request.reason}"[:255]
    if request.kind == RequestKind.TRANSFER:
        # Money in hand moves: the first account gives up the credit (a debit there), the other receives it.
        return [
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
    return [
        Posting(request.account_id, leg_type, request.amount, today, f"request:{request.pk}:1", description=description)
    ]


@transaction.atomic
def adjustment_request_approve(*, request: AdjustmentRequest, approver, reason: str) -> AdjustmentRequest:
    """Posts the request's transactions. The request row is locked, so a double click cannot post twice."""
    request = AdjustmentRequest.objects.select_for_update().get(pk=request.pk)
    _decidable(request, approver, reason)
    limit = approver.delegated_authority_limit
    if abs(request.amount) > limit:
        raise PermissionDenied(
            f"{format_money(abs(request.amount))} is above your delegated authority of {format_money(limit)}. "
            "Ask someone with a higher limit to decide it."
        )
    # Locked so a payment or another approval cannot move the balance between this check and the posting.
    ids = [pk for pk in (request.account_id, request.to_account_id) if pk is not None]
    accounts = {
        account.pk: account for account in Account.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    _check_amount(
        kind=request.kind,
        account=accounts[request.account_id],
        amount=request.amount,
        to_account=accounts.get(request.to_account_id),
    )
    legs = _legs(request)
    transactions_post(postings=legs, posted_by=approver, flag_for_review=True)
    request.status = RequestStatus.APPROVED
    request.decided_by, request.decided_at, request.decision_reason = approver, timezone.now(), reason.strip()
    request.save()
    request.transactions.set(Transaction.objects.filter(idempotency_key__in=[leg.idempotency_key for leg in legs]))
    return request


@transaction.atomic
def adjustment_request_reject(*, request: AdjustmentRequest, approver, reason: str) -> AdjustmentRequest:
    """Anyone who may decide can reject, whatever the amount: refusing moves no money."""
    request = AdjustmentRequest.objects.select_for_update().get(pk=request.pk)
    _decidable(request, approver, reason)
    request.status = RequestStatus.REJECTED
    request.decided_by, request.decided_at, request.decision_reason = approver, timezone.now(), reason.strip()
    request.save()
    return request
