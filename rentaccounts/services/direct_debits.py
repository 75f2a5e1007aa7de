"""Direct debit mandates (kept with their history: take-up is a KPI) and bank return files of unpaid direct debits.

A returned direct debit is posted as a reversal of the payment it undoes, with the bank's reason, so it shows on the
account. A return file can be imported again safely: a payment is reversed once.
"""

import csv
import io
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incomeapp.money import MoneyError, parse_money, to_money
from incomeapp.roles import staff_require
from rentaccounts.constants import MandateStatus, TransactionType
from rentaccounts.imports.formats import read_date
from rentaccounts.models import DirectDebitMandate, Transaction
from tenancies.constants import PaymentMethod
from tenancies.models import Tenancy

from .ledger import transaction_reverse

logger = logging.getLogger(__name__)

# Bacs ARUDD reason codes, in plain English.
RETURN_REASONS = {
    "0": "refer to payer",
    "1": "instruction cancelled by the payer",
    "2": "payer deceased",
    "3": "account transferred",
    "5": "no account",
    "6": "no instruction",
    "B": "account closed",
}
RETURN_COLUMNS = ("mandate_reference", "collection_date", "amount", "reason_code")
RETURNED, ALREADY_RETURNED, NOT_MATCHED = "returned", "already returned", "not matched"


@transaction.atomic
def direct_debit_mandate_create(
    *, tenancy: Tenancy, reference: str, collection_day: int, start_date: date, user, amount: Decimal | None = None
) -> DirectDebitMandate:
    """A new active mandate; the tenancy now pays by direct debit. One active mandate per tenancy."""
    staff_require(user, "rentaccounts.add_directdebitmandate", "set up direct debits")
    reference = (reference or "").strip().upper()
    if not reference:
        raise ValidationError("Enter the bank's mandate reference.")
    if not 1 <= collection_day <= 28:
        raise ValidationError("Choose a collection day from 1 to 28.")
    if amount is not None and to_money(amount) <= 0:
        raise ValidationError("Enter the amount collected each time as a positive sum, or leave it blank.")
    if DirectDebitMandate.objects.filter(reference=reference).exists():
        raise ValidationError(f"A mandate with the reference {reference} already exists. Check the reference.")
    tenancy = Tenancy.objects.select_for_update().get(pk=tenancy.pk)
    if tenancy.direct_debit_mandates.filter(status=MandateStatus.ACTIVE).exists():
        raise ValidationError("This tenancy already has an active direct debit. Cancel it first.")
    mandate = DirectDebitMandate.objects.create(
        tenancy=tenancy,
        reference=reference,
        collection_day=collection_day,
        amount=to_money(amount) if amount is not None else None,
        start_date=start_date,
    )
    tenancy.payment_method = PaymentMethod.DIRECT_DEBIT
    tenancy.save(update_fields=["payment_method", "updated_at"])
    return mandate


@transaction.atomic
def direct_debit_mandate_cancel(
    *, mandate: DirectDebitMandate, cancelled_on: date, new_payment_method: str, user
) -> DirectDebitMandate:
    """Ends a mandate (the record stays, for direct-debit take-up over time) and records how the tenant will pay."""
    staff_require(user, "rentaccounts.change_directdebitmandate", "cancel direct debits")
    mandate = DirectDebitMandate.objects.select_for_update().select_related("tenancy").get(pk=mandate.pk)
    if mandate.status == MandateStatus.CANCELLED:
        raise ValidationError("This direct debit is already cancelled.")
    if new_payment_method not in PaymentMethod.values or new_payment_method == PaymentMethod.DIRECT_DEBIT:
        raise ValidationError("Choose how the tenant will pay now that the direct debit has ended.")
    mandate.status, mandate.cancelled_on = MandateStatus.CANCELLED, cancelled_on
    mandate.save(update_fields=["status", "cancelled_on", "updated_at"])
    mandate.tenancy.payment_method = new_payment_method
    mandate.tenancy.save(update_fields=["payment_method", "updated_at"])
    return mandate


@dataclass
class ReturnOutcome:
    row_number: int
    mandate_reference: str
    amount: str
    outcome: str
    detail: str


