"""The plan's parts: what one row's outcome is, and the checker's helpers (see plan.py)."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter

from django.utils import timezone

from rentaccounts.services.tenancy_charges import rent_run_reached
from tenancies.specs import ChargeSpec

from .formats import PEOPLE, SPEC_BY_KIND, ErrorList, LoadError, ParsedFile

# The model fields each file sets, by column (references are resolved to ids separately).
PROVIDER_FIELDS = ("name", "landlord_type", "address", "jurisdiction", "phone", "email")
SCHEME_FIELDS = ("code", "name", "scheme_type")
PATCH_FIELDS = ("name",)
PROPERTY_FIELDS = ("uprn", "unit_label", "address_line_1", "address_line_2", "town", "postcode", "bedrooms")
# people.csv has no reference to resolve: its columns but its key (source_reference) are all fields of the person.
PERSON_FIELDS = tuple(c.name for c in SPEC_BY_KIND[PEOPLE].columns if c.name not in SPEC_BY_KIND[PEOPLE].key)
MULTILINE_FIELDS = {"address", "correspondence_address", "vulnerability_notes", "health_notes", "forwarding_address"}


def opening_balance_key(tenancy_id: int) -> str:
    """The sign-up's own key (lifecycle.signup.opening_balance_key): one opening balance per tenancy, ever."""
    return f"opening-balance:tenancy:{tenancy_id}"


def _multiline(value: str) -> str:
    if not value or ("\r" not in value and "\n\n" not in value and " \n" not in value and "\n " not in value
                     and value == value.strip()):  # fmt: skip
        return value or ""
    return "\n".join(line.strip() for line in value.replace("\r\n", "\n").split("\n") if line.strip())


@lru_cache(maxsize=64)
def _getter(fields: tuple[str, ...]):
    return itemgetter(*fields) if len(fields) > 1 else (lambda row: row[fields[0]])


def _tidied(rows, fields=MULTILINE_FIELDS) -> None:
    """Rentwise's multi-line values as the file's are read (lines trimmed, blank lines dropped), to compare."""
    for row in rows:
        for name in fields:
            if row.get(name):
                row[name] = _multiline(row[name])


@dataclass
class Item:
    """One row's outcome: created, updated (with the changes: field → (now, file)) or unchanged."""

    kind: str
    key: str
    line: int
    row: dict
    id: int | None = None
    changes: dict = field(default_factory=dict)


@dataclass
class ChargeSet:
    """A home's or an existing tenancy's charges from a date, as the services take them."""

    key: str
    line: int
    id: int | None
    effective_from: date
    charges: list[ChargeSpec]
    before: list[ChargeSpec] = field(default_factory=list)


@dataclass
class NewTenancy:
    item: Item
    tenants: list[tuple[str, bool]]  # (person key, is lead), lead first
    charges: list[ChargeSpec]
    opening_balance: Decimal | None = None
    opening_balance_date: date | None = None
    mandates: list[dict] = field(default_factory=list)


@dataclass
class Plan:
    creates: dict[str, list[Item]] = field(default_factory=lambda: defaultdict(list))
    updates: dict[str, list[Item]] = field(default_factory=lambda: defaultdict(list))
    retires: dict[str, list[Item]] = field(default_factory=lambda: defaultdict(list))
    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    rent_free_years: list[tuple[str, date, list[date], int]] = field(default_factory=list)
    property_charges: list[ChargeSet] = field(default_factory=list)
    new_tenancies: list[NewTenancy] = field(default_factory=list)
    tenancy_charges: list[ChargeSet] = field(default_factory=list)
    ends: list[Item] = field(default_factory=list)
    mandates_new: list[Item] = field(default_factory=list)
    mandates_cancel: list[Item] = field(default_factory=list)
    mandates_update: list[Item] = field(default_factory=list)
    warnings: ErrorList = field(default_factory=ErrorList)
    # Ids of what exists, by the source system's reference (filled by the planner, extended by the load).
    ids: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    officers: dict[str, int] = field(default_factory=dict)
    rent_run_reached: date | None = None

    @property
    def has_changes(self) -> bool:
        return any(
            (
                any(self.creates.values()),
                any(self.updates.values()),
                any(self.retires.values()),
                self.rent_free_years,
                self.property_charges,
                self.new_tenancies,
                self.tenancy_charges,
                self.ends,
                self.mandates_new,
                self.mandates_cancel,
                self.mandates_update,
            )
        )


