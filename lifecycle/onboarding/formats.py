"""The onboarding files (docs/onboarding.md): which files there are, their columns, and reading every row of them.

Reading checks each cell on its own (type, required, length, allowed values) and each file on its own (its columns,
duplicate keys). Checks that need other files or the database (references, overlapping tenancies, a tenancy's lead
tenant) are in `plan.py`. Nothing here touches the database.

Every problem becomes a `LoadError` with the file, line and column, the value, and what is wrong and what to do, in
plain English. Lines are counted as a spreadsheet shows them: line 1 is the header row.
"""

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from incomeapp.constants import Jurisdiction
from incomeapp.money import MoneyError, parse_money
from tenancies.constants import (
    ChargeType,
    ContactChannel,
    EndReason,
    LandlordType,
    LicenceBasis,
    PaymentMethod,
    RentPeriod,
    SchemeType,
    TenureType,
)
from tenancies.references import payment_reference_normalise, payment_reference_problem
from tenancies.services_homes import MAX_BEDROOMS, POSTCODE, postcode_normalise
from tenancies.services_people import _phone_problem as phone_problem

# The files, in the order they are read and loaded (each may refer only to files above it, or to the database).
PROVIDERS = "providers"
SCHEMES = "schemes"
RENT_FREE_WEEKS = "rent_free_weeks"
PATCHES = "patches"
PROPERTIES = "properties"
PROPERTY_CHARGES = "property_charges"
PEOPLE = "people"
TENANCIES = "tenancies"
TENANTS = "tenants"
CHARGES = "charges"
OPENING_BALANCES = "opening_balances"
DIRECT_DEBITS = "direct_debits"

LARGEST_WEEKLY_CHARGE = Decimal("10000.00")
LARGEST_BALANCE = Decimal("1000000.00")
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)
MAX_ERRORS_LISTED = 1000


class CellError(ValueError):
    """A cell that cannot be read; the message says what is wrong and what to do."""


@dataclass
class LoadError:
    """One problem in the files: where it is, and what is wrong in plain English."""

    file: str
    line: int
    column: str
    message: str
    value: str = ""
    column_letter: str = ""

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "column_letter": self.column_letter,
            "value": self.value,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}"
        if self.column:
            letter = f" {self.column_letter}" if self.column_letter else ""
            where += f", column{letter} ({self.column})"
        return f"{where}: {self.message}"


