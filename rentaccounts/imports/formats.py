"""Payment file formats. Each reads bytes and yields one `ParsedLine` per ledger credit (or a reason it cannot be read).

To add a format: subclass `PaymentFormat`, implement `lines`, and add it to `FORMATS`. Document it in
docs/payment-formats.md with a sample file under docs/samples/.
"""

import csv
import io
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from incomeapp.money import MoneyError, parse_money
from rentaccounts.constants import TransactionType
from tenancies.constants import PaymentMethod


@dataclass(slots=True)
class ParsedLine:
    """One credit (or, rarely, debit) read from a file. `problem` is set when the row cannot be posted as it stands."""

    row_number: int
    raw: dict
    payment_reference: str = ""
    amount: Decimal | None = None
    effective_date: date | None = None
    transaction_type: str = TransactionType.PAYMENT
    payment_method: str = ""
    external_id: str = ""
    period_start: date | None = None
    period_end: date | None = None
    problem: str = ""
    notes: list[str] = field(default_factory=list)


class FileFormatError(ValueError):
    """The file as a whole cannot be read in this format (wrong columns, not text); the message says what to do."""


@lru_cache(maxsize=4096)
def read_date(text: str) -> date:
    """DD/MM/YYYY (the UK way), also YYYY-MM-DD, DD/MM/YY and DD-MM-YYYY. Cached: a file repeats its dates."""
    text = (text or "").strip()
    if not text:
        raise ValueError("The date is missing.")
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"'{text}' is not a date; use DD/MM/YYYY.")


METHOD_ALIASES = {
    "dd": PaymentMethod.DIRECT_DEBIT,
    "direct debit": PaymentMethod.DIRECT_DEBIT,
    "direct_debit": PaymentMethod.DIRECT_DEBIT,
    "so": PaymentMethod.STANDING_ORDER,
    "standing order": PaymentMethod.STANDING_ORDER,
    "standing_order": PaymentMethod.STANDING_ORDER,
    "card": PaymentMethod.CARD,
    "debit card": PaymentMethod.CARD,
    "allpay": PaymentMethod.ALLPAY,
    "paypoint": PaymentMethod.ALLPAY,
    "cash": PaymentMethod.CASH,
    "bank transfer": PaymentMethod.BANK_TRANSFER,
    "bank_transfer": PaymentMethod.BANK_TRANSFER,
    "bacs": PaymentMethod.BANK_TRANSFER,
    "faster payment": PaymentMethod.BANK_TRANSFER,
}


class PaymentFormat(ABC):
    name: str
    label: str
    description: str
    required_columns: tuple[str, ...]

    def rows(self, content: bytes) -> Iterator[tuple[int, dict]]:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise FileFormatError("The file is not text (CSV). Save it as CSV (UTF-8) and upload it again.") from error
        reader = csv.DictReader(io.StringIO(text))
        headers = [h.strip().lower() for h in (reader.fieldnames or [])]
        missing = [column for column in self.required_columns if column not in headers]
        if missing:
            raise FileFormatError(
                f"This does not look like a {self.label} file: the columns {', '.join(missing)} are missing. "
                f"Check you chose the right format; the first line must name the columns."
            )
        reader.fieldnames = headers
        for row_number, row in enumerate(reader, start=2):
            cleaned = {key: (value or "").strip() for key, value in row.items() if key is not None}
            if any(cleaned.values()):
                yield row_number, cleaned

    @abstractmethod
    def lines(self, content: bytes) -> Iterator[ParsedLine]:
        """Every ledger line the file holds, in file order."""


def _amount(line: ParsedLine, text: str, *, credit: bool) -> None:
    """Reads an amount as written in the file; a credit to the tenant's account is stored negative."""
    try:
        value = parse_money(text)
    except MoneyError as error:
        line.problem = str(error)
        return
    line.amount = -value if credit else value


def _date(line: ParsedLine, text: str, what: str) -> date | None:
    try:
        return read_date(text)
    except ValueError as error:
        line.problem = line.problem or f"The {what} is not readable: {error}"
        return None


