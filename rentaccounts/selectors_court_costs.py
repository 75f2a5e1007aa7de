"""Reads of court costs: what courts awarded the landlord, what has been paid towards them and what is still owed, from
the tenancy's court costs sub-account. Costs are not rent: they never enter the rent account, so they are never in
the rent arrears, a notice's figures or the serious-arrears ground (docs/debts.md, "Court costs")."""

from dataclasses import dataclass, field
from decimal import Decimal

from incomeapp.money import ZERO
from tenancies.models import Tenancy

from .constants import RECEIPT_TYPES, AccountKind, TransactionType
from .models import Account, Transaction

COURT_COSTS_KEY = "court-costs:hearing:{hearing_id}"


@dataclass
class CourtCostsPosition:
    awarded: Decimal = ZERO  # net of corrections
    paid: Decimal = ZERO  # receipts (net of any returned)
    owed: Decimal = ZERO  # the sub-account's balance
    account: Account | None = None
    awards: list[Transaction] = field(default_factory=list)  # the award lines standing (not reversed)

    @property
    def any(self) -> bool:
        return self.account is not None and (bool(self.awards) or self.owed != 0 or self.awarded != 0)


def _kind_of(line: Transaction) -> str:
    """A reversal counts as the kind of line it reverses."""
    if line.transaction_type == TransactionType.REVERSAL and line.reverses_id is not None:
        return line.reverses.transaction_type
    return line.transaction_type


def court_costs_position(*, tenancy: Tenancy) -> CourtCostsPosition:
    account = Account.objects.filter(tenancy=tenancy, kind=AccountKind.COURT_COSTS).first()
    if account is None:
        return CourtCostsPosition()
    lines = list(account.transactions.select_related("reverses").order_by("effective_date", "id"))
    reversed_ids = {line.reverses_id for line in lines if line.reverses_id is not None}
    kinds = [(line, _kind_of(line)) for line in lines]
    return CourtCostsPosition(
        awarded=sum((line.amount for line, kind in kinds if kind == TransactionType.COURT_COSTS), ZERO),
        paid=-sum((line.amount for line, kind in kinds if kind in RECEIPT_TYPES), ZERO),
        owed=account.balance,
        account=account,
        awards=[
            line
            for line in lines
            if line.transaction_type == TransactionType.COURT_COSTS and line.pk not in reversed_ids
        ],
    )


def hearing_costs_lines(*, hearing_id: int) -> list[Transaction]:
    """Every court costs line posted for one hearing's order (the award and any corrections), oldest first."""
    base = COURT_COSTS_KEY.format(hearing_id=hearing_id)
    return list(
        Transaction.objects.filter(transaction_type=TransactionType.COURT_COSTS, idempotency_key__startswith=base)
        .filter(idempotency_key__regex=rf"^{base}(:correction:\d+)?$")
        .order_by("id")
    )


def hearing_costs_standing(*, hearing_id: int) -> Transaction | None:
    """The hearing's award line that stands (its latest one, unless reversed without a replacement)."""
    lines = hearing_costs_lines(hearing_id=hearing_id)
    standing = [line for line in lines if not Transaction.objects.filter(reverses=line).exists()]
    return standing[-1] if standing else None
