"""Adjustments, refunds, transfers and write-offs: one person asks, another within their delegated authority decides.

Approval posts the transactions; nothing is posted before. Nobody decides their own request (also a database rule).
Delegated authority covers everything one person approves for one tenancy's accounts within a window
(settings.DELEGATED_AUTHORITY_WINDOW_DAYS), so splitting a sum into smaller requests does not get it under a limit.
A transfer that moves more than the money in credit, or goes to another household's account, needs an Income
Manager (`incomeapp.approve_exceptional_transfers`).
A write-off names a reason code and its evidence, checked by write_off_rules; a write-on reverses one approved
write-off, whole and once, by reversing its postings (docs/debts.md, write-offs).
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Abs
from django.utils import timezone

from incomeapp.money import ZERO, format_money, to_money
from incomeapp.roles import staff_require
from rentaccounts.constants import RequestKind, RequestStatus, TransactionType
from rentaccounts.models import Account, AdjustmentRequest, Transaction, WriteOffRun
from tenancies.models import TenancyTenant

from .ledger import Posting, transaction_reverse, transactions_post
from .write_off_rules import write_off_check, write_off_description, write_on_check

LEG_TYPES = {
    RequestKind.ADJUSTMENT: TransactionType.ADJUSTMENT,
    RequestKind.REFUND: TransactionType.REFUND,
    RequestKind.WRITE_OFF: TransactionType.WRITE_OFF,
    RequestKind.TRANSFER: TransactionType.TRANSFER,
}
SELF_DECISION = "You asked for this, so someone else must decide it."
EXCEPTIONAL_TRANSFER_PERMISSION = "incomeapp.approve_exceptional_transfers"
EXCEPTIONAL_TRANSFER = "This transfer needs an Income Manager to approve it"


# ---- transfers: money in credit, between one household's accounts ---------------------------------------------------


def transfer_destination_permitted(*, account: Account, to_account: Account) -> bool:
    """Another account of the same tenancy, or an account of another tenancy with one of the same named tenants."""
    if account.tenancy_id == to_account.tenancy_id:
        return True
    people = TenancyTenant.objects.filter(tenancy_id=account.tenancy_id).values("person_id")
    return TenancyTenant.objects.filter(tenancy_id=to_account.tenancy_id, person_id__in=people).exists()


def transfer_destinations(*, tenancy_id: int) -> list[str]:
    """The other tenancies (payment references) a transfer from this tenancy may go to with the usual approval."""
    people = TenancyTenant.objects.filter(tenancy_id=tenancy_id).values("person_id")
    references = (
        TenancyTenant.objects.filter(person_id__in=people)
        .exclude(tenancy_id=tenancy_id)
        .values_list("tenancy__payment_reference", flat=True)
        .distinct()
    )
    return sorted(references)


def transfer_exceptions(*, account: Account, to_account: Account, amount: Decimal) -> list[str]:
    """Why this transfer needs an Income Manager, in words; empty when anyone within their authority may approve it.

    The usual transfer moves money in credit between one household's accounts. Carrying a debt from an ended tenancy to
    the same tenants' new one (the destination owes at least the sum, on an account of the same kind) is usual too."""
    reasons = []
    source = account.tenancy.payment_reference
    permitted = transfer_destination_permitted(account=account, to_account=to_account)
    if not permitted:
        reasons.append(
            f"{to_account.tenancy.payment_reference} is not one of {source}'s accounts, nor another tenancy of the "
            "same tenant"
        )
    credit = max(-account.balance, ZERO)
    carries_a_debt = (
        permitted
        and account.tenancy_id != to_account.tenancy_id
        and account.kind == to_account.kind
        and to_account.balance >= amount
    )
    if amount > credit and not carries_a_debt:
        reasons.append(f"it moves {format_money(amount)} but {source} has {format_money(credit)} in credit")
    return reasons


# ---- delegated authority over a window -------------------------------------------------------------------------------


def authority_window_days() -> int:
    return settings.DELEGATED_AUTHORITY_WINDOW_DAYS