def column_letter(index: int) -> str:
    """A spreadsheet's column letter for a 0-based index: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# --- cell readers: each takes the stripped text (never empty: blanks are handled by the column) -----------------


def text(max_length: int) -> Callable[[str], str]:
    """One line of text; runs of spaces inside it become one (as the screens store it)."""

    def read(value: str) -> str:
        if "  " in value or "\t" in value or "\n" in value:
            value = " ".join(value.split())
        if len(value) > max_length:
            raise CellError(f"This is {len(value)} characters long; the most it can take is {max_length}. Shorten it.")
        return value

    read.kind = f"text, up to {max_length} characters"
    read.plain_text = max_length
    return read


def multiline(max_length: int = 2000) -> Callable[[str], str]:
    """An address block or notes: lines inside a quoted cell, or separated by ' | '."""

    def read(value: str) -> str:
        lines = [line.strip() for line in re.split(r"\r\n|\r|\n|\|", value)]
        joined = "\n".join(line for line in lines if line)
        if len(joined) > max_length:
            raise CellError(f"This is {len(joined)} characters long; the most it can take is {max_length}.")
        return joined

    read.kind = "text; separate lines with | or line breaks inside quotes"
    return read


@lru_cache(maxsize=65536)
def read_date(value: str) -> date:
    """YYYY-MM-DD, or DD/MM/YYYY (day first, the UK way). Cached: a file repeats its dates."""
    try:
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            day = date.fromisoformat(value)
        else:
            day = datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        raise CellError(
            f"'{value}' is not a date. Write dates as YYYY-MM-DD (for example 2027-04-05) or DD/MM/YYYY."
        ) from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise CellError(f"{day:%d/%m/%Y} is not a likely date; check the year.")
    return day


read_date.kind = "date, YYYY-MM-DD (DD/MM/YYYY also accepted)"
read_date.cacheable = True


def read_monday(value: str) -> date:
    day = read_date(value)
    if day.weekday() != 0:
        raise CellError(f"{day:%d/%m/%Y} is a {day:%A}; a rent week starts on a Monday. Give the Monday.")
    return day


read_monday.kind = "date of a Monday"
read_monday.cacheable = True


@lru_cache(maxsize=65536)
def read_money(value: str) -> Decimal:
    """Pounds and pence as a plain decimal ('95.50', '-12.00'); '£1,234.50' is read too. Cached: amounts repeat.

    The product's one strict money parser (incomeapp.money.parse_money, bounded by MONEY_LIMIT); the columns then
    apply their own, tighter bounds (LARGEST_WEEKLY_CHARGE, LARGEST_BALANCE)."""
    try:
        return parse_money(value)
    except MoneyError as error:
        raise CellError(str(error)) from error


read_money.kind = "money, pounds and pence like 95.50 (negative for a credit)"
read_money.cacheable = True


def weekly_charge(value: str) -> Decimal:
    amount = read_money(value)
    if amount < 0:
        raise CellError(f"A charge cannot be negative ({value}). Give the amount due, like 95.50.")
    if amount >= LARGEST_WEEKLY_CHARGE:
        raise CellError(f"£{amount:,} is far more than any charge; check the amount.")
    return amount


weekly_charge.kind = "money, 0 or more, like 95.50"
weekly_charge.cacheable = True


def balance(value: str) -> Decimal:
    amount = read_money(value)
    if abs(amount) >= LARGEST_BALANCE:
        raise CellError(f"£{amount:,} is far more than any rent balance; check the amount.")
    return amount


balance.kind = "money; positive is owed by the tenant, negative is in credit"
balance.cacheable = True


def integer(lowest: int, highest: int) -> Callable[[str], int]:
    def read(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise CellError(f"'{value}' is not a whole number; give a number from {lowest} to {highest}.") from None
        if not lowest <= number <= highest:
            raise CellError(f"{number} is outside {lowest} to {highest}.")
        return number

    read.kind = f"whole number, {lowest} to {highest}"
    read.cacheable = True
    return read


_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


def yes_no(value: str) -> bool:
    lowered = value.lower()
    if lowered in _YES:
        return True
    if lowered in _NO:
        return False
    raise CellError(f"'{value}' is not yes or no; write yes or no.")


yes_no.kind = "yes or no"
yes_no.cacheable = True


def _normalise(value: str) -> str:
    return re.sub(r"[\s\-_/]+", " ", value.strip().lower())


def choice(choices, aliases: dict[str, str] | None = None) -> Callable[[str], str]:
    """One of a TextChoices' values, read by its code or its label, in any case; plus a few common aliases."""
    known: dict[str, str] = {}
    for value, label in choices.choices:
        known[_normalise(value)] = value
        known[_normalise(label)] = value
    for alias, value in (aliases or {}).items():
        known[_normalise(alias)] = value
    listed = ", ".join(choices.values)

    def read(value: str) -> str:
        found = known.get(_normalise(value))
        if found is None:
            raise CellError(f"'{value}' is not one of the values this column takes: {listed}.")
        return found

    read.kind = f"one of: {listed}"
    read.cacheable = True
    return read


def email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        raise CellError(f"'{value}' is not an email address; correct it or leave it blank.") from None
    if len(value) > 254:
        raise CellError("This email address is longer than 254 characters.")
    return value


email.kind = "email address"


def reference(value: str) -> str:
    """A source system's own key: kept exactly as written (spaces inside it too), up to 60 characters."""
    if len(value) > 60:
        raise CellError(f"This reference is {len(value)} characters long; the most is 60.")
    return value


reference.kind = "the source system's reference, up to 60 characters"
reference.plain_text = 60
reference.keeps_spaces = True


