"""Rent statements: the figures of an account over a date range (legal-spec §10), and their PDF (documents renders)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from incomeapp.money import ZERO

from .constants import TransactionType
from .models import Account, Transaction
from .selectors import sum_amounts, weekly_rent, weeks_of_rent

STATEMENT_GROUPS = {
    "Charges": (
        TransactionType.RENT_DEBIT,
        TransactionType.CHARGE_DEBIT,
        TransactionType.COURT_COSTS,
        TransactionType.RECHARGE,
        TransactionType.SUNDRY,
    ),
    "Housing Benefit and Universal Credit": (
        TransactionType.HOUSING_BENEFIT,
        TransactionType.UC_MANAGED_PAYMENT,
        TransactionType.UC_DEDUCTION,
        TransactionType.DHP,
    ),
    "Your payments": (TransactionType.PAYMENT,),
    "Returned payments and corrections": (TransactionType.REVERSAL,),
    "Adjustments, refunds, transfers and write-offs": (
        TransactionType.ADJUSTMENT,
        TransactionType.REFUND,
        TransactionType.TRANSFER,
        TransactionType.WRITE_OFF,
    ),
}


@dataclass
class StatementLine:
    transaction: Transaction
    running_balance: Decimal


@dataclass
class Statement:
    account: Account
    date_from: date
    date_to: date
    opening_balance: Decimal
    lines: list[StatementLine] = field(default_factory=list)
    totals: dict[str, Decimal] = field(default_factory=dict)
    closing_balance: Decimal = ZERO
    weekly_rent: Decimal = ZERO
    weeks_in_arrears: Decimal | None = None

    @property
    def status(self) -> str:
        if self.closing_balance > 0:
            return "in arrears"
        return "in credit" if self.closing_balance < 0 else "clear"

    def as_dict(self) -> dict:
        tenancy = self.account.tenancy
        return {
            "payment_reference": tenancy.payment_reference,
            "account": self.account.get_kind_display(),
            "tenants": [row.person.full_name for row in tenancy.tenancy_tenants.select_related("person")],
            "address": tenancy.property.address_lines,
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "opening_balance": str(self.opening_balance),
            "lines": [
                {
                    "date": line.transaction.effective_date.isoformat(),
                    "type": line.transaction.get_transaction_type_display(),
                    "description": line.transaction.description,
                    "amount": str(line.transaction.amount),
                    "balance": str(line.running_balance),
                }
                for line in self.lines
            ],
            "totals": {group: str(total) for group, total in self.totals.items()},
            "closing_balance": str(self.closing_balance),
            "status": self.status,
            "weekly_rent": str(self.weekly_rent),
            "weeks_in_arrears": str(self.weeks_in_arrears) if self.weeks_in_arrears is not None else None,
        }


def account_statement(*, account: Account, date_from: date, date_to: date) -> Statement:
    """Opening balance, every line in the range with its running balance, totals by kind and the closing balance."""
    if date_to < date_from:
        raise ValueError("The statement must end on or after the day it starts.")
    opening = sum_amounts(account.transactions.filter(effective_date__lt=date_from))
    statement = Statement(account=account, date_from=date_from, date_to=date_to, opening_balance=opening)
    running = opening
    group_of = {kind: group for group, kinds in STATEMENT_GROUPS.items() for kind in kinds}
    statement.totals = dict.fromkeys(STATEMENT_GROUPS, ZERO)
    for transaction in account.transactions.filter(effective_date__gte=date_from, effective_date__lte=date_to).order_by(
        "effective_date", "id"
    ):
        running += transaction.amount
        statement.lines.append(StatementLine(transaction, running))
        statement.totals[group_of[transaction.transaction_type]] += transaction.amount
    statement.closing_balance = running
    statement.weekly_rent = weekly_rent(tenancy=account.tenancy, on=date_to)
    if running > 0:
        statement.weeks_in_arrears = weeks_of_rent(running, statement.weekly_rent)
    return statement


def statement_pdf(statement: Statement) -> bytes:
    """The statement as a PDF addressed to the lead tenant, from the tenancy's landlord: each line with its running
    balance, totals, the closing balance and where to get help."""
    from django.template.loader import render_to_string
    from django.utils import timezone

    from documents.rendering import letter_pdf

    tenancy = statement.account.tenancy
    provider = tenancy.property.scheme.provider
    people = [
        row.person.full_name for row in tenancy.tenancy_tenants.select_related("person").order_by("-is_lead", "id")
    ]
    body = render_to_string(
        "rentaccounts/statement_body.html",
        {"statement": statement, "account_label": statement.account.get_kind_display()},
    )
    return letter_pdf(
        title=f"Rent statement, {statement.date_from:%-d %B %Y} to {statement.date_to:%-d %B %Y}",
        landlord=provider.letterhead,
        recipient={"name": " and ".join(people), "address_lines": tenancy.property.address_lines},
        reference=tenancy.payment_reference,
        dated=timezone.localdate(),
        body_html=body,
    )
