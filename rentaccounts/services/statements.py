"""Rent statements: the figures of an account over a date range (legal-spec §10), and their PDF (documents renders)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone

from documents.constants import DeliveryState, DocumentKind
from documents.rendering import letter_pdf
from documents.services import document_email, document_store
from incomeapp.money import ZERO
from incomeapp.roles import staff_require
from rentaccounts.constants import AccountKind, TransactionType
from rentaccounts.models import Account, Transaction
from rentaccounts.selectors import sum_amounts, weeks_in_arrears

CHARGES, BENEFITS, PAYMENTS = "Charges", "Housing Benefit and Universal Credit", "Your payments"
# Never rent (docs/debts.md): a debit of these kinds is never in the "Rent and charges" lines, even on a rent account.
NOT_RENT = "Repairs, sundry debts and court costs (not rent)"
STATEMENT_GROUPS = {
    CHARGES: (TransactionType.RENT_DEBIT, TransactionType.CHARGE_DEBIT),
    NOT_RENT: (TransactionType.COURT_COSTS, TransactionType.RECHARGE, TransactionType.SUNDRY),
    BENEFITS: (
        TransactionType.HOUSING_BENEFIT,
        TransactionType.UC_MANAGED_PAYMENT,
        TransactionType.UC_DEDUCTION,
        TransactionType.DHP,
    ),
    PAYMENTS: (TransactionType.PAYMENT,),
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
class StatementWeek:
    """One week of a statement (legal-spec R-STM-02: a running balance per week): what was charged, what benefits and
    the tenant paid, anything else, and the balance at the week's end."""

    starts: date
    ends: date
    totals: dict[str, Decimal]
    balance: Decimal

    @property
    def charges(self) -> Decimal:
        return self.totals[CHARGES]

    @property
    def benefits(self) -> Decimal:
        return self.totals[BENEFITS]

    @property
    def payments(self) -> Decimal:
        return self.totals[PAYMENTS]

    @property
    def other(self) -> Decimal:
        """Returned payments, corrections, adjustments, and debts that are not rent."""
        return sum((total for group, total in self.totals.items() if group not in (CHARGES, BENEFITS, PAYMENTS)), ZERO)


@dataclass
class Statement:
    account: Account
    date_from: date
    date_to: date
    opening_balance: Decimal
    lines: list[StatementLine] = field(default_factory=list)
    totals: dict[str, Decimal] = field(default_factory=dict)
    closing_balance: Decimal = ZERO
    weekly_rent: Decimal = ZERO  # on the tenancy's weeks basis
    weeks_in_arrears: Decimal | None = None
    weeks_basis_label: str = ""  # "weeks of rent" or "weeks of rent and all charges"
    weeks: list[StatementWeek] = field(default_factory=list)

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
            "tenants": [person.full_name for person in tenancy.named_tenants()],
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
            "weeks": [
                {
                    "from": week.starts.isoformat(),
                    "to": week.ends.isoformat(),
                    **{group: str(total) for group, total in week.totals.items()},
                    "balance": str(week.balance),
                }
                for week in self.weeks
            ],
            "closing_balance": str(self.closing_balance),
            "status": self.status,
            "weekly_rent": str(self.weekly_rent),
            "weeks_in_arrears": str(self.weeks_in_arrears) if self.weeks_in_arrears is not None else None,
            "weeks_basis": self.weeks_basis_label,
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
    statement.weeks = _weeks(statement, group_of)
    if account.kind == AccountKind.RENT:  # weeks of rent are of the rent account only, never another debt
        weeks = weeks_in_arrears(tenancy=account.tenancy, balance=running, on=date_to)
        statement.weekly_rent, statement.weeks_in_arrears = weeks["weekly_rent"], weeks["weeks"]
        statement.weeks_basis_label = weeks["basis_label"]
    return statement


def _weeks(statement: Statement, group_of: dict) -> list[StatementWeek]:
    """Seven-day blocks from the statement's first day (the last may be shorter), each with its totals by kind and the
    balance at its end."""
    weeks, lines, balance = [], iter(statement.lines), statement.opening_balance
    line = next(lines, None)
    starts = statement.date_from
    while starts <= statement.date_to:
        ends = min(starts + timedelta(days=6), statement.date_to)
        totals = dict.fromkeys(STATEMENT_GROUPS, ZERO)
        while line is not None and line.transaction.effective_date <= ends:
            totals[group_of[line.transaction.transaction_type]] += line.transaction.amount
            balance = line.running_balance
            line = next(lines, None)
        weeks.append(StatementWeek(starts, ends, totals, balance))
        starts = ends + timedelta(days=1)
    return weeks


