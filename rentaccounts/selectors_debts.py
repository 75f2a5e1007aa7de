"""What part of each debt can still be recovered: the limitation date (Limitation Act 1980, R-DP-02) and the part
covered by a bankruptcy or debt relief order. (Interface fixed; the working is being written: see docs/debts.md.)"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from incomeapp.money import ZERO
from rentaccounts.models import Account


@dataclass(frozen=True)
class DebtPosition:
    balance: Decimal
    out_of_time: Decimal = ZERO  # unpaid debits more than six years from their (restarted) due date
    limitation_date: date | None = None  # when the oldest part still in time goes out of time
    insolvency_covered: Decimal = ZERO  # covered by an order not yet discharged: no recovery while it lasts
    insolvency_released: Decimal = ZERO  # covered by an order since discharged: released, to be written off
    orders: list[dict] = field(default_factory=list)  # each order touching the account: kind, made_on, discharged_on

    @property
    def recoverable(self) -> Decimal:
        return max(self.balance - self.out_of_time - self.insolvency_covered - self.insolvency_released, ZERO)


def debt_positions(*, account_ids: list[int], on: date) -> dict[int, DebtPosition]:
    """Each account's position on `on`, in a fixed number of queries whatever the number of accounts."""
    return {
        pk: DebtPosition(balance=balance)
        for pk, balance in Account.objects.filter(pk__in=account_ids).values_list("pk", "balance")
    }