class GenericCsv(PaymentFormat):
    name = "generic-csv"
    label = "Payments (generic CSV)"
    description = (
        "Tenant payments from a bank, card or allpay/PayPoint file: payment_reference, date, amount, method, "
        "transaction_id."
    )
    required_columns = ("payment_reference", "date", "amount", "transaction_id")

    def lines(self, content: bytes) -> Iterator[ParsedLine]:
        for row_number, row in self.rows(content):
            line = ParsedLine(row_number=row_number, raw=row, payment_reference=row["payment_reference"].upper())
            line.external_id = row["transaction_id"]
            if not line.external_id:
                line.problem = "The transaction_id is missing, so a repeat of this payment could not be recognised."
            _amount(line, row["amount"], credit=True)
            line.effective_date = _date(line, row["date"], "payment date")
            method = row.get("method", "").lower()
            line.payment_method = METHOD_ALIASES.get(method, "")
            if method and not line.payment_method:
                line.problem = line.problem or f"The payment method '{row.get('method')}' is not one we know."
            yield line


class HousingBenefitSchedule(PaymentFormat):
    name = "hb-schedule"
    label = "Housing Benefit schedule"
    description = (
        "The council's 4-weekly Housing Benefit payment schedule (paid in arrears): claim_reference, "
        "payment_reference, period_from, period_to, amount, payment_date. A negative amount is an overpayment "
        "recovered from the account."
    )
    required_columns = ("claim_reference", "payment_reference", "period_from", "period_to", "amount", "payment_date")

    def lines(self, content: bytes) -> Iterator[ParsedLine]:
        for row_number, row in self.rows(content):
            line = ParsedLine(
                row_number=row_number,
                raw=row,
                payment_reference=row["payment_reference"].upper(),
                transaction_type=TransactionType.HOUSING_BENEFIT,
                payment_method=PaymentMethod.HOUSING_BENEFIT,
            )
            _amount(line, row["amount"], credit=True)
            line.effective_date = _date(line, row["payment_date"], "payment date")
            line.period_start = _date(line, row["period_from"], "period start")
            line.period_end = _date(line, row["period_to"], "period end")
            if line.period_start and line.period_end and line.period_end < line.period_start:
                line.problem = line.problem or "The benefit period ends before it starts."
            line.external_id = ":".join((row["claim_reference"], row["period_from"], row["period_to"], row["amount"]))
            if not row["claim_reference"]:
                line.problem = line.problem or "The claim_reference is missing."
            yield line


class UniversalCreditSchedule(PaymentFormat):
    name = "uc-managed-payment"
    label = "Universal Credit managed payments"
    description = (
        "DWP's schedule of managed payments to landlord: uc_reference, payment_reference, assessment_period_start, "
        "assessment_period_end, housing_costs, arrears_deduction, payment_date. The housing costs and any deduction "
        "towards arrears are posted as two separate credits."
    )
    required_columns = (
        "uc_reference",
        "payment_reference",
        "assessment_period_start",
        "assessment_period_end",
        "housing_costs",
        "payment_date",
    )

    def lines(self, content: bytes) -> Iterator[ParsedLine]:
        for row_number, row in self.rows(content):
            parts = [("housing_costs", TransactionType.UC_MANAGED_PAYMENT)]
            if row.get("arrears_deduction") and row["arrears_deduction"] not in ("0", "0.00"):
                parts.append(("arrears_deduction", TransactionType.UC_DEDUCTION))
            for column, transaction_type in parts:
                line = ParsedLine(
                    row_number=row_number,
                    raw=row,
                    payment_reference=row["payment_reference"].upper(),
                    transaction_type=transaction_type,
                    payment_method=PaymentMethod.UNIVERSAL_CREDIT,
                )
                _amount(line, row[column], credit=True)
                line.effective_date = _date(line, row["payment_date"], "payment date")
                line.period_start = _date(line, row["assessment_period_start"], "assessment period start")
                line.period_end = _date(line, row["assessment_period_end"], "assessment period end")
                line.external_id = f"{row['uc_reference']}:{row['assessment_period_start']}:{column}"
                if not row["uc_reference"]:
                    line.problem = line.problem or "The uc_reference is missing."
                yield line


FORMATS: dict[str, PaymentFormat] = {
    fmt.name: fmt for fmt in (GenericCsv(), HousingBenefitSchedule(), UniversalCreditSchedule())
}


def payment_format(name: str) -> PaymentFormat:
    try:
        return FORMATS[name]
    except KeyError as error:
        known = ", ".join(FORMATS)
        raise FileFormatError(f"'{name}' is not a payment file format we know. Choose one of: {known}.") from error