def payment_reference_cell(value: str) -> str:
    cleaned = payment_reference_normalise(value)
    if len(cleaned) > 20:
        raise CellError(f"This payment reference is {len(cleaned)} characters long; the most is 20.")
    problem = payment_reference_problem(cleaned)
    if problem:
        raise CellError(problem)
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9 /\-]*", cleaned):
        raise CellError(f"'{value}' has characters a payment reference cannot have; use letters, digits, - and /.")
    return cleaned


payment_reference_cell.kind = "the reference the tenant pays with, up to 20 letters and digits"


def postcode(value: str) -> str:
    cleaned = postcode_normalise(value)
    if not POSTCODE.match(cleaned):
        raise CellError(f"'{value}' is not a postcode. Give a real postcode, like BS1 6TY.")
    return cleaned


postcode.kind = "UK postcode"
postcode.cacheable = True


def phone(value: str) -> str:
    value = " ".join(value.split())
    if len(value) > 30:
        raise CellError("This phone number is longer than 30 characters.")
    problem = phone_problem(value)
    if problem:
        raise CellError(f"{problem}; or leave it blank.")
    return value


phone.kind = "UK phone number (10 or 11 digits), or +country code for overseas"


def uprn(value: str) -> str:
    if not value.isdigit() or len(value) > 12:
        raise CellError(f"'{value}' is not a UPRN: a UPRN is up to 12 digits.")
    return value


uprn.kind = "up to 12 digits"


# --- the files ---------------------------------------------------------------------------------------------------

TENURE_ALIASES = {
    "introductory": TenureType.INTRO,
    "introductory tenancy": TenureType.INTRO,
    "assured shorthold": TenureType.AST,
    "starter": TenureType.AST,
    "starter tenancy": TenureType.AST,
    "licence": TenureType.LICENCE,
    "license": TenureType.LICENCE,
    "excluded licence": TenureType.EXCL_LICENCE,
    "flexible": TenureType.FLEXIBLE,
    "fixed term": TenureType.FLEXIBLE,
    "demoted": TenureType.DEMOTED,
    "secure": TenureType.SECURE,
    "assured": TenureType.ASSURED,
}
METHOD_ALIASES = {
    "dd": PaymentMethod.DIRECT_DEBIT,
    "so": PaymentMethod.STANDING_ORDER,
    "paypoint": PaymentMethod.ALLPAY,
    "bacs": PaymentMethod.BANK_TRANSFER,
    "hb": PaymentMethod.HOUSING_BENEFIT,
    "uc": PaymentMethod.UNIVERSAL_CREDIT,
}
PERIOD_ALIASES = {"week": RentPeriod.WEEKLY, "4 weekly": RentPeriod.FOUR_WEEKLY, "month": RentPeriod.MONTHLY}
CHARGE_ALIASES = {
    "service charge": ChargeType.ELIGIBLE_SERVICE,
    "eligible service charge": ChargeType.ELIGIBLE_SERVICE,
    "ineligible service charge": ChargeType.INELIGIBLE_SERVICE,
}
# A charge's counts_as_rent when the file leaves it blank: rent and eligible service charges count as rent.
COUNTS_AS_RENT_BY_DEFAULT = {ChargeType.RENT, ChargeType.ELIGIBLE_SERVICE}


@dataclass(frozen=True)
class Column:
    name: str
    read: Callable[[str], Any]
    required: bool = False
    default: Any = ""
    help: str = ""


@dataclass(frozen=True)
class FileSpec:
    kind: str
    title: str  # "a provider": what one row is, for messages
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # the columns that identify a row (unique in the file)
    help: str = ""

    @property
    def file_name(self) -> str:
        return f"{self.kind}.csv"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _c(name, read, required=False, default="", help=""):
    return Column(name, read, required, default, help)


