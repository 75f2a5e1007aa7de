"""A balance left at the end: a credit refunded or transferred, or a whole balance carried to another tenancy,
each a request someone else approves (maker and checker)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from incomeapp.money import ZERO, format_money
from rentaccounts.constants import RequestKind, RequestStatus
from rentaccounts.models import Account, AdjustmentRequest
from rentaccounts.services import account_get_or_create
from rentaccounts.services.approvals import adjustment_request_create
from tenancies.models import Tenancy

# ---- a credit left at the end: refund or transfer (maker and checker) ------------------------------------------------


def credit_request_pending(*, tenancy: Tenancy) -> AdjustmentRequest | None:
    """A refund or transfer of this rent account's balance already waiting for a decision."""
    account = account_get_or_create(tenancy=tenancy)
    return (
        AdjustmentRequest.objects.filter(
            status=RequestStatus.PENDING, kind__in=[RequestKind.REFUND, RequestKind.TRANSFER]
        )
        .filter(account=account)
        .order_by("created_at")
        .first()
    )


def _credit_account(by, tenancy: Tenancy) -> tuple[Account, Decimal]:
    if by is None:
        raise ValidationError("A refund or transfer is asked for by a person, so that someone else can approve it.")
    account = Account.objects.get(pk=account_get_or_create(tenancy=tenancy).pk)
    if account.balance >= ZERO:
        raise ValidationError(
            f"{tenancy.payment_reference} is not in credit (the balance is {format_money(account.balance)}), so there "
            "is nothing to refund or transfer."
        )
    if credit_request_pending(tenancy=tenancy):
        raise ValidationError(
            f"A refund or transfer of {tenancy.payment_reference}'s credit is already waiting for approval. "
            "See Approvals."
        )
    return account, -account.balance


@transaction.atomic
def credit_refund_request(*, by, tenancy: Tenancy, reason: str = "") -> AdjustmentRequest:
    """Asks for the whole credit on the rent account to be refunded; someone else approves it (Approvals)."""
    account, credit = _credit_account(by, tenancy)
    ended = f" when the tenancy ended on {tenancy.end_date:%-d %B %Y}" if tenancy.end_date else ""
    return adjustment_request_create(
        kind=RequestKind.REFUND,
        account=account,
        amount=credit,
        reason=(reason or "").strip() or f"Refund of the credit left{ended}.",
        requested_by=by,
    )


@transaction.atomic
def credit_transfer_request(*, by, tenancy: Tenancy, to_tenancy: Tenancy, reason: str = "") -> AdjustmentRequest:
    """Asks for the whole credit to move to another tenancy's rent account; someone else approves it."""
    if to_tenancy.pk == tenancy.pk:
        raise ValidationError("Choose a different tenancy to transfer the credit to.")
    account, credit = _credit_account(by, tenancy)
    ended = f" when the tenancy ended on {tenancy.end_date:%-d %B %Y}" if tenancy.end_date else ""
    return adjustment_request_create(
        kind=RequestKind.TRANSFER,
        account=account,
        to_account=account_get_or_create(tenancy=to_tenancy),
        amount=credit,
        reason=(reason or "").strip()
        or f"Credit left on {tenancy.payment_reference}{ended}, moved to {to_tenancy.payment_reference}.",
        requested_by=by,
    )


def balance_carry_request(*, by, from_tenancy: Tenancy, to_tenancy: Tenancy, reason: str) -> AdjustmentRequest | None:
    """Asks for an ended tenancy's whole balance, debit or credit, to move to another tenancy's rent account (a
    transfer request someone else approves). A debt moves as a transfer whose paying side is the new account: the
    new account is charged the sum and the old one credited with it. None when the balance is nothing."""
    if by is None:
        raise ValidationError("A balance is carried by a request that someone else approves, so a person must ask.")
    old = Account.objects.get(pk=account_get_or_create(tenancy=from_tenancy).pk)
    new = account_get_or_create(tenancy=to_tenancy)
    if old.balance == ZERO:
        return None
    debt = old.balance > ZERO
    return adjustment_request_create(
        kind=RequestKind.TRANSFER,
        account=new if debt else old,
        to_account=old if debt else new,
        amount=abs(old.balance),
        reason=reason,
        requested_by=by,
    )