def approved_in_window(*, approver, tenancy_id: int, since) -> Decimal:
    """What `approver` approved (by absolute value, every kind) touching one tenancy's accounts since `since`."""
    total = (
        AdjustmentRequest.objects.filter(status=RequestStatus.APPROVED, decided_by=approver, decided_at__gte=since)
        .filter(Q(account__tenancy_id=tenancy_id) | Q(to_account__tenancy_id=tenancy_id))
        .aggregate(total=Sum(Abs("amount")))["total"]
    )
    return total or ZERO


def approval_problem(*, request: AdjustmentRequest, approver) -> str | None:
    """Why `approver` may not approve `request` as things stand (authority, window, transfer rules); None if they may.
    Reads the balances it is given: approval calls it again with the accounts locked."""
    limit = approver.delegated_authority_limit
    amount = abs(request.amount)
    if amount > limit:
        return (
            f"{format_money(amount)} is above your delegated authority of {format_money(limit)}. "
            "Ask someone with a higher limit to decide it."
        )
    if request.kind == RequestKind.TRANSFER and request.to_account_id:
        reasons = transfer_exceptions(account=request.account, to_account=request.to_account, amount=request.amount)
        if reasons and not approver.has_perm(EXCEPTIONAL_TRANSFER_PERMISSION):
            return f"{EXCEPTIONAL_TRANSFER}: {'; and '.join(reasons)}."
    days = authority_window_days()
    since = timezone.now() - timedelta(days=days)
    touched = {request.account.tenancy_id: request.account.tenancy.payment_reference}
    if request.to_account_id:
        touched[request.to_account.tenancy_id] = request.to_account.tenancy.payment_reference
    for tenancy_id, reference in touched.items():
        already = approved_in_window(approver=approver, tenancy_id=tenancy_id, since=since)
        if already + amount > limit:
            return (
                f"Approving this would bring what you have approved for {reference} in the last {days} days to "
                f"{format_money(already + amount)} ({format_money(already)} already approved and this "
                f"{format_money(amount)}), above your delegated authority of {format_money(limit)}. "
                "Ask someone with a higher limit, such as an Income Manager, to decide it."
            )
    return None


def _check_amount(
    *,
    kind: str,
    account: Account,
    amount: Decimal,
    to_account: Account | None,
    write_off_reason: str = "",
    evidence: str = "",
    reverses: AdjustmentRequest | None = None,
    request_pk: int | None = None,
) -> None:
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
        write_off_check(account=account, amount=amount, write_off_reason=write_off_reason, evidence=evidence)
    if kind == RequestKind.WRITE_ON:
        write_on_check(reverses=reverses, amount=amount, exclude_pk=request_pk)
    if kind == RequestKind.TRANSFER:
        if to_account is None or to_account.pk == account.pk:
            raise ValidationError("Choose a different account to transfer to.")
        if amount <= 0:
            raise ValidationError("Enter the sum to move as a positive amount.")
    elif to_account is not None:
        raise ValidationError("Only a transfer moves money to another account.")


@transaction.atomic
def adjustment_request_create(
    *,
    kind: str,
    account: Account,
    amount: Decimal,
    reason: str,
    requested_by,
    to_account: Account | None = None,
    write_off_reason: str = "",
    evidence: str = "",
    reverses: AdjustmentRequest | None = None,
    write_off_run=None,
) -> AdjustmentRequest:
    staff_require(requested_by, "rentaccounts.add_adjustmentrequest", "ask for adjustments")
    if not (reason or "").strip():
        raise ValidationError("Give the reason: the person who decides needs it, and it stays on the account.")
    amount = to_money(amount)
    # The balance as it stands now, not as the caller last read it.
    account = Account.objects.get(pk=account.pk)
    is_write_off = kind == RequestKind.WRITE_OFF
    _check_amount(
        kind=kind,
        account=account,
        amount=amount,
        to_account=to_account,
        write_off_reason=write_off_reason,
        evidence=evidence,
        reverses=reverses,
    )
    return AdjustmentRequest.objects.create(
        kind=kind,
        account=account,
        to_account=to_account,
        amount=amount,
        reason=reason.strip(),
        requested_by=requested_by,
        write_off_reason=write_off_reason if is_write_off else "",
        evidence=(evidence or "").strip() if is_write_off else "",
        reverses=reverses if kind == RequestKind.WRITE_ON else None,
        write_off_run=write_off_run if is_write_off else None,
    )


