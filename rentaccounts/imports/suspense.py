"""The suspense queue: payments an import could not post, allocated to a tenancy or rejected by an officer."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incomeapp.money import to_money
from incomeapp.roles import staff_require
from rentaccounts.constants import SuspenseStatus, TransactionType
from rentaccounts.imports.formats import read_date
from rentaccounts.imports.matching import rent_accounts_by_reference
from rentaccounts.models import SuspenseItem, Transaction
from rentaccounts.services import Posting, allocation_order, payment_split, transactions_post
from tenancies.models import Tenancy

# The benefit period a schedule row covered, kept on the posting for the overlap checks.
_PERIOD_COLUMNS = (("period_from", "period_to"), ("assessment_period_start", "assessment_period_end"))


def _period(raw: dict) -> tuple[date | None, date | None]:
    for start, end in _PERIOD_COLUMNS:
        try:
            return read_date(raw.get(start, "")), read_date(raw.get(end, ""))
        except ValueError:
            continue
    return None, None


def _open_item_locked(item: SuspenseItem) -> SuspenseItem:
    item = SuspenseItem.objects.select_for_update(of=("self",)).select_related("batch").get(pk=item.pk)
    if item.status != SuspenseStatus.OPEN:
        raise ValidationError(f"This payment has already been {item.get_status_display().lower()}.")
    return item


@transaction.atomic
def suspense_item_allocate(
    *, item: SuspenseItem, tenancy: Tenancy, user, amount: Decimal | None = None, effective_date: date | None = None
) -> SuspenseItem:
    """Posts a held payment to a tenancy, once (key `suspense:<id>`), and flags it for re-review. A tenant's payment
    clears the tenancy's accounts in the configured allocation order (rent first by default), as an import does.

    The officer may give the amount received (positive) or the date where the file's could not be read.
    """
    staff_require(user, "rentaccounts.change_suspenseitem", "allocate payments in suspense")
    item = _open_item_locked(item)
    credit = -to_money(amount) if amount is not None else item.amount
    when = effective_date or item.effective_date
    if credit is None or credit == 0:
        raise ValidationError("Enter the amount received: the file did not give one we could read.")
    if when is None:
        raise ValidationError("Enter the date the payment was received: the file did not give one we could read.")
    reference = tenancy.payment_reference
    account_id = rent_accounts_by_reference({reference}, create_missing=True)[reference]
    transaction_type = item.transaction_type or TransactionType.PAYMENT
    period_start, period_end = _period(item.raw) if transaction_type != TransactionType.PAYMENT else (None, None)
    common = {
        "transaction_type": transaction_type,
        "effective_date": when,
        "payment_method": item.payment_method,
        "external_reference": item.external_id,
        "description": f"From suspense: {item.reason}"[:255],
        "period_start": period_start,
        "period_end": period_end,
    }
    legs = [(account_id, credit)]
    if transaction_type == TransactionType.PAYMENT and credit < 0:
        # A tenant's payment clears the tenancy's accounts in the configured order, as an import would have.
        accounts = {kind: (pk, balance) for pk, kind, balance in tenancy.accounts.values_list("pk", "kind", "balance")}
        balances = {kind: balance for kind, (_, balance) in accounts.items()}
        split = payment_split(amount=credit, balances=balances, order=allocation_order())
        legs = [(accounts[kind][0] if kind in accounts else account_id, amount) for kind, amount in split]
    # The first leg keeps the item's key (and is the item's transaction); any other leg's key names its account.
    postings = [
        Posting(
            account_id=leg_account,
            amount=amount,
            idempotency_key=f"suspense:{item.pk}" if index == 0 else f"suspense:{item.pk}:{leg_account}",
            **common,
        )
        for index, (leg_account, amount) in enumerate(legs)
    ]
    transactions_post(postings=postings, posted_by=user, import_batch=item.batch, review_reason="from suspense")
    item.transaction = Transaction.objects.get(idempotency_key=f"suspense:{item.pk}")
    item.status = SuspenseStatus.ALLOCATED
    item.resolved_by, item.resolved_at = user, timezone.now()
    item.resolution_note = f"Allocated to {reference}"
    item.save()
    return item


@transaction.atomic
def suspense_item_reject(*, item: SuspenseItem, reason: str, user) -> SuspenseItem:
    """Closes a held payment without posting it (returned to the payer, not ours), with the reason."""
    staff_require(user, "rentaccounts.change_suspenseitem", "reject payments in suspense")
    if not reason.strip():
        raise ValidationError("Say why this payment is rejected (for example: returned to the payer).")
    item = _open_item_locked(item)
    item.status = SuspenseStatus.REJECTED
    item.resolved_by, item.resolved_at = user, timezone.now()
    item.resolution_note = reason.strip()[:255]
    item.save()
    return item
