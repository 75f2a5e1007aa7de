"""Applying a plan: everything in one database transaction (the caller's), so an error anywhere loads nothing.

Changed rows go through the same services as the screens (tenancies.services_homes, tenancies.services_people,
lifecycle.charges.tenancy_charges_change, lifecycle.ending.tenancy_end, rentaccounts.services.direct_debits); a tenancy
new in a sync is signed up through lifecycle.signup.tenancy_sign_up (no letters) and recorded as loaded. Many new rows
at once (a first load) take the set-based path in `load_bulk.py`, which writes the same rows.

A service that refuses a row (a ValidationError) stops the load: `LoadRefused` carries the row's file, line and the
service's plain-English message, and the caller's transaction rolls everything back."""

import time
from collections import defaultdict
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rentaccounts.constants import AccountKind, MandateStatus
from rentaccounts.models import Account, DirectDebitMandate
from rentaccounts.services.direct_debits import direct_debit_mandate_cancel, direct_debit_mandate_create
from tenancies.constants import TenancyEventKind
from tenancies.history import DATA_LOAD_REASON
from tenancies.models import (
    Charge,
    Patch,
    Person,
    Property,
    PropertyCharge,
    Provider,
    Scheme,
    Tenancy,
    TenancyEvent,
    TenancyTenant,
)

from .bulk import foreign_keys_checked_once, indexes_built_once
from .formats import (
    CHARGES,
    DIRECT_DEBITS,
    PATCHES,
    PEOPLE,
    PROPERTIES,
    PROPERTY_CHARGES,
    PROVIDERS,
    RENT_FREE_WEEKS,
    SCHEMES,
    TENANCIES,
    LoadError,
    ParsedFile,
)
from .plan import PERSON_FIELDS, Item, NewTenancy, Plan

LOAD_REASON = f"{DATA_LOAD_REASON} from the housing management system"
CHARGE_CHANGE_REASON = f"{DATA_LOAD_REASON}: charges changed in the housing management system"
# From this many new homes, people or tenancies in one load, they are written set-based (load_bulk.py).
BULK_FROM = 200
# From this many, the foreign keys between the tables filled are checked once, at the end (bulk.py).
INITIAL_LOAD_FROM = 10_000
KEYED_TABLES = (Property, PropertyCharge, Tenancy, TenancyTenant, Charge, Account, DirectDebitMandate, TenancyEvent)
KEY_TARGETS = (Property, Person, Tenancy, Scheme, Patch, Account)


class LoadRefused(Exception):
    """A service refused a row while loading: nothing is kept."""

    def __init__(self, error: LoadError):
        super().__init__(str(error))
        self.error = error


@dataclass
class Applied:
    """What the load did (or, rolled back, would have done)."""

    account_ids: set[int] = field(default_factory=set)
    opening_balances: int = 0
    opening_balances_total: object = 0
    bulk: bool = False
    seconds: dict[str, float] = field(default_factory=dict)


def _history_reason(model, pk: int, reason: str = LOAD_REASON) -> None:
    """The services for homes name no reason; a load's rows say they came from the data load."""
    latest = model.history.filter(id=pk).order_by("-history_date", "-history_id").first()
    if latest is not None and not latest.history_change_reason:
        latest.history_change_reason = reason
        latest.save(update_fields=["history_change_reason"])


