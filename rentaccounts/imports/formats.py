"""Payment file formats: a registry of classes that each read bytes into `ParsedRow`s (one per ledger line).

A row that cannot be posted as it stands still comes back, with `problem` saying why in plain English, so it can be
held in suspense. A file that cannot be read at all (not text, wrong columns) raises `FileFormatError`.

To add a format: subclass `PaymentFormat`, set `name`, `label`, `description` and `required_columns`, implement
`parse`, and add an instance to `FORMATS`. Document it in docs/payment-formats.md with a sample under docs/samples/.
"""

import csv
import io
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from incomeapp.money import MoneyError, parse_money
from rentaccounts.constants import TransactionType
from tenancies.constants import PaymentMethod

# Far beyond any rent payment: a readable amount this large is held in suspense for a person to check. Amounts past
# incomeapp.money.MONEY_LIMIT (or not sane money at all) are unreadable and held with the parser's reason.
LARGEST_AMOUNT = Decimal("1000000.00")
# C0 control characters (NUL and the like; tab, CR and LF are CSV's own). PostgreSQL cannot store NUL in text or JSON,
# and no payment file has a reason to carry any of them: the line is held in suspense, the characters replaced.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_CHARACTER = (
    "The line contains a control character (such as NUL), which no payment file should; check the line in the file "
    "the payment came from."
)
UNREADABLE_LINE = (
    "The line could not be read as CSV (a stray quote or line break inside a field, or a field too long); its "
    "values are not known. Find the line in the file to see what was paid."
)


@dataclass(slots=True)
class ParsedRow:
    """One ledger line read from a file. Amounts are as posted: negative is a credit to the tenant's account.

    `problem` is set when the line cannot be posted as it stands; it is then held in suspense with that reason.
    """

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


def read_amount(text: str) -> Decimal:
    """An amount as written in a file: the product's one strict money parser, with its upper bound."""
    return parse_money(text)


class RowValues(dict):
    """A line's values by column, with `problem` set when the line itself is unfit (unreadable, control characters)."""

    problem: str = ""


def _clean(value: str) -> str:
    return _CONTROL.sub("\ufffd", value)


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
        """(line number in the file, {column: stripped value}) for every non-blank row, after checking the header."""
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise FileFormatError("The file is not text (CSV). Save it as CSV (UTF-8) and upload it again.") from error
        reader = csv.reader(io.StringIO(text))
        try:
            headers = [_clean(header.strip().lower()) for header in next(reader, [])]
        except csv.Error as error:
            raise FileFormatError(f"The first line is not readable as CSV ({error}). Save it as CSV again.") from error
        missing = [column for column in self.required_columns if column not in headers]
        if missing:
            raise FileFormatError(
                f"This does not look like a {self.label} file: the columns {', '.join(missing)} are missing. "
                f"Check you chose the right format; the first line must name the columns."
            )
        width = len(headers)
        padding = [""] * width
        # One scan of the whole file for control characters: a file with none (every real one) skips the line check.
        clean = _CONTROL.search(text) is None
        strip = str.strip
        while True:
            # A line the CSV reader cannot read is one bad line, not a bad file: it is held with the reason and the
            # reader carries on with the next.
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error:
                row = RowValues.fromkeys(headers, "")
                row.problem = UNREADABLE_LINE
                yield reader.line_num, row
                continue
            if len(values) < width:
                values = values + padding[len(values) :]
            row = RowValues(zip(headers, map(strip, values[:width]), strict=True))
            if not any(row.values()):
                continue
            if not clean and any(_CONTROL.search(value) for value in row.values()):
                row = RowValues((column, _clean(value)) for column, value in row.items())
                row.problem = CONTROL_CHARACTER
            yield reader.line_num, row

    @abstractmethod
    def parse(self, content: bytes) -> Iterator[ParsedRow]:
        """Every ledger line the file holds, in file order. Start each ParsedRow's `problem` from the line's own
        (`line_problem(raw)`): an unreadable line or one with control characters is held, whatever else it says."""


def line_problem(raw: dict) -> str:
    return getattr(raw, "problem", "")


def _credit(row: ParsedRow, text: str, *, allow_negative: bool = False) -> None:
    """Money received, written positive in the file, is stored negative (a credit to the tenant's account)."""
    try:
        value = read_amount(text)
    except MoneyError as error:
        row.problem = row.problem or str(error)
        return
    row.amount = -value
    if abs(value) >= LARGEST_AMOUNT:
        row.problem = row.problem or f"£{value:,} is far more than any rent payment; check the amount in the file."
    elif value < 0 and not allow_negative:
        row.problem = row.problem or (
            f"The amount {text} is negative. A returned payment is reversed on the account, not imported as a payment."
        )


def _date(row: ParsedRow, text: str, what: str) -> date | None:
    try:
        return read_date(text)
    except ValueError as error:
        row.problem = row.problem or f"The {what} is not readable: {error}"
        return None


