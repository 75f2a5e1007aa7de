"""Reads for the account page's debts panel: each of a tenancy's accounts with its balance, and the invoices raised on
its rechargeable repairs and sundry debts accounts."""

from dataclasses import dataclass, field
from decimal import Decimal

from .constants import AccountKind
from .models import Account, Invoice
from .services.ledger import allocation_order

INVOICES_SHOWN = 10  # per account; the account's own page lists every line


@dataclass
class DebtAccount:
    kind: str
    label: str
    balance: Decimal
    is_rent: bool
    invoices: list[Invoice] = field(default_factory=list)
    invoices_count: int = 0


def tenancy_debts(*, tenancy) -> dict:
    """{"accounts": [DebtAccount] (the rent account first), "allocation_order": [labels]}."""
    accounts = {account.kind: account for account in Account.objects.filter(tenancy=tenancy)}
    order = [AccountKind.RENT, AccountKind.COURT_COSTS, AccountKind.RECHARGEABLE_REPAIRS, AccountKind.SUNDRY]
    rows = []
    for kind in order:
        account = accounts.get(kind)
        if account is None:
            continue
        row = DebtAccount(kind, AccountKind(kind).label, account.balance, kind == AccountKind.RENT)
        if kind in (AccountKind.RECHARGEABLE_REPAIRS, AccountKind.SUNDRY):
            invoices = Invoice.objects.filter(account=account).select_related("raised_by")
            row.invoices = list(invoices[:INVOICES_SHOWN])
            row.invoices_count = invoices.count()
        rows.append(row)
    return {
        "accounts": rows,
        "allocation_order": [AccountKind(kind).label for kind in allocation_order() if kind in AccountKind.values],
    }