def statement_pdf(statement: Statement, *, recipient: dict | None = None) -> bytes:
    """The statement as a PDF from the tenancy's landlord (to the named tenants at the home unless `recipient` says
    otherwise): the weeks with their running balance, each line, totals, the closing balance and where to get help."""
    tenancy = statement.account.tenancy
    provider = tenancy.property.scheme.provider
    people = [person.full_name for person in tenancy.named_tenants()]
    body = render_to_string(
        "rentaccounts/statement_body.html",
        {"statement": statement, "account_label": statement.account.get_kind_display()},
    )
    return letter_pdf(
        title=statement_title(statement),
        landlord=provider.letterhead,
        recipient=recipient or {"name": " and ".join(people), "address_lines": tenancy.property.address_lines},
        reference=tenancy.payment_reference,
        dated=timezone.localdate(),
        body_html=body,
    )


def statement_title(statement: Statement) -> str:
    dates = f"{statement.date_from:%-d %B %Y} to {statement.date_to:%-d %B %Y}"
    if statement.account.kind != AccountKind.RENT:
        return f"Statement of your {statement.account.get_kind_display().lower()} account (not rent), {dates}"
    return f"Rent statement, {dates}"


def statement_document_make(
    statement: Statement,
    *,
    subject_key: str,
    made_by=None,
    made_by_run: str = "",
    recipient: dict | None = None,
    delivery_state: str = DeliveryState.TO_PRINT,
    idempotency_key: str | None = None,
):
    """Renders the statement and keeps it as a document (it shows in the tenancy's documents). With
    `idempotency_key` (a quarterly statement) the database keeps one document per key."""
    tenancy = statement.account.tenancy
    pdf = statement_pdf(statement, recipient=recipient)
    names = [person.full_name for person in tenancy.named_tenants()]
    return document_store(
        kind=DocumentKind.STATEMENT,
        pdf=pdf,
        title=statement_title(statement),
        reference=tenancy.payment_reference,
        subject_key=subject_key,
        recipient_name=recipient["name"] if recipient else " and ".join(names),
        made_by=made_by,
        made_by_run=made_by_run,
        delivery_state=delivery_state,
        idempotency_key=idempotency_key,
    )


SEND_BY = {"post": "By post (it joins the next print batch)", "email": "By email, to the tenants who gave an address"}


def statement_send(*, account: Account, date_from: date, date_to: date, send_by: str, made_by):
    """An officer sends a statement for any dates: made as a document and posted (it waits for the next print batch)
    or emailed to the named tenants who gave an email address. Refused in plain English when there is nowhere to send
    it."""
    staff_require(made_by, "documents.add_document", "make rent statements")
    tenancy = account.tenancy
    people = tenancy.named_tenants()
    names = " and ".join(person.full_name for person in people)
    emails = [person.email for person in people if person.email]
    address = []
    if send_by == "email":
        if not emails:
            raise ValidationError("No tenant of this tenancy has an email address. Send it by post, or add one first.")
    else:
        home = tenancy.property.address_lines if tenancy.is_live_on(timezone.localdate()) else None
        address = people[0].postal_lines(home) if people else []
        if not address:
            raise ValidationError(
                "There is no address to post to: the tenancy has ended and no forwarding address is recorded. "
                "Add one, or send it by email."
            )
    statement = account_statement(account=account, date_from=date_from, date_to=date_to)
    document = statement_document_make(
        statement,
        subject_key=f"statement:{account.pk}:{date_from.isoformat()}:{date_to.isoformat()}",
        made_by=made_by,
        made_by_run="officer",
        recipient={"name": names, "address_lines": address},
        delivery_state=DeliveryState.TO_EMAIL if send_by == "email" else DeliveryState.TO_PRINT,
    )
    if send_by == "email":
        document_email(
            document=document,
            to=emails,
            greeting=f"Dear {names}",
            landlord=tenancy.property.scheme.provider.letterhead,
        )
    return document
