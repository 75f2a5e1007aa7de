"""Planning people, tenancies and what hangs off them: named tenants, charges, opening balances and direct
debits (see plan.py)."""

from collections import defaultdict
from datetime import timedelta

from django.db import connection

from tenancies.constants import LICENCE_TENURES, EndReason
from tenancies.models import (
    Person,
    Tenancy,
)
from tenancies.specs import ChargeSpec

from .formats import CHARGES, DIRECT_DEBITS, OPENING_BALANCES, PEOPLE, PROPERTIES, TENANCIES, TENANTS
from .plan_charges import charge_specs
from .plan_core import (
    PERSON_FIELDS,
    Item,
    NewTenancy,
    _tidied,
)
from .plan_tenancy_checks import TenancyChecks
from .plan_tenancy_sync import TenancySyncPlanning


class TenancyPlanning(TenancyChecks, TenancySyncPlanning):
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
            item, current = self.item_for(PEOPLE, reference, row, existing)
            if current is None:
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
                    "This is a licence, so it must record why it is a licence and not a tenancy. Give the "
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
                    f"The tenancy ends ({end:%-d %B %Y}) before it starts ({start:%-d %B %Y}). Check both dates.",
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
                f"The home was retired on {retired_on:%-d %B %Y}, so it cannot have a current tenancy. Check the "
                f"home's retired_on, or the tenancy's end_date.",
            )
            ok = False
        return ok

    def _specs_for(self, charge_rows: list[dict]) -> list[ChargeSpec]:
        return charge_specs([row for row in charge_rows if self.ok(row, "charge_type", "amount", "effective_from")])

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
                    f"This charge starts on {day:%-d %B %Y}, after tenancy "
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
