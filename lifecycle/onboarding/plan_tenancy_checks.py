"""Checking what hangs off a tenancy in the files (named tenants, charges, opening balances and direct debits) against
the tenancies in the files and in Rentwise, and that no home has two tenancies at once (see plan.py)."""

from collections import defaultdict
from datetime import date

from incomeapp.money import ZERO
from rentaccounts.models import DirectDebitMandate
from tenancies.constants import PaymentMethod

from .formats import (
    CHARGES,
    DIRECT_DEBITS,
    OPENING_BALANCES,
    PEOPLE,
    TENANCIES,
    TENANTS,
)
from .plan_core import Item


class TenancyChecks:
    # -- named tenants, charges, opening balances, direct debits -------------------------------------------------

    def _tenancy_known(self, kind: str, row: dict, tenancy: str, file_tenancies: dict, existing: dict) -> bool:
        """Whether the tenancy a row hangs off is in tenancies.csv or in Rentwise; when not, the row's error says so."""
        if tenancy in file_tenancies or tenancy in existing:
            return True
        self.error(
            kind,
            row,
            "tenancy_reference",
            f"There is no tenancy with the reference '{tenancy}' in tenancies.csv or in Rentwise.",
        )
        return False

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
            if not self._tenancy_known(TENANTS, row, tenancy, file_tenancies, existing):
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
            if not self._tenancy_known(CHARGES, row, tenancy, file_tenancies, existing):
                continue
            by_tenancy[tenancy].append(row)
        return by_tenancy

    def _opening_balances(self, file_tenancies: dict, existing: dict) -> dict[str, dict]:
        found = {}
        for row in self.rows(OPENING_BALANCES):
            tenancy = row["tenancy_reference"]
            if tenancy is None:
                continue
            if not self._tenancy_known(OPENING_BALANCES, row, tenancy, file_tenancies, existing):
                continue
            as_at = row["as_at"]
            if as_at is not None and as_at > self.today:
                self.error(
                    OPENING_BALANCES,
                    row,
                    "as_at",
                    f"{as_at:%-d %B %Y} has not happened yet. An opening "
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
                    f"The balance is as at {as_at:%-d %B %Y}, before the "
                    f"tenancy started on {start:%-d %B %Y}. Check the date.",
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
            if not self._tenancy_known(DIRECT_DEBITS, row, tenancy, file_tenancies, existing):
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
                            f"Tenancy '{reference}' starts on {start:%-d %B %Y}, while tenancy '{latest_ref}' of the "
                            f"same home is still running"
                            + (f" (to {latest_end:%-d %B %Y})" if latest_end != date.max else " (no end date)")
                            + ". A home has one tenancy at a time: give the earlier tenancy its end_date, or check "
                            "the home.",
                        )
                if (end or date.max) > latest_end:
                    latest_end, latest_ref = end or date.max, reference