class Loader:
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

    # -- providers, schemes, rent-free weeks, patches ------------------------------------------------------------

    def _updates(self, kind: str, model, update, attribute: str, resolve) -> None:
        items = self.plan.updates[kind]
        objects = model.objects.in_bulk([item.id for item in items])
        for item in items:
            changes = {name: new for name, (_, new) in item.changes.items() if name != "retired_on"}
            if item.changes.get("retired_on", (None, None))[1] is None and "retired_on" in item.changes:
                changes["retired_on"] = None  # back in use
            changes = resolve(changes)
            if not changes:
                continue
            obj = objects[item.id]
            obj._change_reason = LOAD_REASON  # the services for homes take no reason; the history row keeps this one
            with self.row(kind, item.line):
                update(by=self.by, **{attribute: obj}, **changes)

    def _providers(self) -> None:
        from tenancies.services_homes import provider_create, provider_update

        for item in self.plan.creates[PROVIDERS]:
            row = item.row
            with self.row(PROVIDERS, item.line):
                provider = provider_create(
                    by=self.by,
                    name=row["name"],
                    landlord_type=row["landlord_type"],
                    address=row["address"],
                    jurisdiction=row["jurisdiction"],
                    phone=row["phone"],
                    email=row["email"],
                    source_reference=item.key,
                )
            _history_reason(Provider, provider.pk)
            self.plan.ids[PROVIDERS][item.key] = provider.pk
        self._updates(PROVIDERS, Provider, provider_update, "provider", lambda changes: changes)

    def _scheme_values(self, changes: dict) -> dict:
        if "provider_id" in changes:
            reference = changes.pop("provider_id")
            reference = reference[1] if isinstance(reference, tuple) else reference
            provider_id = self.plan.ids[PROVIDERS].get(reference, reference)
            changes["provider"] = Provider.objects.get(pk=provider_id)
        return changes

    def _schemes(self) -> None:
        from tenancies.services_homes import scheme_create, scheme_update

        for item in self.plan.creates[SCHEMES]:
            row = item.row
            with self.row(SCHEMES, item.line):
                scheme = scheme_create(
                    by=self.by,
                    code=row["code"],
                    name=row["name"],
                    scheme_type=row["scheme_type"],
                    provider=Provider.objects.get(pk=self.plan.ids[PROVIDERS][row["provider_reference"]]),
                    source_reference=item.key,
                )
            _history_reason(Scheme, scheme.pk)
            self.plan.ids[SCHEMES][item.key] = scheme.pk
        for item in self.plan.updates[SCHEMES]:
            if "provider_id" in item.changes:
                item.changes["provider_id"] = (None, item.row["provider_reference"])
        self._updates(SCHEMES, Scheme, scheme_update, "scheme", self._scheme_values)

    def _rent_free_weeks(self) -> None:
        from tenancies.services_homes import scheme_rent_free_weeks_set

        for reference, year, weeks, line in self.plan.rent_free_years:
            scheme = Scheme.objects.get(pk=self.plan.ids[SCHEMES][reference])
            with self.row(RENT_FREE_WEEKS, line, "week_commencing"):
                scheme_rent_free_weeks_set(by=self.by, scheme=scheme, year_starting=year, weeks=weeks)

    def _officer(self, officer_id):
        return get_user_model().objects.get(pk=officer_id) if officer_id else None

    def _patches(self) -> None:
        from tenancies.services_homes import patch_create, patch_update

        for item in self.plan.creates[PATCHES]:
            with self.row(PATCHES, item.line, "officer"):
                patch = patch_create(
                    by=self.by,
                    name=item.row["name"],
                    officer=self._officer(item.row.get("_officer_id")),
                    source_reference=item.key,
                )
            _history_reason(Patch, patch.pk)
            self.plan.ids[PATCHES][item.key] = patch.pk

        def resolve(changes):
            if "officer_id" in changes:
                changes["officer"] = self._officer(changes.pop("officer_id"))
            return changes

        self._updates(PATCHES, Patch, patch_update, "patch", resolve)

    # -- homes ---------------------------------------------------------------------------------------------------

    def _home_links(self, row: dict) -> dict:
        ids = self.plan.ids
        patch, parent = row.get("patch_reference") or "", row.get("parent_reference") or ""
        return {
            "scheme_id": ids[SCHEMES][row["scheme_reference"]],
            "patch_id": ids[PATCHES][patch] if patch else None,
            "parent_id": ids[PROPERTIES][parent] if parent else None,
        }

    def _properties(self) -> None:
        from tenancies.services_homes import property_create, property_update

        creates = self.plan.creates[PROPERTIES]
        if self.bulk and creates:
            from .load_bulk import properties_insert

            properties_insert(self, creates)
        else:
            for item in _parents_first(creates):
                row = item.row
                links = self._home_links(row)
                with self.row(PROPERTIES, item.line):
                    home = property_create(
                        by=self.by,
                        address_line_1=row["address_line_1"],
                        address_line_2=row["address_line_2"],
                        town=row["town"],
                        postcode=row["postcode"],
                        scheme=Scheme.objects.get(pk=links["scheme_id"]),
                        patch=Patch.objects.get(pk=links["patch_id"]) if links["patch_id"] else None,
                        parent=Property.objects.get(pk=links["parent_id"]) if links["parent_id"] else None,
                        uprn=row["uprn"],
                        bedrooms=row["bedrooms"],
                        unit_label=row["unit_label"],
                        source_reference=item.key,
                    )
                _history_reason(Property, home.pk)
                self.plan.ids[PROPERTIES][item.key] = home.pk

        def resolve(changes):
            ids = self.plan.ids
            if "scheme" in changes:
                changes["scheme"] = Scheme.objects.get(pk=ids[SCHEMES][changes["scheme"]])
            if "patch" in changes:
                changes["patch"] = Patch.objects.get(pk=ids[PATCHES][changes["patch"]]) if changes["patch"] else None
            if "parent" in changes:
                parent = changes["parent"]
                changes["parent"] = Property.objects.get(pk=ids[PROPERTIES][parent]) if parent else None
            return changes

        self._updates(PROPERTIES, Property, property_update, "property", resolve)

    def _property_charges(self) -> None:
        from tenancies.services_homes import property_charges_set

        sets = self.plan.property_charges
        new_homes = [s for s in sets if s.id is None]
        if self.bulk and new_homes:
            from .load_bulk import property_charges_insert

            property_charges_insert(self, new_homes)
            sets = [s for s in sets if s.id is not None]
        if not sets:
            return
        homes = Property.objects.in_bulk([s.id or self.plan.ids[PROPERTIES][s.key] for s in sets])
        for charge_set in sets:
            home = homes[charge_set.id or self.plan.ids[PROPERTIES][charge_set.key]]
            with self.row(PROPERTY_CHARGES, charge_set.line, "effective_from"):
                property_charges_set(
                    by=self.by, property=home, effective_from=charge_set.effective_from, charges=charge_set.charges
                )

    # -- people --------------------------------------------------------------------------------------------------

    def _people(self) -> None:
        from tenancies.services_people import person_create, person_update

        creates = self.plan.creates[PEOPLE]
        if self.bulk and creates:
            from .load_bulk import people_insert

            people_insert(self, creates)
        else:
            for item in creates:
                with self.row(PEOPLE, item.line):
                    person = person_create(
                        by=self.by,
                        **{name: item.row[name] for name in PERSON_FIELDS},
                        source_reference=item.key,
                        reason=LOAD_REASON,
                    )
                self.plan.ids[PEOPLE][item.key] = person.pk
        updates = self.plan.updates[PEOPLE]
        people = Person.objects.in_bulk([item.id for item in updates])
        for item in updates:
            with self.row(PEOPLE, item.line):
                person_update(
                    by=self.by,
                    person=people[item.id],
                    reason=LOAD_REASON,
                    **{name: new for name, (_, new) in item.changes.items()},
                )

    # -- tenancies -----------------------------------------------------------------------------------------------

    def _tenancies_changed(self) -> None:
        from lifecycle.charges import tenancy_charges_change
        from lifecycle.ending import tenancy_end

        plan = self.plan
        touched = (
            [item.id for item in plan.updates[TENANCIES]]
            + [charge_set.id for charge_set in plan.tenancy_charges]
            + [item.id for item in plan.ends]
            + [item.row["_tenancy_id"] for item in plan.mandates_new + plan.mandates_cancel + plan.mandates_update]
        )
        if not touched:
            return
        tenancies = Tenancy.objects.select_related("property").in_bulk(set(touched))
        for item in plan.updates[TENANCIES]:
            self._tenancy_fields_update(tenancies[item.id], item)
        for charge_set in plan.tenancy_charges:
            with self.row(CHARGES, charge_set.line, "effective_from"):
                tenancy_charges_change(
                    by=self.by,
                    tenancy=tenancies[charge_set.id],
                    effective_from=charge_set.effective_from,
                    charges=charge_set.charges,
                    reason=CHARGE_CHANGE_REASON,
                )
        self._mandates(tenancies)
        for item in plan.ends:
            row = item.row
            with self.row(TENANCIES, item.line, "end_date"):
                tenancy_end(
                    by=self.by,
                    tenancy=Tenancy.objects.get(pk=item.id),
                    last_day=row["end_date"],
                    reason=row["_end_reason"],
                    forwarding_address=row.get("forwarding_address") or "",
                    note=LOAD_REASON,
                    # The people file is the master of each person's correspondence address.
                    _follow_addresses=False,
                )
        self.applied.account_ids.update(
            Account.objects.filter(tenancy_id__in=set(touched), kind=AccountKind.RENT).values_list("id", flat=True)
        )

    def _tenancy_fields_update(self, tenancy: Tenancy, item: Item) -> None:
        """Tenure, licence basis, payment method, forwarding address (of an ended tenancy) and the source reference
        of a tenancy made in Rentwise: plain fields no other service changes, saved with their history."""
        changes = {name: new for name, (_, new) in item.changes.items()}
        for name, value in changes.items():
            setattr(tenancy, name, value)
        # The plan has checked the values (a licence keeps its basis; the database refuses one without it too).
        tenancy._history_user = self.by
        tenancy._change_reason = LOAD_REASON
        tenancy.save(update_fields=[*changes, "updated_at"])

    def _mandates(self, tenancies: dict[int, Tenancy]) -> None:
        plan = self.plan
        for item in plan.mandates_cancel:
            row = item.row
            mandate = DirectDebitMandate.objects.get(pk=item.id)
            with self.row(DIRECT_DEBITS, item.line, "cancelled_on"):
                direct_debit_mandate_cancel(
                    mandate=mandate,
                    cancelled_on=row["cancelled_on"],
                    new_payment_method=row["_new_payment_method"],
                    user=self.by,
                )
        for item in plan.mandates_update:
            mandate = DirectDebitMandate.objects.get(pk=item.id)
            for name, (_, new) in item.changes.items():
                setattr(mandate, name, new)
            mandate._history_user = self.by
            mandate._change_reason = LOAD_REASON
            mandate.save(update_fields=[*item.changes, "updated_at"])
        for item in plan.mandates_new:
            row = item.row
            tenancy = tenancies[row["_tenancy_id"]]
            if row.get("cancelled_on"):
                _mandate_record(row, tenancy, self.by)
                continue
            with self.row(DIRECT_DEBITS, item.line, "mandate_reference"):
                direct_debit_mandate_create(
                    tenancy=tenancy,
                    reference=row["mandate_reference"],
                    collection_day=row["collection_day"],
                    start_date=row["start_date"],
                    amount=row["amount"],
                    user=self.by,
                )

    def _tenancies_new(self) -> None:
        new = self.plan.new_tenancies
        if not new:
            return
        if self.bulk:
            from .load_bulk import tenancies_insert

            tenancies_insert(self, new)
            return
        by_home: dict[str, list[NewTenancy]] = defaultdict(list)
        for tenancy in new:
            by_home[tenancy.item.row["property_reference"]].append(tenancy)
        for home_tenancies in by_home.values():
            for tenancy in sorted(home_tenancies, key=lambda t: t.item.row["start_date"]):
                self._sign_up(tenancy)

    def _sign_up(self, new: NewTenancy) -> None:
        from lifecycle.ending import tenancy_end
        from lifecycle.signup import tenancy_sign_up

        row, ids = new.item.row, self.plan.ids
        people = Person.objects.in_bulk([ids[PEOPLE][person] for person, _ in new.tenants])
        active = [m for m in new.mandates if not m.get("cancelled_on")]
        mandate = None
        if active:
            m = active[0]
            mandate = {
                "reference": m["mandate_reference"],
                "collection_day": m["collection_day"],
                "start_date": m["start_date"],
                "amount": m["amount"],
            }
        with self.row(TENANCIES, new.item.line):
            result = tenancy_sign_up(
                by=self.by,
                property=Property.objects.get(pk=ids[PROPERTIES][row["property_reference"]]),
                tenure_type=row["tenure_type"],
                start_date=row["start_date"],
                tenants=[people[ids[PEOPLE][person]] for person, _ in new.tenants],
                rent_period=row["rent_period"],
                charges=new.charges,
                payment_method=row["payment_method"],
                licence_basis=row["licence_basis"],
                payment_reference=row["payment_reference"],
                mandate=mandate,
                opening_balance=new.opening_balance,
                opening_balance_date=new.opening_balance_date,
                send_letters=False,
                source_reference=new.item.key,
            )
        tenancy = result.tenancy
        ids[TENANCIES][new.item.key] = tenancy.pk
        # Loaded, not signed up in Rentwise: the event and the history say so.
        TenancyEvent.objects.filter(tenancy=tenancy, kind=TenancyEventKind.SIGN_UP).update(
            kind=TenancyEventKind.LOADED, reason=LOAD_REASON
        )
        Tenancy.history.filter(id=tenancy.pk).update(history_change_reason=LOAD_REASON)
        Charge.history.filter(tenancy_id=tenancy.pk).update(history_change_reason=LOAD_REASON)
        for m in new.mandates:
            if m.get("cancelled_on"):
                _mandate_record(m, tenancy, self.by)
        if result.opening_balance is not None:
            self.applied.opening_balances += 1
            self.applied.opening_balances_total += result.opening_balance.amount
        end = row["end_date"]
        if end is not None and end <= self.today:
            with self.row(TENANCIES, new.item.line, "end_date"):
                tenancy_end(
                    by=self.by,
                    tenancy=tenancy,
                    last_day=end,
                    reason=row["end_reason"] or "other",
                    forwarding_address=row["forwarding_address"] or "",
                    note=LOAD_REASON,
                    _follow_addresses=False,
                )
        self.applied.account_ids.update(
            Account.objects.filter(tenancy=tenancy, kind=AccountKind.RENT).values_list("id", flat=True)
        )

    # -- retirements and reviews ---------------------------------------------------------------------------------

    def _retirements(self) -> None:
        """Last, so a home retired after its tenancy ended can first be given that tenancy."""
        from tenancies.services_homes import patch_retire, property_retire, provider_retire, scheme_retire

        plan = self.plan
        order = (
            (PROPERTIES, Property, property_retire, "property"),
            (PATCHES, Patch, patch_retire, "patch"),
            (SCHEMES, Scheme, scheme_retire, "scheme"),
            (PROVIDERS, Provider, provider_retire, "provider"),
        )
        for kind, model, retire, attribute in order:
            wanted = [
                item
                for item in plan.creates[kind] + plan.updates[kind]
                if item.row.get("retired_on") is not None
                and (item.id is None or item.changes.get("retired_on", (None, None))[1] is not None)
            ]
            if not wanted:
                continue
            objects = model.objects.in_bulk([item.id or plan.ids[kind][item.key] for item in wanted])
            for item in wanted:
                obj = objects[item.id or plan.ids[kind][item.key]]
                with self.row(kind, item.line, "retired_on"):
                    retire(by=self.by, **{attribute: obj}, on=item.row["retired_on"])


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [message for messages in error.message_dict.values() for message in messages]
    return list(error.messages)


def _parents_first(items: list[Item]) -> list[Item]:
    """New homes in an order where a building comes before its units."""
    by_key = {item.key: item for item in items}
    ordered, placed = [], set()

    def place(item: Item, depth: int = 0) -> None:
        if item.key in placed or depth > 50:
            return
        parent = item.row.get("parent_reference")
        if parent in by_key:
            place(by_key[parent], depth + 1)
        placed.add(item.key)
        ordered.append(item)

    for item in items:
        place(item)
    return ordered


def _mandate_record(row: dict, tenancy: Tenancy, by) -> DirectDebitMandate:
    """A mandate already cancelled in the old system: kept for the record (and direct-debit take-up over time)."""
    mandate = DirectDebitMandate(
        tenancy=tenancy,
        reference=row["mandate_reference"],
        collection_day=row["collection_day"],
        amount=row["amount"],
        status=MandateStatus.CANCELLED,
        start_date=row["start_date"],
        cancelled_on=row["cancelled_on"],
    )
    mandate._history_user = by
    mandate._change_reason = LOAD_REASON
    mandate.save()
    return mandate