class PlannerCore:
    """Checks the parsed files against each other and the database, and works out the plan."""

    def __init__(self, files: dict[str, ParsedFile], errors: ErrorList, today: date | None = None):
        self.files = files
        self.errors = errors
        self.today = today or timezone.localdate()
        self.plan = Plan()
        self.plan.rent_run_reached = rent_run_reached()
        self._headers: dict[str, set[str]] = {}
        self._tenancy_charges_now: dict[int, list[tuple]] | None = None

    # -- helpers -------------------------------------------------------------------------------------------------

    def rows(self, kind: str) -> list[dict]:
        parsed = self.files.get(kind)
        return parsed.rows if parsed else []

    def has(self, kind: str, column: str) -> bool:
        headers = self._headers.get(kind)
        if headers is None:
            parsed = self.files.get(kind)
            headers = self._headers[kind] = set(parsed.headers) if parsed else set()
        return column in headers

    def error(self, kind: str, row: dict, column: str, message: str) -> None:
        self.errors.add(self._problem(kind, row, column, message))

    def warn(self, kind: str, row: dict, column: str, message: str) -> None:
        self.plan.warnings.add(self._problem(kind, row, column, message))

    def _problem(self, kind: str, row: dict, column: str, message: str) -> LoadError:
        parsed = self.files.get(kind)
        value = row.get(column) if column else ""
        return LoadError(
            parsed.name if parsed else f"{kind}.csv",
            row["_line"],
            column,
            message,
            "" if value is None else str(value)[:100],
            parsed.letter(column) if parsed and column else "",
        )

    @staticmethod
    def ok(row: dict, *columns: str) -> bool:
        """The row's cells that later checks need were readable and, if required, given (a bad cell is reported
        once, where it was read)."""
        bad = row.get("_bad")
        return not bad or not bad.intersection(columns)

    def fields_present(self, kind: str, fields: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(name for name in fields if self.has(kind, name))

    def item_for(self, kind: str, reference: str, row: dict, existing: dict[str, dict]) -> tuple[Item, dict | None]:
        """The row's item of the plan, and Rentwise's record of it (`existing`, by reference). With no record, the
        item is planned (and counted) as a record to create."""
        current = existing.get(reference)
        item = Item(kind, reference, row["_line"], row, current["id"] if current else None)
        if current is None:
            self.plan.creates[kind].append(item)
            self.plan.counts[kind]["created"] += 1
        return item, current

    def compare(self, kind: str, row: dict, current: dict, fields: tuple[str, ...]) -> dict:
        """The fields (of those the file sends) whose value in the file differs from Rentwise's: field → (now, new).
        `current` has its multi-line fields tidied as the file's are (`_tidied`)."""
        if fields:
            get = _getter(fields)
            if get(row) == get(current):
                return {}
        return {name: (current.get(name), row[name]) for name in fields if row[name] != current.get(name)}

    def classify(self, kind: str, item: Item, changes: dict) -> None:
        if changes:
            item.changes = changes
            self.plan.updates[kind].append(item)
            self.plan.counts[kind]["updated"] += 1
        else:
            self.plan.counts[kind]["unchanged"] += 1

    def retire_check(self, kind: str, item: Item, current_retired_on) -> dict:
        """retired_on: a date retires (through the retire service); blank on a retired record brings it back."""
        if not self.has(kind, "retired_on"):
            return {}
        new = item.row["retired_on"]
        if new == current_retired_on:
            return {}
        return {"retired_on": (current_retired_on, new)}
