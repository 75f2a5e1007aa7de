"""Planning people, tenancies and what hangs off them: named tenants, charges, opening balances and direct
debits (see plan.py)."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models.fields.json import KeyTextTransform

from incomeapp.money import ZERO
from rentaccounts.constants import MandateStatus
from rentaccounts.models import DirectDebitMandate
from tenancies.constants import LICENCE_TENURES, EndReason, PaymentMethod, TenancyEventKind
from tenancies.models import (
    Charge,
    Person,
    Tenancy,
    TenancyEvent,
    TenancyTenant,
)
from tenancies.specs import ChargeSpec

from .formats import (
    CHARGES,
    COUNTS_AS_RENT_BY_DEFAULT,
    DIRECT_DEBITS,
    OPENING_BALANCES,
    PEOPLE,
    PROPERTIES,
    TENANCIES,
    TENANTS,
)
from .plan_core import (
    PERSON_FIELDS,
    Item,
    NewTenancy,
    _multiline,
    _tidied,
)


class TenancyPlanning:
    # -- people --------------------------------------------------------------------------------------------------

    def _people(self) -> None:
        rows = self.rows(PEOPLE)
        columns = ("id", "source_reference", "merged_into_id", *PERSON_FIELDS)
        existing: dict[str, dict] = {}
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(columns)} FROM {Person._meta.db_table} WHERE source_reference <> ''"  # noqa: S608
            )
            for values in cursor.fetchall():
                existing[values[1]] = dict(zip(columns, values, strict=True))
        _tidied(existing.values(), ("correspondence_address", "vulnerability_notes", "health_notes"))
        self.plan.ids[PEOPLE] = {ref: row["merged_into_id"] or row["id"] for ref, row in existing.items()}
        self.merged = {ref for ref, row in existing.items() if row["merged_into_id"]}
        present = self.fields_present(PEOPLE, PERSON_FIELDS)
        for row in rows:
            reference = row["source_reference"]
            if reference is None:
                continue
            birth = row.get("date_of_birth")
            if birth is not None and birth > self.today:
                self.error(PEOPLE, row, "date_of_birth", "This date of birth is in the future; check it.")
                continue
            current = existing.get(reference)
            item = Item(PEOPLE, reference, row["_line"], row, current["id"] if current else None)
            if current is None:
                self.plan.creates[PEOPLE].append(item)
                self.plan.counts[PEOPLE]["created"] += 1
                continue
            changes = self.compare(PEOPLE, row, current, present)
            if changes and current["merged_into_id"]:
                self.warn(
                    PEOPLE,
                    row,
                    "source_reference",
                    f"{reference} was merged in Rentwise into another person's record, so these changes were not "
                    f"applied ({', '.join(changes)}). Merge the two records in your system too, or change the kept "
                    f"record in Rentwise.",
                )
                self.plan.counts[PEOPLE]["unchanged"] += 1
                continue
            self.classify(PEOPLE, item, changes)

    # -- tenancies and what hangs off them -----------------------------------------------------------------------

    def _tenancies(self) -> None:
        rows = self.rows(TENANCIES)
        columns = (
            "id",
            "source_reference",
            "payment_reference",
            "property_id",
            "tenure_type",
            "licence_basis",
            "start_date",
            "end_date",
            "end_reason",
            "forwarding_address",
            "rent_period",
            "payment_method",
            "status",
        )
        existing: dict[str, dict] = {}
        by_payment_reference: dict[str, dict] = {}
        all_by_property: dict[int, list[tuple]] = defaultdict(list)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(columns)} FROM {Tenancy._meta.db_table}")  # noqa: S608
            for values in cursor.fetchall():
                row = dict(zip(columns, values, strict=True))
                if row["source_reference"]:
                    existing[row["source_reference"]] = row
                by_payment_reference[row["payment_reference"]] = row
                all_by_property[row["property_id"]].append(row)
        # A tenancy made in Rentwise (signed up before the load) is matched by its payment reference.
        for row in rows:
            reference, payment = row["source_reference"], row["payment_reference"]
            if reference is None or payment is None or reference in existing:
                continue
            found = by_payment_reference.get(payment)
            if found is not None and not found["source_reference"]:
                found = dict(found, adopted=True)
                existing[reference] = found
        self.plan.ids[TENANCIES] = {ref: row["id"] for ref, row in existing.items()}
        self.tenancies_now = existing
        if not rows and not self.rows(TENANTS) and not self.rows(CHARGES) and not self.rows(DIRECT_DEBITS):
            return

        file_tenancies = {row["source_reference"]: row for row in rows if row["source_reference"] is not None}
        homes = self.plan.ids[PROPERTIES]
        new_homes = {item.key for item in self.plan.creates[PROPERTIES]}
        file_homes = {row["source_reference"] for row in self.rows(PROPERTIES)}
        seen_payment: dict[str, int] = {}
        valid: dict[str, Item] = {}
        for row in rows:
            reference = row["source_reference"]
            if reference is None:
                continue
            ok = True
            payment = row["payment_reference"]
            if payment is not None:
                if payment in seen_payment:
                    self.error(
                        TENANCIES,
                        row,
                        "payment_reference",
                        f"The payment reference {payment} is also on line {seen_payment[payment]}; each tenancy has "
                        f"its own.",
                    )
                    ok = False
                seen_payment[payment] = row["_line"]
                holder = by_payment_reference.get(payment)
                mine = existing.get(reference)
                if holder is not None and (mine is None or holder["id"] != mine["id"]):
                    self.error(
                        TENANCIES,
                        row,
                        "payment_reference",
                        f"Another tenancy in Rentwise already has the payment reference {payment}"
                        + (f" (source reference '{holder['source_reference']}')" if holder["source_reference"] else "")
                        + ". Each tenancy needs its own payment reference: check the reference.",
                    )
                    ok = False
            home = row["property_reference"]
            if home is not None and home not in homes and home not in file_homes:
                self.error(
                    TENANCIES,
                    row,
                    "property_reference",
                    f"There is no home with the reference '{home}' in properties.csv or in Rentwise. Add the home, "
                    f"or correct the reference.",
                )
                ok = False
            elif home is not None and home in file_homes and home not in homes and home not in new_homes:
                ok = False  # the home's own row has errors, reported there
            tenure, basis = row["tenure_type"], row["licence_basis"]
            if tenure in LICENCE_TENURES and not basis:
                self.error(
                    TENANCIES,
                    row,
                    "licence_basis",
                    "This is a licence, so it must record why it is a licence and not a tenancy (R-LIC-03). Give the "
                    "licence_basis: shared_accommodation, hostel, support_linked, temporary_accommodation, "
                    "resident_landlord or other.",
                )
                ok = False
            elif tenure is not None and tenure not in LICENCE_TENURES and basis:
                self.error(
                    TENANCIES,
                    row,
                    "licence_basis",
                    "A licence basis is only for licences; this tenure is not a licence. Leave licence_basis blank, "
                    "or correct the tenure_type.",
                )
                ok = False
            start, end = row["start_date"], row["end_date"]
            if start is not None and end is not None and end < start:
                self.error(
                    TENANCIES,
                    row,
                    "end_date",
                    f"The tenancy ends ({end:%d/%m/%Y}) before it starts ({start:%d/%m/%Y}). Check both dates.",
                )
                ok = False
            if end is None and row.get("end_reason"):
                self.error(
                    TENANCIES,
                    row,
                    "end_reason",
                    "An end reason is given but no end_date. Give the last day "
                    "of the tenancy, or leave end_reason blank.",
                )
                ok = False
            if end is not None and end > self.today + timedelta(days=366):
                self.error(TENANCIES, row, "end_date", "This end date is more than a year ahead; check it.")
                ok = False
            if row.get("end_reason") == EndReason.LICENCE_ENDED and tenure not in LICENCE_TENURES:
                self.error(
                    TENANCIES,
                    row,
                    "end_reason",
                    "This is a tenancy, not a licence, so it cannot end as 'licence_ended'. Give another end_reason.",
                )
                ok = False
            if reference not in existing:
                ok = self._new_tenancy_checks(row, ok)
            if row.get("_bad"):
                ok = False
            if ok:
                current = existing.get(reference)
                valid[reference] = Item(TENANCIES, reference, row["_line"], row, current["id"] if current else None)

        tenants = self._tenants(file_tenancies, existing)
        charges = self._tenancy_charge_rows(file_tenancies, existing)
        openings = self._opening_balances(file_tenancies, existing)
        mandates = self._mandates(file_tenancies, existing)
        self._overlaps(valid, existing, all_by_property, homes)

        for reference, item in valid.items():
            row = item.row
            current = existing.get(reference)
            if current is None:
                self._new_tenancy(item, tenants, charges, openings, mandates)
            else:
                self._existing_tenancy(item, current, tenants, charges, openings)
        self._existing_mandates(mandates, existing, file_tenancies)

    def _new_tenancy_checks(self, row: dict, ok: bool) -> bool:
        """What the sign-up itself would refuse, found before anything is written."""
        from lifecycle.signup import max_days_ahead

        start, end = row["start_date"], row["end_date"]
        if start is not None and start > self.today + timedelta(days=max_days_ahead()):
            self.error(
                TENANCIES,
                row,
                "start_date",
                f"This tenancy starts more than {max_days_ahead()} days from today. Send it nearer the time.",
            )
            ok = False
        retired_on = self.homes_retired_on.get(row["property_reference"])
        if retired_on is not None and (end is None or end > self.today) and start is not None:
            self.error(
                TENANCIES,
                row,
                "property_reference",
                f"The home was retired on {retired_on:%d/%m/%Y}, so it cannot have a current tenancy. Check the "
                f"home's retired_on, or the tenancy's end_date.",
            )
            ok = False
        return ok

    def _tenants(self, file_tenancies: dict, existing: dict) -> dict[str, list[tuple[str, bool, dict]]]:
        rows = self.rows(TENANTS)
        people = self.plan.ids[PEOPLE]
        new_people = {item.key for item in self.plan.creates[PEOPLE]}
        file_people = {row["source_reference"] for row in self.rows(PEOPLE)}
        by_tenancy: dict[str, list] = defaultdict(list)
        for row in rows:
            tenancy, person = row["tenancy_reference"], row["person_reference"]
            if tenancy is None or person is None:
                continue
            if tenancy not in file_tenancies and tenancy not in existing:
                self.error(
                    TENANTS,
                    row,
                    "tenancy_reference",
                    f"There is no tenancy with the reference '{tenancy}' in tenancies.csv or in Rentwise.",
                )
                continue
            if person not in people and person not in file_people:
                self.error(
                    TENANTS,
                    row,
                    "person_reference",
                    f"There is no person with the reference '{person}' in "
                    f"people.csv or in Rentwise. Add the person, or correct the reference.",
                )
                continue
            if person in file_people and person not in people and person not in new_people:
                continue  # the person's own row has errors, reported there
            by_tenancy[tenancy].append((person, bool(row["is_lead"]), row))
        for tenancy, named in by_tenancy.items():
            leads = [entry for entry in named if entry[1]]
            if not leads:
                self.error(
                    TENANTS,
                    named[0][2],
                    "is_lead",
                    f"Tenancy '{tenancy}' has no lead tenant. Mark one of its named tenants with is_lead yes.",
                )
            for extra in leads[1:]:
                self.error(
                    TENANTS,
                    extra[2],
                    "is_lead",
                    f"Tenancy '{tenancy}' already has a lead tenant (line "
                    f"{leads[0][2]['_line']}); a tenancy has one lead tenant. Mark this one no.",
                )
            # The same person twice through a merge in Rentwise counts once.
            resolved = {}
            for person, lead, row in named:
                key = people.get(person, person)
                if key in resolved:
                    continue
                resolved[key] = (person, lead, row)
            named[:] = sorted(resolved.values(), key=lambda entry: (not entry[1], entry[2]["_line"]))
        return by_tenancy

    def _tenancy_charge_rows(self, file_tenancies: dict, existing: dict) -> dict[str, list[dict]]:
        by_tenancy: dict[str, list[dict]] = defaultdict(list)
        for row in self.rows(CHARGES):
            tenancy = row["tenancy_reference"]
            if tenancy is None:
                continue
            if tenancy not in file_tenancies and tenancy not in existing:
                self.error(
                    CHARGES,
                    row,
                    "tenancy_reference",
                    f"There is no tenancy with the reference '{tenancy}' in tenancies.csv or in Rentwise.",
                )
                continue
            by_tenancy[tenancy].append(row)
        return by_tenancy

    def _opening_balances(self, file_tenancies: dict, existing: dict) -> dict[str, dict]:
        found = {}
        for row in self.rows(OPENING_BALANCES):
            tenancy = row["tenancy_reference"]
            if tenancy is None:
                continue
            if tenancy not in file_tenancies and tenancy not in existing:
                self.error(
                    OPENING_BALANCES,
                    row,
                    "tenancy_reference",
                    f"There is no tenancy with the reference '{tenancy}' in tenancies.csv or in Rentwise.",
                )
                continue
            as_at = row["as_at"]
            if as_at is not None and as_at > self.today:
                self.error(
                    OPENING_BALANCES,
                    row,
                    "as_at",
                    f"{as_at:%d/%m/%Y} has not happened yet. An opening "
                    f"balance is what was owed at the end of a day that has passed.",
                )
                continue
            tenancy_row = file_tenancies.get(tenancy)
            start = tenancy_row["start_date"] if tenancy_row else existing[tenancy]["start_date"]
            if as_at is not None and start is not None and as_at < start:
                self.error(
                    OPENING_BALANCES,
                    row,
                    "as_at",
                    f"The balance is as at {as_at:%d/%m/%Y}, before the "
                    f"tenancy started on {start:%d/%m/%Y}. Check the date.",
                )
                continue
            found[tenancy] = row
        return found

    def _mandates(self, file_tenancies: dict, existing: dict) -> dict[str, list[dict]]:
        rows = self.rows(DIRECT_DEBITS)
        by_tenancy: dict[str, list[dict]] = defaultdict(list)
        for row in rows:
            tenancy = row["tenancy_reference"]
            if tenancy is None or not self.ok(row, "mandate_reference", "collection_day", "start_date"):
                continue
            row["mandate_reference"] = row["mandate_reference"].upper()
            if tenancy not in file_tenancies and tenancy not in existing:
                self.error(
                    DIRECT_DEBITS,
                    row,
                    "tenancy_reference",
                    f"There is no tenancy with the reference '{tenancy}' in tenancies.csv or in Rentwise.",
                )
                continue
            if row.get("amount") is not None and row["amount"] <= ZERO:
                self.error(
                    DIRECT_DEBITS,
                    row,
                    "amount",
                    "A direct debit collects more than 0.00. Give the amount collected each time, or leave it blank "
                    "when it varies.",
                )
                continue
            cancelled = row.get("cancelled_on")
            if cancelled is not None and cancelled < row["start_date"]:
                self.error(
                    DIRECT_DEBITS, row, "cancelled_on", "The mandate is cancelled before it starts; check the dates."
                )
                continue
            by_tenancy[tenancy].append(row)
        for tenancy, mandate_rows in by_tenancy.items():
            active = [row for row in mandate_rows if not row.get("cancelled_on")]
            for extra in active[1:]:
                self.error(
                    DIRECT_DEBITS,
                    extra,
                    "mandate_reference",
                    f"Tenancy '{tenancy}' already has an active "
                    f"mandate ({active[0]['mandate_reference']}, line {active[0]['_line']}); a tenancy has one "
                    f"active direct debit. Give the old one its cancelled_on date.",
                )
            tenancy_row = file_tenancies.get(tenancy)
            method = tenancy_row["payment_method"] if tenancy_row else None
            if active and tenancy_row is not None and method not in (None, PaymentMethod.DIRECT_DEBIT):
                self.error(
                    TENANCIES,
                    tenancy_row,
                    "payment_method",
                    f"Tenancy '{tenancy}' has an active direct "
                    f"debit ({active[0]['mandate_reference']}) but pays by {method}. Give payment_method "
                    f"direct_debit, or cancel the mandate.",
                )
        # A mandate reference another tenancy holds in Rentwise.
        references = [row["mandate_reference"] for rows_ in by_tenancy.values() for row in rows_]
        self.mandates_now = (
            {
                found["reference"]: found
                for found in DirectDebitMandate.objects.filter(reference__in=references).values(
                    "id", "reference", "tenancy_id", "collection_day", "amount", "status", "start_date", "cancelled_on"
                )
            }
            if references
            else {}
        )
        tenancy_ids = self.plan.ids[TENANCIES]
        for tenancy, mandate_rows in by_tenancy.items():
            for row in mandate_rows:
                found = self.mandates_now.get(row["mandate_reference"])
                if found is not None and found["tenancy_id"] != tenancy_ids.get(tenancy):
                    self.error(
                        DIRECT_DEBITS,
                        row,
                        "mandate_reference",
                        f"The mandate {row['mandate_reference']} "
                        f"belongs to another tenancy in Rentwise. A mandate cannot move tenancy: set up a new "
                        f"one.",
                    )
        return by_tenancy

    def _overlaps(self, valid: dict[str, Item], existing: dict, all_by_property: dict, homes: dict) -> None:
        """No home may have two tenancies on the same day."""
        by_home: dict[object, list[tuple]] = defaultdict(list)
        in_file_ids = set()
        for reference, item in valid.items():
            row = item.row
            current = existing.get(reference)
            if current is not None:
                in_file_ids.add(current["id"])
                start = current["start_date"]
                end = current["end_date"] or row["end_date"]
                home = current["property_id"]
            else:
                start, end = row["start_date"], row["end_date"]
                home = homes.get(row["property_reference"], ("new", row["property_reference"]))
            by_home[home].append((start, end, reference, row))
        for home in list(by_home):
            if isinstance(home, int):
                for other in all_by_property.get(home, []):
                    if other["id"] not in in_file_ids:
                        by_home[home].append((other["start_date"], other["end_date"], other["payment_reference"], None))
        for spans in by_home.values():
            if len(spans) < 2:
                continue
            spans.sort(key=lambda span: (span[0], span[1] or date.max))
            latest_end, latest_ref = spans[0][1] or date.max, spans[0][2]
            for start, end, reference, row in spans[1:]:
                if start <= latest_end:
                    culprit = row if row is not None else None
                    if culprit is not None:
                        self.error(
                            TENANCIES,
                            culprit,
                            "start_date",
                            f"Tenancy '{reference}' starts on {start:%d/%m/%Y}, while tenancy '{latest_ref}' of the "
                            f"same home is still running"
                            + (f" (to {latest_end:%d/%m/%Y})" if latest_end != date.max else " (no end date)")
                            + ". A home has one tenancy at a time: give the earlier tenancy its end_date, or check "
                            "the home.",
                        )
                if (end or date.max) > latest_end:
                    latest_end, latest_ref = end or date.max, reference

    def _specs_for(self, charge_rows: list[dict]) -> list[ChargeSpec]:
        specs = []
        for row in charge_rows:
            if not self.ok(row, "charge_type", "amount", "effective_from"):
                continue
            counts = row["counts_as_rent"]
            if counts is None:
                counts = row["charge_type"] in COUNTS_AS_RENT_BY_DEFAULT
            row["_counts_as_rent"] = counts
            if row["amount"] != ZERO:
                specs.append(ChargeSpec(row["charge_type"], row["amount"], counts))
        return specs

    def _new_tenancy(self, item: Item, tenants, charges, openings, mandates) -> None:
        row, reference = item.row, item.key
        named = tenants.get(reference, [])
        if not named:
            self.error(
                TENANCIES,
                row,
                "source_reference",
                f"Tenancy '{reference}' has no named tenants. Add its "
                f"tenants to tenants.csv (one of them with is_lead yes).",
            )
            return
        charge_rows = charges.get(reference, [])
        start = row["start_date"]
        for charge in charge_rows:
            day = charge.get("effective_from")
            if day is not None and day > max(start, self.today):
                self.error(
                    CHARGES,
                    charge,
                    "effective_from",
                    f"This charge starts on {day:%d/%m/%Y}, after tenancy "
                    f"'{reference}' starts and after today. For a tenancy new to Rentwise send the charges in "
                    f"effect now; send a later change in a later sync.",
                )
        specs = self._specs_for(charge_rows)
        if not specs:
            self.error(
                TENANCIES,
                row,
                "source_reference",
                f"Tenancy '{reference}' has no charge above 0.00. Add its charges (at least the rent) to charges.csv.",
            )
            return
        opening = openings.get(reference)
        new = NewTenancy(
            item=item,
            tenants=[(person, lead) for person, lead, _ in named],
            charges=specs,
            mandates=mandates.get(reference, []),
        )
        if opening is not None and self.ok(opening, "balance", "as_at"):
            new.opening_balance, new.opening_balance_date = opening["balance"], opening["as_at"]
            counts = self.plan.counts[OPENING_BALANCES]
            counts["created"] += 1
        counts = self.plan.counts
        counts[TENANCIES]["created"] += 1
        counts[TENANTS]["created"] += len(new.tenants)
        counts[CHARGES]["created"] += len(new.charges)
        counts[DIRECT_DEBITS]["created"] += len(new.mandates)
        self.plan.new_tenancies.append(new)

    def _existing_tenancy(self, item: Item, current: dict, tenants, charges, openings) -> None:
        row, reference = item.row, item.key
        changes = {}
        if current.get("adopted"):
            changes["source_reference"] = ("", reference)
        if current["property_id"] != self.plan.ids[PROPERTIES].get(row["property_reference"]):
            self.warn(
                TENANCIES,
                row,
                "property_reference",
                f"Tenancy '{reference}' is of another home in Rentwise. "
                f"A tenancy cannot move home; a move is a transfer. Not changed.",
            )
        if row["start_date"] != current["start_date"]:
            self.warn(
                TENANCIES,
                row,
                "start_date",
                f"Rentwise has tenancy '{reference}' starting on "
                f"{current['start_date']:%d/%m/%Y}. A sync does not move a start date (the charges hang on it); "
                f"correct whichever is wrong. Not changed.",
            )
        if self.has(TENANCIES, "rent_period") and row["rent_period"] != current["rent_period"]:
            self.warn(
                TENANCIES,
                row,
                "rent_period",
                f"Rentwise has tenancy '{reference}' paying "
                f"{current['rent_period']}. A sync does not change the rent period; change the charges on "
                f"the tenancy's page. Not changed.",
            )
        if row["payment_reference"] != current["payment_reference"]:
            self.warn(
                TENANCIES,
                row,
                "payment_reference",
                f"Rentwise has tenancy '{reference}' with the payment "
                f"reference {current['payment_reference']}, which its tenants pay with. Not changed.",
            )
        for name in ("tenure_type", "licence_basis", "payment_method"):
            if self.has(TENANCIES, name) and row[name] != current[name]:
                changes[name] = (current[name], row[name])
        ending = False
        if current["end_date"] is None and row["end_date"] is not None:
            # A tenancy is ended once its last day has come (the end of tenancy refuses a day still ahead): an end
            # date given ahead of time is recorded by the first sync on or after it.
            ending = row["end_date"] <= self.today
        elif current["end_date"] is not None and row["end_date"] != current["end_date"]:
            self.warn(
                TENANCIES,
                row,
                "end_date",
                f"Rentwise has tenancy '{reference}' ending on "
                f"{current['end_date']:%d/%m/%Y}. A sync does not change an end already recorded; correct the "
                f"end on the tenancy's page if it is wrong. Not changed.",
            )
        elif current["end_date"] is not None:
            if self.has(TENANCIES, "end_reason") and row["end_reason"] and row["end_reason"] != current["end_reason"]:
                self.warn(
                    TENANCIES,
                    row,
                    "end_reason",
                    f"Rentwise records tenancy '{reference}' as ended for "
                    f"{current['end_reason'] or 'no reason'}. Not changed.",
                )
            if self.has(TENANCIES, "forwarding_address") and row["forwarding_address"] != _multiline(
                current["forwarding_address"]
            ):
                changes["forwarding_address"] = (current["forwarding_address"], row["forwarding_address"])
        if ending:
            row["_end_reason"] = row["end_reason"] or EndReason.OTHER
            self.plan.ends.append(Item(TENANCIES, reference, row["_line"], row, current["id"]))
        if changes or ending:
            item.changes = changes
            if changes:
                self.plan.updates[TENANCIES].append(item)
            self.plan.counts[TENANCIES]["updated"] += 1
        else:
            self.plan.counts[TENANCIES]["unchanged"] += 1
        self._existing_tenants(item, current, tenants.get(reference))
        if not ending and current["end_date"] is None:
            self._existing_charges(item, current, charges.get(reference, []))
        elif charges.get(reference):
            self.plan.counts[CHARGES]["unchanged"] += len(charges[reference])
        self._existing_opening_balance(item, current, openings.get(reference))

    def _existing_tenants(self, item: Item, current: dict, named) -> None:
        if named is None:
            return
        if not hasattr(self, "_tenants_now"):
            self._tenants_now = defaultdict(set)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT tenancy_id, person_id, is_lead FROM {TenancyTenant._meta.db_table}"  # noqa: S608
                )
                for tenancy_id, person_id, lead in cursor.fetchall():
                    self._tenants_now[tenancy_id].add((person_id, bool(lead)))
        people = self.plan.ids[PEOPLE]
        wanted = {(people.get(person), lead) for person, lead, _ in named}
        now = self._tenants_now.get(current["id"], set())
        counts = self.plan.counts[TENANTS]
        if wanted == now:
            counts["unchanged"] += len(named)
            return
        counts["unchanged"] += len(named)
        self.warn(
            TENANTS,
            named[0][2],
            "tenancy_reference",
            f"The named tenants of tenancy '{item.key}' differ from "
            f"Rentwise's. A change of tenants is a succession or an assignment: record it on the tenancy's "
            f"page. Not changed.",
        )

    def _existing_charges(self, item: Item, current: dict, charge_rows: list[dict]) -> None:
        rows = [row for row in charge_rows if self.ok(row, "charge_type", "amount", "effective_from")]
        if not rows:
            return
        if self._tenancy_charges_now is None:
            self._tenancy_charges_now = self._charges_now(Charge, "tenancy_id", "o.end_date IS NULL")
        counts = self.plan.counts[CHARGES]
        charge_set = self._charges_compare(CHARGES, item.key, rows, self._tenancy_charges_now.get(current["id"], []))
        if charge_set is None:
            counts["unchanged"] += len(rows)
            return
        charge_set.id = current["id"]
        earliest = max(current["start_date"], self.plan.rent_run_reached or current["start_date"])
        if charge_set.effective_from < earliest:
            row = next(r for r in rows if r["_line"] == charge_set.line)
            self.warn(
                CHARGES,
                row,
                "effective_from",
                f"The new charges of tenancy '{item.key}' start on {charge_set.effective_from:%d/%m/%Y}, but the rent "
                f"run has already charged the weeks before {earliest:%d/%m/%Y}. They apply from {earliest:%d/%m/%Y}; "
                f"ask for an adjustment of the difference for the weeks before.",
            )
            charge_set.effective_from = earliest
        counts["updated"] += len(rows)
        self.plan.tenancy_charges.append(charge_set)

    def _existing_opening_balance(self, item: Item, current: dict, row: dict | None) -> None:
        if row is None or not self.ok(row, "balance", "as_at"):
            return
        if not hasattr(self, "_openings_now"):
            self._openings_now = self._opening_balances_recorded()
        recorded = self._openings_now.get(current["id"])
        counts = self.plan.counts[OPENING_BALANCES]
        counts["unchanged"] += 1
        if recorded is None:
            if row["balance"] != ZERO:
                self.warn(
                    OPENING_BALANCES,
                    row,
                    "balance",
                    f"Tenancy '{item.key}' was already in Rentwise without an opening balance, so this one was not "
                    f"posted (its charges since it started are on the account already). Ask for an adjustment if "
                    f"the balance is wrong.",
                )
            return
        amount, as_at = recorded
        if amount != row["balance"] or as_at != row["as_at"]:
            self.warn(
                OPENING_BALANCES,
                row,
                "balance",
                f"The opening balance of tenancy '{item.key}' was posted once, as £{amount:,} at "
                f"{as_at:%d/%m/%Y}; the file now says £{row['balance']:,} at {row['as_at']:%d/%m/%Y}. It is never "
                f"posted twice: ask for an adjustment of the difference if the first was wrong.",
            )

    def _opening_balances_recorded(self) -> dict[int, tuple[Decimal, date]]:
        """Each tenancy's opening balance and its date, as its load or sign-up event recorded them (the posting
        itself is keyed `opening-balance:tenancy:<id>`; a zero balance posts nothing but is recorded too)."""
        found = {}
        rows = (
            TenancyEvent.objects.filter(
                kind__in=(TenancyEventKind.LOADED, TenancyEventKind.SIGN_UP), detail__has_key="opening_balance_date"
            )
            .annotate(
                amount=KeyTextTransform("opening_balance", "detail"),
                day=KeyTextTransform("opening_balance_date", "detail"),
            )
            .values_list("tenancy_id", "amount", "day")
        )
        for tenancy_id, amount, day in rows.iterator(chunk_size=50_000):
            try:
                found[tenancy_id] = (Decimal(amount or "0"), date.fromisoformat(day))
            except (ValueError, TypeError, ArithmeticError):
                continue
        return found

    def _existing_mandates(self, mandates: dict[str, list[dict]], existing: dict, file_tenancies: dict) -> None:
        counts = self.plan.counts[DIRECT_DEBITS]
        new_tenancy_keys = {new.item.key for new in self.plan.new_tenancies}
        for tenancy, rows in mandates.items():
            if tenancy in new_tenancy_keys or tenancy not in existing:
                continue
            tenancy_id = existing[tenancy]["id"]
            for row in rows:
                found = self.mandates_now.get(row["mandate_reference"])
                item = Item(DIRECT_DEBITS, row["mandate_reference"], row["_line"], row, found["id"] if found else None)
                item.row["_tenancy_id"] = tenancy_id
                cancelled = row.get("cancelled_on")
                if found is None:
                    if cancelled:
                        counts["created"] += 1
                    else:
                        counts["created"] += 1
                    self.plan.mandates_new.append(item)
                    continue
                if found["status"] == MandateStatus.CANCELLED and not cancelled:
                    self.warn(
                        DIRECT_DEBITS,
                        row,
                        "cancelled_on",
                        f"Mandate {item.key} is cancelled in Rentwise. A "
                        f"cancelled direct debit does not restart: set up a new mandate. Not changed.",
                    )
                    counts["unchanged"] += 1
                    continue
                changes = {}
                for name in ("collection_day", "amount", "start_date"):
                    if self.has(DIRECT_DEBITS, name) and row[name] != found[name]:
                        changes[name] = (found[name], row[name])
                if cancelled and found["status"] == MandateStatus.ACTIVE:
                    tenancy_row = file_tenancies.get(tenancy) or {}
                    method = tenancy_row.get("payment_method") or existing[tenancy]["payment_method"]
                    if method == PaymentMethod.DIRECT_DEBIT and not any(
                        not r.get("cancelled_on") for r in rows if r is not row
                    ):
                        self.error(
                            DIRECT_DEBITS,
                            row,
                            "cancelled_on",
                            f"Mandate {item.key} is cancelled, but tenancy "
                            f"'{tenancy}' still pays by direct debit. Give the tenancy's new payment_method in "
                            f"tenancies.csv.",
                        )
                        continue
                    item.row["_new_payment_method"] = method
                    item.changes = changes
                    self.plan.mandates_cancel.append(item)
                    counts["updated"] += 1
                elif cancelled and found["cancelled_on"] != cancelled:
                    changes["cancelled_on"] = (found["cancelled_on"], cancelled)
                    item.changes = changes
                    self.plan.mandates_update.append(item)
                    counts["updated"] += 1
                elif changes:
                    item.changes = changes
                    self.plan.mandates_update.append(item)
                    counts["updated"] += 1
                else:
                    counts["unchanged"] += 1
