"""A review queue of suspected duplicate or overlapping payments, for a senior officer to resolve.

Duplicates: two receipts on one account with the same type, method, amount and date, neither reversed. Overlaps: two
benefit credits of the same kind on one account whose periods overlap (HB paid twice for the same weeks, for example).
Finding is set-based and idempotent: each suspicion has a fingerprint and is raised once.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from .constants import RECEIPT_TYPES, CheckKind, CheckStatus, TransactionType
from .models import AccountCheck, Transaction
from .services import staff_require, transaction_reverse

BENEFIT_TYPES = (TransactionType.HOUSING_BENEFIT, TransactionType.UC_MANAGED_PAYMENT)


def _duplicate_groups(since: date) -> list[list[int]]:
    receipts = Transaction.objects.filter(
        transaction_type__in=RECEIPT_TYPES, effective_date__gte=since, reversed_by__isnull=True
    )
    keys = ("account_id", "transaction_type", "payment_method", "amount", "effective_date")
    groups = receipts.values(*keys).annotate(lines=Count("id")).filter(lines__gt=1)
    found: dict[tuple, list[int]] = {tuple(group[k] for k in keys): [] for group in groups}
    if not found:
        return []
    accounts = {key[0] for key in found}
    for row in receipts.filter(account_id__in=accounts).values(*keys, "id").order_by("id"):
        key = tuple(row[k] for k in keys)
        if key in found:
            found[key].append(row["id"])
    return list(found.values())


def _overlapping_pairs(since: date) -> list[tuple[int, int]]:
    table = Transaction._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT a.id, b.id FROM {table} AS a
                JOIN {table} AS b ON b.account_id = a.account_id AND b.id > a.id
                    AND b.transaction_type = a.transaction_type
                    AND a.period_start <= b.period_end AND b.period_start <= a.period_end
                WHERE a.transaction_type IN (%s, %s) AND a.effective_date >= %s AND a.amount < 0 AND b.amount < 0
                  AND NOT EXISTS (SELECT 1 FROM {table} r WHERE r.reverses_id IN (a.id, b.id))""",  # noqa: S608
            [*(str(kind) for kind in BENEFIT_TYPES), since],
        )
        return cursor.fetchall()


@transaction.atomic
def account_checks_find(*, since: date) -> int:
    """Raises a check for each new suspicion since the date. Returns how many were raised."""
    raised = 0
    suspicions = [(CheckKind.DUPLICATE_PAYMENT, ids) for ids in _duplicate_groups(since)]
    suspicions += [(CheckKind.OVERLAPPING_PERIODS, list(pair)) for pair in _overlapping_pairs(since)]
    lines = Transaction.objects.in_bulk([i for _, ids in suspicions for i in ids])
    for kind, ids in suspicions:
        first = lines[ids[0]]
        if kind == CheckKind.DUPLICATE_PAYMENT:
            kind_name = first.get_transaction_type_display()
            detail = f"{len(ids)} × {kind_name} of £{-first.amount} on {first.effective_date:%d/%m/%Y}"
        else:
            second = lines[ids[1]]
            detail = (
                f"{first.get_transaction_type_display()} for {first.period_start:%d/%m/%Y}–{first.period_end:%d/%m/%Y} "
                f"and {second.period_start:%d/%m/%Y}–{second.period_end:%d/%m/%Y}"
            )
        check, created = AccountCheck.objects.get_or_create(
            fingerprint=f"{kind}:{':'.join(map(str, sorted(ids)))}",
            defaults={"kind": kind, "account_id": first.account_id, "detail": detail[:255]},
        )
        if created:
            check.transactions.set(ids)
            raised += 1
    return raised


@transaction.atomic
def account_check_resolve(
    *, check: AccountCheck, user, genuine: bool, note: str, reverse: Transaction | None = None
) -> AccountCheck:
    """Either both payments are genuine, or one is reversed (with the note as the reason)."""
    staff_require(user, "rentaccounts.change_accountcheck", "resolve account checks")
    check = AccountCheck.objects.select_for_update().get(pk=check.pk)
    if check.status != CheckStatus.OPEN:
        raise ValidationError("This check has already been resolved.")
    if not note.strip():
        raise ValidationError("Say what you found, so the next person can see why.")
    if genuine:
        check.status = CheckStatus.CONFIRMED_GENUINE
    else:
        if reverse is None or not check.transactions.filter(pk=reverse.pk).exists():
            raise ValidationError("Choose which of the payments to reverse.")
        transaction_reverse(original=reverse, reason=f"Account check: {note.strip()}", posted_by=user)
        check.status = CheckStatus.CORRECTED
    check.resolved_by, check.resolved_at, check.resolution_note = user, timezone.now(), note.strip()[:255]
    check.save()
    return check
