"""What part of each debt can still be recovered: the limitation date (Limitation Act 1980, R-DP-02) and the part
covered by a bankruptcy or debt relief order (docs/debts.md, "Limitation and insolvency").

`debt_positions` reads any number of accounts in four queries: the accounts, their ledger lines (one query, ordered
by account and date), their written acknowledgments, and the insolvency orders on their named tenants. The working is
the pure function `rentaccounts.limitation.limitation`.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from incomeapp.money import ZERO
from rentaccounts.constants import RECEIPT_TYPES
from rentaccounts.limitation import Line, limitation
from rentaccounts.models import Account, DebtAcknowledgment, InsolvencyOrder, Transaction


@dataclass(frozen=True)
class DebtPosition:
    balance: Decimal
    out_of_time: Decimal = ZERO  # unpaid debits more than six years from their (restarted) due date
    limitation_date: date | None = None  # when the oldest part still in time goes out of time
    insolvency_covered: Decimal = ZERO  # covered by an order not yet discharged: no recovery while it lasts
    insolvency_released: Decimal = ZERO  # covered by an order since discharged: released, to be written off
    orders: list[dict] = field(default_factory=list)  # each order touching the account: kind, made_on, discharged_on
    # Added: for the out-of-time part, the last day time started to run (its due date, payment or acknowledgment).
    out_of_time_from: date | None = None
    # Added: the last payment or written acknowledgment on or before `on` (None if there was none).
    last_acknowledged_on: date | None = None

    @property
    def recoverable(self) -> Decimal:
        return max(self.balance - self.out_of_time - self.insolvency_covered - self.insolvency_released, ZERO)

    @property
    def in_force_orders(self) -> list[dict]:
        return [order for order in self.orders if order["in_force"]]


RESTARTING_TYPES = frozenset(str(t) for t in RECEIPT_TYPES)


def _order_dict(row: dict, *, on: date) -> dict:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "kind_label": InsolvencyOrder(kind=row["kind"]).get_kind_display(),
        "reference": row["reference"],
        "made_on": row["made_on"],
        "discharged_on": row["discharged_on"],
        "person_id": row["person_id"],
        "person_name": f"{row['person__first_name']} {row['person__last_name']}".strip(),
        "in_force": row["discharged_on"] is None or row["discharged_on"] > on,
        "covers": ZERO,  # what it covers on this account (filled in below)
    }


def debt_positions(*, account_ids: list[int], on: date) -> dict[int, DebtPosition]:
    """Each account's position on `on`, in a fixed number of queries whatever the number of accounts."""
    account_ids = list(account_ids)
    balances = dict(Account.objects.filter(pk__in=account_ids).values_list("pk", "balance"))
    if not balances:
        return {}
    lines: dict[int, list[Line]] = defaultdict(list)
    for row in (
        Transaction.objects.filter(account_id__in=balances, effective_date__lte=on)
        .order_by("account_id", "effective_date", "id")
        .values_list("account_id", "id", "effective_date", "amount", "transaction_type", "reverses_id")
    ):
        account_id, pk, effective, amount, kind, reverses = row
        lines[account_id].append(
            Line(on=effective, amount=amount, payment=kind in RESTARTING_TYPES, key=pk, reverses=reverses)
        )
    acknowledged: dict[int, list[date]] = defaultdict(list)
    for account_id, day in DebtAcknowledgment.objects.filter(
        account_id__in=balances, acknowledged_on__lte=on
    ).values_list("account_id", "acknowledged_on"):
        acknowledged[account_id].append(day)
    orders: dict[int, dict[int, dict]] = defaultdict(dict)
    for row in (
        InsolvencyOrder.objects.filter(person__tenancy_tenants__tenancy__accounts__in=balances, made_on__lte=on)
        .order_by("made_on", "id")
        .values(
            "id",
            "kind",
            "reference",
            "made_on",
            "discharged_on",
            "person_id",
            "person__first_name",
            "person__last_name",
            "person__tenancy_tenants__tenancy__accounts",
        )
    ):
        orders[row["person__tenancy_tenants__tenancy__accounts"]].setdefault(row["id"], _order_dict(row, on=on))

    positions = {}
    for account_id, balance in balances.items():
        account_orders = sorted(orders[account_id].values(), key=lambda o: (o["made_on"], o["id"]))
        result = limitation(
            lines[account_id],
            acknowledgments=acknowledged[account_id],
            on=on,
            fences=[o["made_on"] for o in account_orders],
        )
        covered = released = out_of_time = ZERO
        out_of_time_from = limitation_date = None
        for part in result.parts:
            # The earliest order made after the part fell due covers it; the rest is a matter of limitation.
            order = next((o for o in account_orders if part.due < o["made_on"]), None)
            if order is not None:
                order["covers"] += part.amount
                if order["in_force"]:
                    covered += part.amount
                else:
                    released += part.amount
            elif part.barred(on):
                out_of_time += part.amount
                out_of_time_from = max(filter(None, [out_of_time_from, part.runs_from]))
            elif limitation_date is None or part.last_day < limitation_date:
                limitation_date = part.last_day
        restarts = [line.on for line in lines[account_id] if line.payment and line.amount < ZERO]
        positions[account_id] = DebtPosition(
            balance=balance,
            out_of_time=out_of_time,
            limitation_date=limitation_date,
            insolvency_covered=covered,
            insolvency_released=released,
            orders=account_orders,
            out_of_time_from=out_of_time_from,
            last_acknowledged_on=max(restarts + acknowledged[account_id], default=None),
        )
    return positions