@dataclass
class ReturnReport:
    """What happened to every row of one return file; unmatched rows are posted nowhere, only reported."""

    file_name: str
    rows: list[ReturnOutcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def returned(self) -> int:
        return self.count(RETURNED)

    @property
    def already_returned(self) -> int:
        return self.count(ALREADY_RETURNED)

    @property
    def not_matched(self) -> int:
        return self.count(NOT_MATCHED)


def direct_debit_returns_import(*, content: bytes, file_name: str, user) -> ReturnReport:
    """Reverses each returned direct debit named in a bank return file and reports what happened to every row."""
    staff_require(user, "rentaccounts.change_directdebitmandate", "import direct debit returns")
    try:
        reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
        headers = [h.strip().lower() for h in reader.fieldnames or []]
    except (UnicodeDecodeError, csv.Error) as error:
        raise ValidationError(
            f"{file_name} is not a CSV text file. Save the bank's file as CSV and try again."
        ) from error
    missing = [c for c in RETURN_COLUMNS if c not in headers]
    if missing:
        raise ValidationError(
            f"{file_name} is not a direct debit return file: the columns {', '.join(missing)} are missing. "
            "See the direct debits guide for the columns."
        )
    reader.fieldnames = headers
    report = ReturnReport(file_name=file_name)
    for row_number, row in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in row.items() if k}
        report.rows.append(_return_row(row_number, row, user))
    logger.info(
        "Direct debit returns %s: %d returned, %d already returned, %d not matched",
        file_name,
        report.returned,
        report.already_returned,
        report.not_matched,
    )
    return report


def _collection_legs(tenancy: Tenancy, amount: Decimal, collected: date) -> list[Transaction] | None:
    """The ledger lines of the direct debit collected that day. A collection split across a tenancy's accounts (court
    costs first, say) is several lines from one file row: same import batch and external reference."""
    lines = Transaction.objects.filter(
        account__tenancy=tenancy,
        transaction_type=TransactionType.PAYMENT,
        payment_method=PaymentMethod.DIRECT_DEBIT,
        effective_date=collected,
    ).order_by("id")
    collections: dict[tuple, list[Transaction]] = defaultdict(list)
    for line in lines:
        key = (line.import_batch_id, line.external_reference) if line.external_reference else ("line", line.pk)
        collections[key].append(line)
    for legs in collections.values():
        if sum(leg.amount for leg in legs) == -amount:
            return legs
    return None


def _return_row(row_number: int, row: dict, user) -> ReturnOutcome:
    reference = row["mandate_reference"].upper()

    def outcome(kind: str, detail: str) -> ReturnOutcome:
        return ReturnOutcome(row_number, reference, row["amount"], kind, detail)

    try:
        amount = parse_money(row["amount"])
        collected = read_date(row["collection_date"])
    except (MoneyError, ValueError) as error:
        return outcome(NOT_MATCHED, f"{error} Correct the row and import the file again.")
    if amount <= 0:
        return outcome(NOT_MATCHED, "The amount must be the positive sum that was not paid.")
    mandate = DirectDebitMandate.objects.filter(reference=reference).select_related("tenancy").first()
    if mandate is None:
        return outcome(NOT_MATCHED, f"No mandate has the reference {reference}.")
    legs = _collection_legs(mandate.tenancy, amount, collected)
    if legs is None:
        return outcome(
            NOT_MATCHED,
            f"No direct debit of £{amount} on {collected:%-d %B %Y} on {mandate.tenancy.payment_reference}.",
        )
    code = row["reason_code"].upper()
    reason = RETURN_REASONS.get(code, f"bank reason code {code or 'not given'}")
    reversed_now = 0
    for leg in legs:
        try:
            transaction_reverse(
                original=leg, reason=f"Direct debit returned unpaid: {reason}", posted_by=user, on=timezone.localdate()
            )
            reversed_now += 1
        except ValidationError:
            continue  # already reversed: a file imported again reverses nothing twice
    if not reversed_now:
        return outcome(ALREADY_RETURNED, f"The collection on {collected:%-d %B %Y} was already reversed.")
    return outcome(RETURNED, f"Reversed on {mandate.tenancy.payment_reference}: {reason}.")