SPECS: tuple[FileSpec, ...] = (
    FileSpec(
        PROVIDERS,
        "provider",
        (
            _c("source_reference", reference, True, help="The provider's key in your system."),
            _c("name", text(200), True, help="The landlord's name as it prints on letters; unique."),
            _c("landlord_type", choice(LandlordType), True),
            _c("address", multiline(), True, help="The landlord's address block on letters."),
            _c("jurisdiction", choice(Jurisdiction), default=Jurisdiction.ENGLAND),
            _c("phone", text(30)),
            _c("email", email),
            _c("retired_on", read_date, default=None, help="The day it stopped being used; blank while in use."),
        ),
        ("source_reference",),
    ),
    FileSpec(
        SCHEMES,
        "scheme",
        (
            _c("source_reference", reference, True),
            _c("code", text(20), True, help="A short code, unique."),
            _c("name", text(200), True),
            _c("scheme_type", choice(SchemeType), True),
            _c("provider_reference", reference, True, help="The source_reference of its provider."),
            _c("retired_on", read_date, default=None),
        ),
        ("source_reference",),
    ),
    FileSpec(
        RENT_FREE_WEEKS,
        "rent-free week",
        (
            _c("scheme_reference", reference, True),
            _c("week_commencing", read_monday, True, default=None, help="The Monday the rent-free week starts."),
        ),
        ("scheme_reference", "week_commencing"),
    ),
    FileSpec(
        PATCHES,
        "patch",
        (
            _c("source_reference", reference, True),
            _c("name", text(100), True, help="Unique."),
            _c("officer", text(150), help="The income officer's Rentwise username or email address."),
            _c("retired_on", read_date, default=None),
        ),
        ("source_reference",),
    ),
    FileSpec(
        PROPERTIES,
        "home",
        (
            _c("source_reference", reference, True),
            _c("uprn", uprn),
            _c("unit_label", text(50), help="For example 'Flat 3' or 'Room 2'."),
            _c("address_line_1", text(200), True),
            _c("address_line_2", text(200)),
            _c("town", text(100), True),
            _c("postcode", postcode, True),
            _c("scheme_reference", reference, True),
            _c("patch_reference", reference),
            _c("bedrooms", integer(0, MAX_BEDROOMS), default=None),
            _c(
                "parent_reference", reference, help="For a room or flat in a shared building: the building's reference."
            ),
            _c("retired_on", read_date, default=None),
        ),
        ("source_reference",),
    ),
    FileSpec(
        PROPERTY_CHARGES,
        "home's charge",
        (
            _c("property_reference", reference, True),
            _c("charge_type", choice(ChargeType, CHARGE_ALIASES), True),
            _c("amount", weekly_charge, True, default=None, help="Due each week; 0.00 to stop a charge."),
            _c("effective_from", read_date, True, default=None),
            _c("counts_as_rent", yes_no, default=None, help="Blank: yes for rent and eligible service charges."),
        ),
        ("property_reference", "charge_type"),
    ),
    FileSpec(
        PEOPLE,
        "person",
        (
            _c("source_reference", reference, True),
            _c("title", text(20)),
            _c("first_name", text(100), True),
            _c("last_name", text(100), True),
            _c("date_of_birth", read_date, default=None),
            _c("email", email),
            _c("phone", phone, help="A UK number (10 or 11 digits) or an overseas one starting with +."),
            _c(
                "preferred_contact", choice(ContactChannel, {"text": ContactChannel.SMS}), default=ContactChannel.LETTER
            ),
            _c("correspondence_address", multiline()),
            _c("preferred_language", text(50), default="English"),
            _c("communication_adjustments", text(200)),
            _c("support_worker", text(200)),
            _c("vulnerability_notes", multiline(5000)),
            _c("health_notes", multiline(5000)),
        ),
        ("source_reference",),
    ),
    FileSpec(
        TENANCIES,
        "tenancy",
        (
            _c("source_reference", reference, True),
            _c("payment_reference", payment_reference_cell, True),
            _c("property_reference", reference, True),
            _c("tenure_type", choice(TenureType, TENURE_ALIASES), True),
            _c("licence_basis", choice(LicenceBasis), help="Required for a licence (R-LIC-03)."),
            _c("start_date", read_date, True, default=None),
            _c("end_date", read_date, default=None, help="The last day of the tenancy; blank while it runs."),
            _c("end_reason", choice(EndReason), help="Why it ended; blank is recorded as 'other'."),
            _c("forwarding_address", multiline()),
            _c("rent_period", choice(RentPeriod, PERIOD_ALIASES), default=RentPeriod.WEEKLY),
            _c("payment_method", choice(PaymentMethod, METHOD_ALIASES), default=PaymentMethod.BANK_TRANSFER),
        ),
        ("source_reference",),
    ),
    FileSpec(
        TENANTS,
        "named tenant",
        (
            _c("tenancy_reference", reference, True),
            _c("person_reference", reference, True),
            _c("is_lead", yes_no, default=False, help="yes for the lead tenant: exactly one per tenancy."),
        ),
        ("tenancy_reference", "person_reference"),
    ),
    FileSpec(
        CHARGES,
        "tenancy's charge",
        (
            _c("tenancy_reference", reference, True),
            _c("charge_type", choice(ChargeType, CHARGE_ALIASES), True),
            _c("amount", weekly_charge, True, default=None, help="Due each rent period; 0.00 to stop a charge."),
            _c("effective_from", read_date, True, default=None),
            _c("counts_as_rent", yes_no, default=None, help="Blank: yes for rent and eligible service charges."),
        ),
        ("tenancy_reference", "charge_type"),
    ),
    FileSpec(
        OPENING_BALANCES,
        "opening balance",
        (
            _c("tenancy_reference", reference, True),
            _c("balance", balance, True, default=None),
            _c("as_at", read_date, True, default=None, help="The last day the balance includes."),
        ),
        ("tenancy_reference",),
    ),
    FileSpec(
        DIRECT_DEBITS,
        "direct debit mandate",
        (
            _c("mandate_reference", text(40), True),
            _c("tenancy_reference", reference, True),
            _c("collection_day", integer(1, 28), True, default=None),
            _c("amount", weekly_charge, default=None, help="Blank when the amount varies."),
            _c("start_date", read_date, True, default=None),
            _c("cancelled_on", read_date, default=None, help="Blank while the mandate is active."),
        ),
        ("mandate_reference",),
    ),
)
SPEC_BY_KIND: dict[str, FileSpec] = {spec.kind: spec for spec in SPECS}
KINDS: tuple[str, ...] = tuple(SPEC_BY_KIND)


