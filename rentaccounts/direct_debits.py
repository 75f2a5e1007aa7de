"""Direct debit mandates (kept with their history: take-up is a KPI) and bank return files of unpaid direct debits.

A returned direct debit is posted as a reversal of the payment it undoes, with the bank's reason, so it shows on the
account. A return file can be imported again safely: a payment is reversed once.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incomeapp.money import MoneyError, parse_money
from tenancies.constants import PaymentMethod
from tenancies.models import Tenancy

from .constants import AccountKind, MandateStatus, TransactionType
from .imports.formats import read_date
from .models import DirectDebitMandate, Transaction
from .services import staff_require, transaction_reverse

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


@transaction.atomic
def direct_debit_mandate_create(
    *, tenancy: Tenancy, reference: str, collection_day: int, start_date: date, user, amount=None
) -> DirectDebitMandate:
    staff_require(user, "rentaccounts.add_directdebitmandate", "set up direct debits")
    if not 1 <= collection_day <= 28:
        raise ValidationError("Choose a collection day from 1 to 28.")
    if DirectDebitMandate.objects.filter(reference=reference.strip().upper()).exists():
        raise ValidationError(f"A mandate with the reference {reference.strip().upper()} already exists.")
    if tenancy.direct_debit_mandates.filter(status=MandateStatus.ACTIVE).exists():
        raise ValidationError("This tenancy already has an active direct debit. Cancel it first.")
    mandate = DirectDebitMandate.objects.create(
        tenancy=tenancy,
        reference=reference.strip().upper(),
        collection_day=collection_day,
        amount=amount,
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
    if mandate.status == MandateStatus.CANCELLED:
        raise ValidationError("This direct debit is already cancelled.")
    if new_payment_method == PaymentMethod.DIRECT_DEBIT:
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


def direct_debit_returns_import(*, content: bytes, user) -> list[ReturnOutcome]:
    """Reverses each returned direct debit named in a bank return file. Returns what happened to every row."""
    staff_require(user, "rentaccounts.change_directdebitmandate", "import direct debit returns")
    try:
        reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    except UnicodeDecodeError as error:
        raise ValidationError("The file is not text (CSV). Save it as CSV and try again.") from error
    headers = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in RETURN_COLUMNS if c not in headers]
    if missing:
        raise ValidationError(f"This is not a direct debit return file: the columns {', '.join(missing)} are missing.")
    reader.fieldnames = headers
    outcomes = []
    for row_number, row in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in row.items() if k}
        outcomes.append(_return_row(row_number, row, user))
    return outcomes


def _return_row(row_number: int, row: dict, user) -> ReturnOutcome:
    reference = row["mandate_reference"].upper()

    def outcome(kind: str, detail: str) -> ReturnOutcome:
        return ReturnOutcome(row_number, reference, row["amount"], kind, detail)

    try:
        amount = parse_money(row["amount"])
        collected = read_date(row["collection_date"])
    except (MoneyError, ValueError) as error:
        return outcome("not matched", str(error))
    mandate = DirectDebitMandate.objects.filter(reference=reference).select_related("tenancy").first()
    if mandate is None:
        return outcome("not matched", f"No mandate has the reference {reference}.")
    payment = (
        Transaction.objects.filter(
            account__tenancy=mandate.tenancy,
            account__kind=AccountKind.RENT,
            transaction_type=TransactionType.PAYMENT,
            payment_method=PaymentMethod.DIRECT_DEBIT,
            amount=-amount,
            effective_date=collected,
        )
        .order_by("id")
        .first()
    )
    if payment is None:
        return outcome(
            "not matched",
            f"No direct debit of £{amount} on {collected:%d/%m/%Y} on {mandate.tenancy.payment_reference}.",
        )
    reason = RETURN_REASONS.get(row["reason_code"].upper(), f"bank reason code {row['reason_code'] or 'not given'}")
    try:
        transaction_reverse(
            original=payment, reason=f"Direct debit returned unpaid: {reason}", posted_by=user, on=timezone.localdate()
        )
    except ValidationError:
        return outcome("already returned", f"The payment on {collected:%d/%m/%Y} was already reversed.")
    return outcome("returned", f"Reversed on {mandate.tenancy.payment_reference}: {reason}.")
