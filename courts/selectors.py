"""Reads for legal action: the rent lawfully due and unpaid on a date (only rent counts for possession grounds), the
tenancy's Breathing Space moratoria, and Universal Credit awaited (for the Renters' Rights Act disregard)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q

from arrears.benefits import ClaimTerms, expected_benefit
from arrears.models import BenefitClaim, BreathingSpace
from incomeapp.money import ZERO
from rentaccounts.constants import AccountKind, TransactionType
from rentaccounts.models import Account, Transaction
from tenancies.models import Charge, Tenancy

from .notice_rules import Moratorium

# Debits in a rent account that are not rent (R-AST-01: court costs, rechargeable repairs and sundry debts are not rent
# arrears). Charge debits count only when their charge is reserved as rent (Charge.counts_as_rent).
NOT_RENT = (TransactionType.COURT_COSTS, TransactionType.RECHARGE, TransactionType.SUNDRY)


@dataclass
class RentPosition:
    on: date
    rent_period: str
    rent_per_period: Decimal
    balance: Decimal
    rent_arrears: Decimal
    excluded: list[dict] = field(default_factory=list)  # the non-rent debits left out, with their amounts


def rent_per_period(*, tenancy: Tenancy, on: date) -> Decimal:
    """The rent lawfully due each period on a date: the charges in effect that count as rent."""
    charges = Charge.objects.filter(tenancy=tenancy, counts_as_rent=True, effective_from__lte=on).exclude(
        effective_to__lt=on
    )
    return sum((charge.amount for charge in charges), ZERO)


def rent_position(*, tenancy: Tenancy, on: date) -> RentPosition:
    """The rent account's balance on a date and the part of it that is rent lawfully due.

    Payments are taken to clear the oldest debts first (the landlord's default appropriation, legal-spec R-CRT-01), so
    what is unpaid is made of the newest debits: walking back from the date until they add up to the balance, every
    debit that is not rent is left out. Debits later reversed are skipped (their reversal already cut the balance)."""
    account = Account.objects.get(tenancy=tenancy, kind=AccountKind.RENT)
    lines = account.transactions.filter(effective_date__lte=on)
    balance = sum(lines.values_list("amount", flat=True), ZERO)
    position = RentPosition(
        on=on,
        rent_period=tenancy.rent_period,
        rent_per_period=rent_per_period(tenancy=tenancy, on=on),
        balance=balance,
        rent_arrears=max(balance, ZERO),
    )
    if balance <= 0:
        return position
    not_rent_charges = set(tenancy.charges.filter(counts_as_rent=False).values_list("id", flat=True))
    reversed_ids = set(
        Transaction.objects.filter(account=account, reverses__isnull=False, effective_date__lte=on).values_list(
            "reverses_id", flat=True
        )
    )
    unpaid, excluded = balance, ZERO
    debits = lines.filter(amount__gt=0).order_by("-effective_date", "-id")
    for debit in debits.iterator(chunk_size=200):
        if unpaid <= 0:
            break
        if debit.pk in reversed_ids:
            continue
        part = min(debit.amount, unpaid)
        unpaid -= part
        if _is_rent(debit, not_rent_charges):
            continue
        excluded += part
        position.excluded.append(
            {
                "date": debit.effective_date,
                "what": debit.description or debit.get_transaction_type_display(),
                "amount": part,
            }
        )
    position.rent_arrears = max(balance - excluded, ZERO)
    return position


def _is_rent(debit: Transaction, not_rent_charges: set[int]) -> bool:
    if debit.transaction_type in NOT_RENT:
        return False
    if debit.transaction_type == TransactionType.CHARGE_DEBIT and debit.idempotency_key.startswith("charge:"):
        charge_id = debit.idempotency_key.rsplit(":", 1)[1]
        return not (charge_id.isdigit() and int(charge_id) in not_rent_charges)
    return True


def moratoria(*, tenancy: Tenancy) -> list[Moratorium]:
    return [
        Moratorium(starts_on=space.starts_on, ends_on=space.ends_on)
        for space in BreathingSpace.objects.filter(tenancy=tenancy).order_by("starts_on")
    ]


def uc_awaited(*, tenancy: Tenancy, on: date) -> Decimal:
    """Universal Credit housing costs for days already passed that have not been paid yet (one cycle at most), for
    the Renters' Rights Act's Ground 8 disregard. Counted whether UC is paid to the tenant or to the landlord."""
    account = Account.objects.get(tenancy=tenancy, kind=AccountKind.RENT)
    last = (
        account.transactions.filter(
            Q(transaction_type=TransactionType.UC_MANAGED_PAYMENT), amount__lt=0, effective_date__lte=on
        )
        .order_by("-effective_date", "-id")
        .first()
    )
    paid_up_to = (last.period_end or last.effective_date) if last else None
    return sum(
        (
            expected_benefit(
                ClaimTerms(claim.benefit, claim.status, claim.weekly_amount, True, claim.started_on),
                paid_up_to=paid_up_to,
                as_of=on,
            )
            for claim in BenefitClaim.objects.filter(tenancy=tenancy, benefit="uc")
        ),
        ZERO,
    )