# --- reading -----------------------------------------------------------------------------------------------------


@dataclass
class SourceFile:
    kind: str
    name: str  # as the landlord named it, for messages
    content: bytes


@dataclass
class ParsedFile:
    spec: FileSpec
    name: str
    rows: list[dict] = field(default_factory=list)  # each with "_line"
    headers: list[str] = field(default_factory=list)
    readable: bool = True  # False when the file as a whole could not be read (its rows are then not checked)

    def letter(self, column: str) -> str:
        try:
            return column_letter(self.headers.index(column))
        except ValueError:
            return ""


class ErrorList:
    """Every error found, in order; keeps the first MAX_ERRORS_LISTED and counts the rest."""

    def __init__(self) -> None:
        self.items: list[LoadError] = []
        self.count = 0

    def add(self, error: LoadError) -> None:
        self.count += 1
        if len(self.items) < MAX_ERRORS_LISTED:
            self.items.append(error)

    def __bool__(self) -> bool:
        return self.count > 0

    def __len__(self) -> int:
        return self.count


def kind_of_file_name(name: str) -> str | None:
    """The file kind a name stands for: 'people.csv', or with a prefix such as '2027-04-05_people.csv'."""
    stem = Path(name).name.lower()
    if not stem.endswith(".csv"):
        return None
    stem = stem[:-4]
    matches = [kind for kind in KINDS if stem == kind or re.search(rf"(^|[_\-. ]){kind}$", stem)]
    return max(matches, key=len) if matches else None


def files_from_path(path: str | Path) -> tuple[list[SourceFile], list[LoadError]]:
    """The onboarding files in a directory, a zip or one CSV file."""
    path = Path(path)
    if not path.exists():
        return [], [LoadError(str(path), 0, "", f"There is no file or folder called {path}.")]
    if path.is_dir():
        found = [(p.name, p.read_bytes()) for p in sorted(path.iterdir()) if p.is_file() and p.suffix.lower() == ".csv"]
        if not found:
            return [], [LoadError(path.name, 0, "", "This folder has no CSV files. Put the onboarding files in it.")]
        return files_from_named(found)
    return files_from_upload(path.name, path.read_bytes())


