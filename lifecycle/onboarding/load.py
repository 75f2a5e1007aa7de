"""Applying a plan: everything in one database transaction (the caller's), so an error anywhere loads nothing.

Changed rows go through the same services as the screens (tenancies.services_homes, tenancies.services_people,
lifecycle.charges.tenancy_charges_change, lifecycle.ending.tenancy_end, rentaccounts.services.direct_debits); a tenancy
new in a sync is signed up through lifecycle.signup.tenancy_sign_up (no letters) and recorded as loaded. Many new rows
at once (a first load) take the set-based path in `load_bulk.py`, which writes the same rows.

A service that refuses a row (a ValidationError) stops the load: `LoadRefused` carries the row's file, line and the
service's plain-English message, and the caller's transaction rolls everything back.

The loader's parts: `load_homes.py` (providers, schemes, rent-free weeks, patches, homes and their charges, and the
retirements), `load_tenancies.py` (people and tenancies) and `load_core.py` (the load's reasons, `LoadRefused` and
`Applied`, re-exported here)."""

import time
from contextlib import contextmanager, nullcontext
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rentaccounts.models import Account, DirectDebitMandate
from tenancies.models import (
    Charge,
    Patch,
    Person,
    Property,
    PropertyCharge,
    Scheme,
    Tenancy,
    TenancyEvent,
    TenancyTenant,
)

from .bulk import foreign_keys_checked_once, indexes_built_once
from .formats import (
    PEOPLE,
    PROPERTIES,
    LoadError,
    ParsedFile,
)
from .load_core import (  # noqa: F401 (the names the services and tests use)
    CHARGE_CHANGE_REASON,
    LOAD_REASON,
    Applied,
    LoadRefused,
)
from .load_homes import HomesLoading
from .load_tenancies import TenancyLoading
from .plan import Plan

# From this many new homes, people or tenancies in one load, they are written set-based (load_bulk.py).
BULK_FROM = 200
# From this many, the foreign keys between the tables filled are checked once, at the end (bulk.py).
INITIAL_LOAD_FROM = 10_000
KEYED_TABLES = (Property, PropertyCharge, Tenancy, TenancyTenant, Charge, Account, DirectDebitMandate, TenancyEvent)
KEY_TARGETS = (Property, Person, Tenancy, Scheme, Patch, Account)


class Loader(HomesLoading, TenancyLoading):
    def __init__(
        self,
        plan: Plan,
        files: dict[str, ParsedFile],
        *,
        by,
        bulk: bool | None = None,
        today: date | None = None,
        progress=None,
    ):
        self.plan = plan
        self.files = files
        self.by = by
        self.today = today or timezone.localdate()
        self.now: datetime = timezone.now()
        self.progress = progress or (lambda stage: None)
        new_rows = max(len(plan.creates[PROPERTIES]), len(plan.creates[PEOPLE]), len(plan.new_tenancies), 0)
        self.bulk = bulk if bulk is not None else new_rows >= BULK_FROM
        self.initial = self.bulk and new_rows >= INITIAL_LOAD_FROM
        self.new_rows = new_rows
        self.applied = Applied(bulk=self.bulk)

    # -- errors --------------------------------------------------------------------------------------------------

    @contextmanager
    def row(self, kind: str, line: int, column: str = ""):
        """A service's refusal, as an error on the row that asked for it."""
        try:
            yield
        except ValidationError as error:
            raise LoadRefused(self._error(kind, line, column, " ".join(_messages(error)))) from error
        except PermissionDenied as error:
            raise LoadRefused(self._error(kind, line, column, str(error))) from error

    def _error(self, kind: str, line: int, column: str, message: str) -> LoadError:
        parsed = self.files.get(kind)
        name = parsed.name if parsed else f"{kind}.csv"
        letter = parsed.letter(column) if parsed and column else ""
        return LoadError(name, line, column, message, "", letter)

    # -- the whole load ------------------------------------------------------------------------------------------

    def run(self) -> Applied:
        stages = (
            ("providers", self._providers),
            ("schemes", self._schemes),
            ("rent-free weeks", self._rent_free_weeks),
            ("patches", self._patches),
            ("homes", self._properties),
            ("homes' charges", self._property_charges),
            ("people", self._people),
            ("changed tenancies", self._tenancies_changed),
            ("new tenancies", self._tenancies_new),
            ("retirements", self._retirements),
        )
        keys, indexes = nullcontext(), nullcontext()
        if self.initial:
            tables = [model._meta.db_table for model in KEYED_TABLES]
            keys = foreign_keys_checked_once(tables, [model._meta.db_table for model in KEY_TARGETS])
            histories = [m.history.model._meta.db_table for m in (*KEYED_TABLES, Person) if hasattr(m, "history")]
            indexes = indexes_built_once([*tables, Person._meta.db_table, *histories], self.new_rows)
        with keys, indexes:
            for name, stage in stages:
                self.progress(name)
                started = time.perf_counter()
                stage()
                self.applied.seconds[name] = round(time.perf_counter() - started, 3)
            started = time.perf_counter()
        if self.initial:
            self.applied.seconds["keys checked and indexes built"] = round(time.perf_counter() - started, 3)
        return self.applied


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [message for messages in error.message_dict.values() for message in messages]
    return list(error.messages)
