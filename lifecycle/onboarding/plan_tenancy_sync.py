"""Planning a sync of a tenancy already in Rentwise: what changes, and what is reported as a warning and left for a
person, of the tenancy itself, its named tenants, charges, opening balance and direct debits (see plan.py)."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models.fields.json import KeyTextTransform

from incomeapp.money import ZERO
from rentaccounts.constants import MandateStatus
from tenancies.constants import EndReason, PaymentMethod, TenancyEventKind
from tenancies.models import (
    Charge,
    TenancyEvent,
    TenancyTenant,
)

from .formats import CHARGES, DIRECT_DEBITS, OPENING_BALANCES, PEOPLE, PROPERTIES, TENANCIES, TENANTS
from .plan_core import (
    Item,
    _multiline,
)


class TenancySyncPlanning:
    # -- tenancies already in Rentwise ---------------------------------------------------------------------------

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
                f"{current['start_date']:%-d %B %Y}. A sync does not move a start date (the charges hang on it); "
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
                f"{current['end_date']:%-d %B %Y}. A sync does not change an end already recorded; correct the "
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
                f"The new charges of tenancy '{item.key}' start on {charge_set.effective_from:%-d %B %Y}, but the rent "
                f"run has already charged the weeks before {earliest:%-d %B %Y}. They apply from {earliest:%-d %B %Y}; "
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
                f"{as_at:%-d %B %Y}; the file now says £{row['balance']:,} at {row['as_at']:%-d %B %Y}. It is never "
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