def _decidable(request: AdjustmentRequest, approver, reason: str) -> None:
    staff_require(approver, "rentaccounts.change_adjustmentrequest", "decide adjustment requests")
    if request.requested_by_id == approver.pk:
        raise PermissionDenied(SELF_DECISION)
    if request.status != RequestStatus.PENDING:
        raise ValidationError(f"This request has already been {request.get_status_display().lower()}.")
    if not (reason or "").strip():
        raise ValidationError("Give the reason for your decision: it stays on the account with the request.")


def decision_record(decided: AdjustmentRequest | WriteOffRun, *, status: str, approver, reason: str) -> None:
    """Keeps the decision on a request or a write-off run: its outcome, who decided, when, and their reason."""
    decided.status = status
    decided.decided_by, decided.decided_at, decided.decision_reason = approver, timezone.now(), reason.strip()
    decided.save()


def _legs(request: AdjustmentRequest) -> list[Posting]:
    today = timezone.localdate()
    leg_type = LEG_TYPES[RequestKind(request.kind)]
    description = f"{request.get_kind_display()}: {request.reason}"[:255]
    if request.kind == RequestKind.WRITE_OFF:
        description = write_off_description(request.write_off_reason)
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
    key = f"request:{request.pk}:1"
    if request.write_off_run_id:
        key = f"write-off-run:{request.write_off_run_id}:{request.account_id}"
    return [Posting(request.account_id, leg_type, request.amount, today, key, description=description)]


def _write_on_post(request: AdjustmentRequest, approver) -> list[Transaction]:
    """Reverses each posting of the write-off: the debt is owed again."""
    description = f"Write-on (write-off reversed): {request.reason}"
    return [
        transaction_reverse(original=original, reason=description, posted_by=approver)
        for original in request.reverses.transactions.order_by("pk")
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
    # Locked so a payment or another approval cannot move the balance between this check and the posting. Every
    # account of the tenancies touched is locked, so two approvals for one tenancy are counted one after the other.
    ids = [pk for pk in (request.account_id, request.to_account_id) if pk is not None]
    tenancy_ids = Account.objects.filter(pk__in=ids).values("tenancy_id")
    accounts = {
        account.pk: account
        for account in Account.objects.select_for_update(of=("self",))
        .filter(tenancy_id__in=tenancy_ids)
        .select_related("tenancy")
        .order_by("pk")
    }
    request.account, request.to_account = accounts[request.account_id], accounts.get(request.to_account_id)
    _check_amount(
        kind=request.kind,
        account=request.account,
        amount=request.amount,
        to_account=request.to_account,
        write_off_reason=request.write_off_reason,
        evidence=request.evidence,
        reverses=request.reverses,
        request_pk=request.pk,
    )
    problem = approval_problem(request=request, approver=approver)
    if problem:
        raise PermissionDenied(problem)
    if request.kind == RequestKind.WRITE_ON:
        posted = _write_on_post(request, approver)
    else:
        legs = _legs(request)
        transactions_post(postings=legs, posted_by=approver, review_reason="approved change")
        posted = Transaction.objects.filter(idempotency_key__in=[leg.idempotency_key for leg in legs])
    decision_record(request, status=RequestStatus.APPROVED, approver=approver, reason=reason)
    request.transactions.set(posted)
    return request


@transaction.atomic
def adjustment_request_reject(*, request: AdjustmentRequest, approver, reason: str) -> AdjustmentRequest:
    """Anyone who may decide can reject, whatever the amount: refusing moves no money."""
    request = AdjustmentRequest.objects.select_for_update().get(pk=request.pk)
    _decidable(request, approver, reason)
    decision_record(request, status=RequestStatus.REJECTED, approver=approver, reason=reason)
    return request
