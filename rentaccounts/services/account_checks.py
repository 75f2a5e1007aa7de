"""A review queue of suspected duplicate or overlapping payments, for a senior officer to resolve.

Duplicates: two or more receipts on one account with the same type, method, amount and date, none reversed. Overlaps:
two benefit credits of the same kind on one account whose periods overlap (HB paid twice for the same weeks, say).
Finding is set-based (a few queries, however many accounts) and idempotent: each suspicion has a fingerprint and is
raised once.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from incomeapp.roles import staff_require
from rentaccounts.constants import RECEIPT_TYPES, CheckKind, CheckStatus, TransactionType
from rentaccounts.models import AccountCheck, Transaction

from .ledger import transaction_reverse

# Credits that pay for a stated period, so two for the same weeks means one too many.
BENEFIT_TYPES = (TransactionType.HOUSING_BENEFIT, TransactionType.UC_MANAGED_PAYMENT, TransactionType.DHP)
OUTCOME_GENUINE, OUTCOME_CORRECTED = "genuine", "corrected"


def _duplicate_groups(since: date) -> list[list[int]]:
    receipts = Transaction.objects.filter(
        transaction_type__in=RECEIPT_TYPES, effective_date__gte=since, reversed_by__isnull=True
    )
    keys = ("account_id", "transaction_type", "payment_method", "amount", "effective_date")
    groups = receipts.values(*keys).annotate(lines=Count("id")).filter(lines__gt=1).order_by()
    found: dict[tuple, list[int]] = {tuple(group[k] for k in keys): [] for group in groups}
    if not found:
        return []
    accounts = {key[0] for key in found}
    for row in receipts.filter(account_id__in=accounts).values(*keys, "id").order_by("id"):
        key = tuple(row[k] for k in keys)
        if key in found:
            found[key].append(row["id"])
    return list(found.values())


def _overlapping_pairs(since: date) -> set[tuple[int, int]]:
    """Pairs with at least one line since the date (the other may be older: a late duplicate of an old award)."""
    table = Transaction._meta.db_table
    placeholders = ", ".join(["%s"] * len(BENEFIT_TYPES))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT a.id, b.id FROM {table} AS a
                JOIN {table} AS b ON b.account_id = a.account_id AND b.id <> a.id
                    AND b.transaction_type = a.transaction_type AND b.amount < 0
                    AND a.period_start <= b.period_end AND b.period_start <= a.period_end
                WHERE a.transaction_type IN ({placeholders}) AND a.effective_date >= %s AND a.amount < 0
                  AND NOT EXISTS (SELECT 1 FROM {table} AS r WHERE r.reverses_id IN (a.id, b.id))""",  # noqa: S608
            [*(str(kind) for kind in BENEFIT_TYPES), since],
        )
        return {(min(a, b), max(a, b)) for a, b in cursor.fetchall()}


def _detail(kind: str, lines: list[Transaction]) -> str:
    first = lines[0]
    if kind == CheckKind.DUPLICATE_PAYMENT:
        kind_name = first.get_transaction_type_display()
        return f"{len(lines)} × {kind_name} of £{-first.amount} on {first.effective_date:%-d %B %Y}"
    second = lines[1]
    return (
        f"{first.get_transaction_type_display()} for {first.period_start:%-d %B %Y}–{first.period_end:%-d %B %Y} "
        f"and {second.period_start:%-d %B %Y}–{second.period_end:%-d %B %Y}"
    )


@transaction.atomic
def account_checks_find(*, since: date) -> int:
    """Raises a check for each new suspicion since the date. Returns how many were raised."""
    suspicions = {
        f"{CheckKind.DUPLICATE_PAYMENT}:{':'.join(map(str, sorted(ids)))}": (CheckKind.DUPLICATE_PAYMENT, sorted(ids))
        for ids in _duplicate_groups(since)
    }
    suspicions.update(
        {
            f"{CheckKind.OVERLAPPING_PERIODS}:{a}:{b}": (CheckKind.OVERLAPPING_PERIODS, [a, b])
            for a, b in _overlapping_pairs(since)
        }
    )
    already = set(AccountCheck.objects.filter(fingerprint__in=list(suspicions)).values_list("fingerprint", flat=True))
    new = {fingerprint: suspicion for fingerprint, suspicion in suspicions.items() if fingerprint not in already}
    if not new:
        return 0
    lines = Transaction.objects.in_bulk([pk for _, ids in new.values() for pk in ids])
    # With history, like every change to a check, so the audit trail starts when the suspicion is raised.
    checks = bulk_create_with_history(
        [
            AccountCheck(
                kind=kind,
                account_id=lines[ids[0]].account_id,
                fingerprint=fingerprint,
                detail=_detail(kind, [lines[pk] for pk in ids])[:255],
            )
            for fingerprint, (kind, ids) in new.items()
        ],
        AccountCheck,
        default_change_reason="Found by the account checks",
    )
    through = AccountCheck.transactions.through
    through.objects.bulk_create(
        [
            through(accountcheck_id=check.pk, transaction_id=pk)
            for check, (_, ids) in zip(checks, new.values(), strict=True)
            for pk in ids
        ]
    )
    return len(checks)


@transaction.atomic
def account_check_resolve(
    *, check: AccountCheck, user, outcome: str, note: str, reverse_transaction: Transaction | None = None
) -> AccountCheck:
    """Either the payments are genuine, or one was posted in error and is reversed (with the note as the reason)."""
    staff_require(user, "rentaccounts.change_accountcheck", "resolve account checks")
    check = AccountCheck.objects.select_for_update().get(pk=check.pk)
    if check.status != CheckStatus.OPEN:
        raise ValidationError("This check has already been resolved.")
    if not (note or "").strip():
        raise ValidationError("Say what you found, so the next person can see why.")
    if outcome == OUTCOME_GENUINE:
        if reverse_transaction is not None:
            raise ValidationError("Payments that are genuine stay as they are: do not choose one to reverse.")
        check.status = CheckStatus.CONFIRMED_GENUINE
    elif outcome == OUTCOME_CORRECTED:
        if reverse_transaction is None or not check.transactions.filter(pk=reverse_transaction.pk).exists():
            raise ValidationError("Choose which of the payments to reverse.")
        transaction_reverse(original=reverse_transaction, reason=f"Account check: {note.strip()}", posted_by=user)
        check.status = CheckStatus.CORRECTED
    else:
        raise ValidationError("Choose what you found: both payments genuine, or one to reverse.")
    check.resolved_by, check.resolved_at, check.resolution_note = user, timezone.now(), note.strip()[:255]
    check.save()
    return check
