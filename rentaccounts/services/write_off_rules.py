"""What a write-off must show before it is asked for and again before it is approved, and what a write-on may reverse.

Every write-off names a reason code and says what shows it (evidence, or a note of why it is believed). Some reasons
are checked against what Rentwise knows: "out of time" only for the part of the debt the limitation working shows is
out of time (Limitation Act 1980, docs/debts.md), "bankruptcy" and "debt relief order" only when such an order is
recorded on a named tenant, "small balance" only under settings.WRITE_OFF_SMALL_BALANCE_LIMIT. The rest rest on the
evidence the officer gives and the approver reads.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from incomeapp.money import ZERO, format_money, to_money
from rentaccounts.constants import InsolvencyKind, RequestKind, RequestStatus, WriteOffReason
from rentaccounts.models import Account, AdjustmentRequest, InsolvencyOrder, Transaction
from rentaccounts.selectors_debts import debt_positions

NO_REASON = "Choose why the debt is being written off"
NO_EVIDENCE = "Say what shows this, or add a note"


def small_balance_limit() -> Decimal:
    return to_money(Decimal(str(settings.WRITE_OFF_SMALL_BALANCE_LIMIT)))


def reason_label(code: str) -> str:
    """'gone_away' -> 'gone away and not traced' (the label, its first letter small), for a line description."""
    label = str(WriteOffReason(code).label) if code in WriteOffReason.values else ""
    return label[:1].lower() + label[1:]


def write_off_description(code: str) -> str:
    """What the ledger line says: 'Write-off: gone away and not traced'."""
    return f"Write-off: {reason_label(code)}"


def _insolvency_kind(code: str) -> str:
    return InsolvencyKind.BANKRUPTCY if code == WriteOffReason.BANKRUPTCY else InsolvencyKind.DEBT_RELIEF_ORDER


def write_off_check(
    *, account: Account, amount: Decimal, write_off_reason: str, evidence: str, on: date | None = None
) -> None:
    """Raises ValidationError, in words, when this write-off (a negative amount) does not meet its reason's rule."""
    if write_off_reason not in WriteOffReason.values:
        raise ValidationError(NO_REASON, code="write_off_reason")
    if not (evidence or "").strip():
        raise ValidationError(NO_EVIDENCE, code="evidence")
    owed = -to_money(amount)
    reference = account.tenancy.payment_reference
    if write_off_reason == WriteOffReason.LIMITATION:
        position = debt_positions(account_ids=[account.pk], on=on or timezone.localdate())[account.pk]
        if position.out_of_time <= ZERO:
            raise ValidationError(
                f"Nothing owed on {reference} is out of time under the Limitation Act yet. Choose another reason.",
                code="write_off_reason",
            )
        if owed > position.out_of_time:
            raise ValidationError(
                f"Only {format_money(position.out_of_time)} owed on {reference} is out of time under the Limitation "
                f"Act: write off no more than that for this reason.",
                code="write_off_reason",
            )
    elif write_off_reason in (WriteOffReason.BANKRUPTCY, WriteOffReason.DEBT_RELIEF_ORDER):
        kind = _insolvency_kind(write_off_reason)
        recorded = InsolvencyOrder.objects.filter(kind=kind, person__tenancy_tenants__tenancy_id=account.tenancy_id)
        if not recorded.exists():
            raise ValidationError(
                f"No {kind.label.lower()} is recorded on a named tenant of {reference}. Record the order on the "
                "tenant first, or choose another reason.",
                code="write_off_reason",
            )
    elif write_off_reason == WriteOffReason.SMALL_BALANCE:
        limit = small_balance_limit()
        if account.balance >= limit:
            raise ValidationError(
                f"A small-balance write-off is for balances under {format_money(limit)}; {reference} owes "
                f"{format_money(account.balance)}. Choose another reason.",
                code="write_off_reason",
            )


def write_on_check(*, reverses: AdjustmentRequest | None, amount: Decimal, exclude_pk: int | None = None) -> None:
    """A write-on reverses one approved write-off, all of it, once."""
    if reverses is None or reverses.kind != RequestKind.WRITE_OFF or reverses.status != RequestStatus.APPROVED:
        raise ValidationError("Only an approved write-off can be reversed.")
    if to_money(amount) != -reverses.amount:
        raise ValidationError(f"A write-on reverses the whole write-off: {format_money(-reverses.amount)}.")
    others = AdjustmentRequest.objects.filter(reverses=reverses, kind=RequestKind.WRITE_ON).exclude(
        status=RequestStatus.REJECTED
    )
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    other = others.first()
    if other is not None:
        if other.status == RequestStatus.PENDING:
            raise ValidationError("A write-on of this write-off is already waiting for a decision.")
        raise ValidationError("This write-off has already been written on.")
    if Transaction.objects.filter(reverses__in=reverses.transactions.all()).exists():
        raise ValidationError("This write-off's posting has already been reversed.")


def write_on_allowed(*, write_off: AdjustmentRequest) -> bool:
    """Whether the page should offer 'Reverse this write-off (write-on)'."""
    try:
        write_on_check(reverses=write_off, amount=-write_off.amount)
    except ValidationError:
        return False
    return True