def files_from_upload(name: str, content: bytes) -> tuple[list[SourceFile], list[LoadError]]:
    """A zip of the files, or one CSV file (the browser upload and the command share this)."""
    if name.lower().endswith(".zip") or content[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                members = [
                    (Path(info.filename).name, archive.read(info))
                    for info in archive.infolist()
                    if not info.is_dir() and not Path(info.filename).name.startswith((".", "__"))
                ]
        except zipfile.BadZipFile:
            return [], [LoadError(name, 0, "", "This zip file cannot be opened. Make the zip again and retry.")]
        return files_from_named(m for m in members if m[0].lower().endswith(".csv"))
    return files_from_named([(name, content)])


def files_from_named(named: Iterable[tuple[str, bytes]]) -> tuple[list[SourceFile], list[LoadError]]:
    files, errors, seen = [], [], {}
    for name, content in named:
        kind = kind_of_file_name(name)
        if kind is None:
            errors.append(
                LoadError(
                    name,
                    0,
                    "",
                    f"'{name}' is not one of the onboarding files. Name each file after what it holds: "
                    f"{', '.join(spec.file_name for spec in SPECS)}.",
                )
            )
        elif kind in seen:
            errors.append(LoadError(name, 0, "", f"There are two {kind} files ({seen[kind]} and {name}); send one."))
        else:
            seen[kind] = name
            files.append(SourceFile(kind, name, content))
    if not files and not errors:
        errors.append(LoadError("", 0, "", "No onboarding files were given."))
    files.sort(key=lambda f: KINDS.index(f.kind))
    return files, errors


_MISSING = object()
_SPACES = re.compile(r"\s\s|[\t\n\r]")


def _header_name(value: str) -> str:
    return re.sub(r"[\s\-]+", "_", value.strip().lower())


def file_parse(source: SourceFile, errors: ErrorList, progress: Callable[[int], None] | None = None) -> ParsedFile:
    """Reads and checks every row of one file. Rows with errors are still returned (so later checks can name more
    problems), with the bad cells left as None."""
    spec = SPEC_BY_KIND[source.kind]
    parsed = ParsedFile(spec, source.name)
    try:
        text_content = source.content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = source.content[: error.start].count(b"\n") + 1
        errors.add(
            LoadError(
                source.name,
                line,
                "",
                "This line is not UTF-8 text. Save the file as 'CSV UTF-8' from your spreadsheet or system.",
            )
        )
        parsed.readable = False
        return parsed
    reader = csv.reader(io.StringIO(text_content, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        errors.add(LoadError(source.name, 1, "", f"The header row cannot be read as CSV ({error})."))
        parsed.readable = False
        return parsed
    if not header or not any(h.strip() for h in header):
        errors.add(LoadError(source.name, 1, "", "The file is empty: its first line must name the columns."))
        parsed.readable = False
        return parsed
    headers = [_header_name(h) for h in header]
    parsed.headers = headers
    known = {c.name: c for c in spec.columns}
    bad_header = False
    for index, name in enumerate(headers):
        if name not in known:
            bad_header = True
            errors.add(
                LoadError(
                    source.name,
                    1,
                    name,
                    f"'{header[index].strip()}' is not a column of the {spec.file_name} file. Correct the name or "
                    f"remove the column; the columns are: {', '.join(known)}.",
                    column_letter=column_letter(index),
                )
            )
        elif headers.index(name) != index:
            bad_header = True
            errors.add(
                LoadError(source.name, 1, name, "This column appears twice.", column_letter=column_letter(index))
            )
    for column in spec.columns:
        if column.required and column.name not in headers:
            bad_header = True
            errors.add(
                LoadError(
                    source.name,
                    1,
                    column.name,
                    f"The column {column.name} is missing; every {spec.title} needs it. Add it to the header row.",
                )
            )
    if bad_header:
        parsed.readable = False
        return parsed

    # The hot loop: a plain text cell within its length is kept as it is without a call; a reader's answer for a
    # value seen before (a date, a tenure, an amount) is looked up, not worked out again.
    cells = []
    for index, name in enumerate(headers):
        column = known[name]
        plain = getattr(column.read, "plain_text", None)
        cache = {} if getattr(column.read, "cacheable", False) else None
        keeps_spaces = getattr(column.read, "keeps_spaces", False)
        cells.append((index, name, column.read, column.required, column.default, plain, keeps_spaces, cache))
    absent = [(c.name, c.default) for c in spec.columns if c.name not in headers]
    width = len(headers)
    file_name = source.name
    title = spec.title
    rows = parsed.rows
    line = 1
    count = 0
    try:
        for values in reader:
            start = line + 1
            line = reader.line_num
            if not values or (len(values) == 1 and not values[0].strip()):
                continue
            if len(values) > width and any(v.strip() for v in values[width:]):
                errors.add(
                    LoadError(
                        file_name,
                        start,
                        "",
                        f"This line has {len(values)} values but the header names {width} columns. Check for an "
                        f"unquoted comma in a value (put the value in double quotes).",
                    )
                )
                continue
            row: dict = {"_line": start}
            given = len(values)
            for index, name, read, required, default, plain, keeps_spaces, cache in cells:
                value = values[index].strip() if index < given else ""
                if not value:
                    if required:
                        row.setdefault("_bad", set()).add(name)
                        errors.add(
                            LoadError(
                                file_name,
                                start,
                                name,
                                f"{name} is empty; every {title} needs one.",
                                column_letter=column_letter(index),
                            )
                        )
                        row[name] = None
                    else:
                        row[name] = default
                    continue
                if plain is not None:
                    if len(value) <= plain and (keeps_spaces or not _SPACES.search(value)):
                        row[name] = value
                        continue
                elif cache is not None:
                    found = cache.get(value, _MISSING)
                    if found is not _MISSING:
                        row[name] = found
                        continue
                try:
                    result = read(value)
                except CellError as error:
                    row.setdefault("_bad", set()).add(name)
                    errors.add(LoadError(file_name, start, name, str(error), value[:100], column_letter(index)))
                    row[name] = None
                    continue
                row[name] = result
                if cache is not None and len(cache) < 200_000:
                    cache[value] = result
            for name, default in absent:
                row[name] = default
            rows.append(row)
            count += 1
            if progress is not None and count % 10000 == 0:
                progress(10000)
    except csv.Error as error:
        errors.add(
            LoadError(
                file_name,
                reader.line_num,
                "",
                f"This line cannot be read as CSV ({error}). Check its quotes: a value with a comma or a line "
                f"break must be in double quotes, and a double quote inside it written twice.",
            )
        )
    if progress is not None:
        progress(count % 10000)
    _duplicates_check(parsed, errors)
    return parsed


def _duplicates_check(parsed: ParsedFile, errors: ErrorList) -> None:
    spec = parsed.spec
    first_line: dict[tuple, int] = {}
    for row in parsed.rows:
        key = tuple(row[name] for name in spec.key)
        if None in key:
            continue
        if key in first_line:
            shown = " and ".join(f"{name} {row[name]}" for name in spec.key)
            errors.add(
                LoadError(
                    parsed.name,
                    row["_line"],
                    spec.key[0],
                    f"The {spec.title} with {shown} is also on line {first_line[key]}; each may appear only once. "
                    f"Remove one of the two lines.",
                    str(row[spec.key[0]]),
                    parsed.letter(spec.key[0]),
                )
            )
        else:
            first_line[key] = row["_line"]


def files_parse(
    sources: list[SourceFile], errors: ErrorList, progress: Callable[[int], None] | None = None
) -> dict[str, ParsedFile]:
    return {source.kind: file_parse(source, errors, progress) for source in sources}


def rows_count(sources: list[SourceFile]) -> int:
    """A quick count of data lines (for progress): line breaks less the header."""
    return sum(max(0, source.content.count(b"\n") - 1) for source in sources)