def _row(row_number: int, raw: dict, **values) -> ParsedRow:
    """The ledger line for a file line, for its payment reference, starting from the line's own problem."""
    return ParsedRow(
        row_number=row_number,
        raw=raw,
        payment_reference=raw["payment_reference"].upper(),
        problem=line_problem(raw),
        **values,
    )


def _period(row: ParsedRow, start: str, end: str, *, dates: str, period: str) -> None:
    """The period a payment covers; a problem names its dates as `dates` ("period start") and it as `period`."""
    row.period_start = _date(row, start, f"{dates} start")
    row.period_end = _date(row, end, f"{dates} end")
    if row.period_start and row.period_end and row.period_end < row.period_start:
        row.problem = row.problem or f"The {period} ends before it starts."


class GenericCsv(PaymentFormat):
    name = "generic-csv"
    label = "Payments (generic CSV)"
    description = (
        "Tenant payments from a bank, card or allpay/PayPoint file: payment_reference, date, amount, method, "
        "transaction_id."
    )
    required_columns = ("payment_reference", "date", "amount", "transaction_id")

    def parse(self, content: bytes) -> Iterator[ParsedRow]:
        for row_number, raw in self.rows(content):
            row = _row(row_number, raw)
            row.external_id = raw["transaction_id"]
            if not row.external_id:
                row.problem = row.problem or (
                    "The transaction_id is missing, so a repeat of this payment could not be recognised."
                )
            _credit(row, raw["amount"])
            row.effective_date = _date(row, raw["date"], "payment date")
            method = raw.get("method", "")
            if method:
                row.payment_method = METHOD_ALIASES.get(method.lower(), "")
                if not row.payment_method:
                    row.problem = row.problem or f"The payment method '{method}' is not one we know."
            yield row


class HousingBenefitSchedule(PaymentFormat):
    name = "hb-schedule"
    label = "Housing Benefit schedule"
    description = (
        "The council's 4-weekly Housing Benefit payment schedule (paid in arrears): claim_reference, "
        "payment_reference, period_from, period_to, amount, payment_date. A negative amount is an overpayment "
        "recovered from the account."
    )
    required_columns = ("claim_reference", "payment_reference", "period_from", "period_to", "amount", "payment_date")

    def parse(self, content: bytes) -> Iterator[ParsedRow]:
        for row_number, raw in self.rows(content):
            row = _row(
                row_number,
                raw,
                transaction_type=TransactionType.HOUSING_BENEFIT,
                payment_method=PaymentMethod.HOUSING_BENEFIT,
            )
            _credit(row, raw["amount"], allow_negative=True)
            row.effective_date = _date(row, raw["payment_date"], "payment date")
            _period(row, raw["period_from"], raw["period_to"], dates="period", period="benefit period")
            if not raw["claim_reference"]:
                row.problem = row.problem or "The claim_reference is missing."
            # No line id in a schedule: claim, period and sum identify a payment, however its dates are written.
            row.external_id = ":".join(
                (
                    raw["claim_reference"],
                    row.period_start.isoformat() if row.period_start else raw["period_from"],
                    row.period_end.isoformat() if row.period_end else raw["period_to"],
                    str(-row.amount) if row.amount is not None else raw["amount"],
                )
            )
            yield row


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
    _parts = (
        ("housing_costs", TransactionType.UC_MANAGED_PAYMENT),
        ("arrears_deduction", TransactionType.UC_DEDUCTION),
    )

    def parse(self, content: bytes) -> Iterator[ParsedRow]:
        for row_number, raw in self.rows(content):
            for column, transaction_type in self._parts:
                if column == "arrears_deduction" and _is_nothing(raw.get(column, "")):
                    continue  # most claims have no deduction: no line rather than a £0.00 one
                row = _row(
                    row_number, raw, transaction_type=transaction_type, payment_method=PaymentMethod.UNIVERSAL_CREDIT
                )
                _credit(row, raw[column])
                row.effective_date = _date(row, raw["payment_date"], "payment date")
                _period(
                    row,
                    raw["assessment_period_start"],
                    raw["assessment_period_end"],
                    dates="assessment period",
                    period="assessment period",
                )
                if not raw["uc_reference"]:
                    row.problem = row.problem or "The uc_reference is missing."
                period = row.period_start.isoformat() if row.period_start else raw["assessment_period_start"]
                row.external_id = f"{raw['uc_reference']}:{period}:{column}"
                yield row


def _is_nothing(text: str) -> bool:
    try:
        return not text or read_amount(text) == 0
    except MoneyError:
        return False


FORMATS: dict[str, PaymentFormat] = {
    fmt.name: fmt for fmt in (GenericCsv(), HousingBenefitSchedule(), UniversalCreditSchedule())
}


def payment_format(name: str) -> PaymentFormat:
    try:
        return FORMATS[name]
    except KeyError as error:
        known = ", ".join(FORMATS)
        raise FileFormatError(f"'{name}' is not a payment file format we know. Choose one of: {known}.") from error
