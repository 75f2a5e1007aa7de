"""Planning charges: a home's or an existing tenancy's charges in the files compared with what Rentwise charges, and
the homes' charges (see plan.py)."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db import connection

from incomeapp.money import PENNY, ZERO
from tenancies.models import PropertyCharge
from tenancies.specs import ChargeSpec

from .formats import (
    COUNTS_AS_RENT_BY_DEFAULT,
    PROPERTIES,
    PROPERTY_CHARGES,
)
from .plan_core import ChargeSet


def _charged(now: list[tuple], charge_type: str, day: date) -> tuple | None:
    """What Rentwise charges of a type on a day: (amount, counts as rent), or None."""
    for kind_now, amount, counts, start, end in now:
        if kind_now == charge_type and start <= day and (end is None or end >= day) and amount != ZERO:
            return amount, counts
    return None


def charge_specs(rows: list[dict]) -> list[ChargeSpec]:
    """The file's charges of one owner as the services take them (a charge of 0.00 is no charge)."""
    specs = []
    for row in rows:
        counts = row["counts_as_rent"]
        if counts is None:
            counts = row["charge_type"] in COUNTS_AS_RENT_BY_DEFAULT
        row["_counts_as_rent"] = counts
        if row["amount"] != ZERO:
            specs.append(ChargeSpec(row["charge_type"], row["amount"], counts))
    return specs


class ChargesPlanning:
    # -- charges -------------------------------------------------------------------------------------------------

    def _charges_compare(self, kind: str, owner: str, rows: list[dict], now: list[tuple]) -> ChargeSet | None:
        """One owner's charges in the file against Rentwise's (`now`: type, amount, counts as rent, from, to).

        A row of the file is unchanged when Rentwise charges the same from its date (whatever Rentwise has set for
        later: an annual rent change made in Rentwise is not undone by a file that does not know it yet). A charge
        in Rentwise that the file leaves out is an error: the file must say from when it stops (0.00 and a date).
        Returns the new set from the latest date that differs, or None when nothing differs."""
        # Rentwise's charges begin on the day its schedule starts (for a migrated tenancy, the first rent period
        # after its opening balance: the balance covers the time before), so a file's earlier date is read as that.
        begins = min([start for _, _, _, start, _ in now]) if now else None
        differing, in_file, latest = [], set(), self.today
        for row in rows:
            charge_type, day, amount = row["charge_type"], row["effective_from"], row["amount"]
            counts = row["counts_as_rent"]
            if counts is None:
                counts = charge_type in COUNTS_AS_RENT_BY_DEFAULT
            row["_counts_as_rent"] = counts
            in_file.add(charge_type)
            if day > latest:
                latest = day
            if begins is not None and day < begins:
                day = begins
            row["_day"] = day
            if _charged(now, charge_type, day) != ((amount, counts) if amount != ZERO else None):
                differing.append(row)
        left_out = [t for t, _, _, _, _ in now if t not in in_file and _charged(now, t, latest)]
        if not differing:
            if left_out:
                self.error(
                    kind,
                    rows[0],
                    "charge_type",
                    f"Rentwise has a {left_out[0].replace('_', ' ')} charge for '{owner}' that is not in the file. "
                    f"To stop it, send it with amount 0.00 and the date it stops from (effective_from).",
                )
            return None
        date_from = max(row["_day"] for row in differing)
        before = [
            ChargeSpec(t, amount, counts)
            for t, amount, counts, start, end in now
            if start <= date_from and (end is None or end >= date_from) and amount != ZERO
        ]
        line = min(row["_line"] for row in differing)
        return ChargeSet(owner, line, None, date_from, charge_specs(rows), before)

    def _charges_now(self, model, owner_field: str, owners: str) -> dict[int, list[tuple]]:
        """Every charge row of the owners chosen by the SQL condition `owners` (on the owner's table)."""
        table, owner_table = model._meta.db_table, model._meta.get_field(owner_field.removesuffix("_id"))
        owner_table = owner_table.related_model._meta.db_table
        found: dict[int, list[tuple]] = defaultdict(list)
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT c.{owner_field}, c.charge_type, c.amount, c.counts_as_rent, c.effective_from,
                        c.effective_to
                    FROM {table} AS c JOIN {owner_table} AS o ON o.id = c.{owner_field}
                    WHERE {owners}"""  # noqa: S608 (model names and a fixed condition)
            )
            for owner_id, charge_type, amount, counts, start, end in cursor.fetchall():
                if not isinstance(amount, Decimal):  # SQLite hands decimals back as floats
                    amount = Decimal(str(amount)).quantize(PENNY)
                found[owner_id].append((charge_type, amount, bool(counts), start, end))
        return found

    def _property_charges(self) -> None:
        rows = self.rows(PROPERTY_CHARGES)
        if not rows:
            return
        ids = self.plan.ids[PROPERTIES]
        new_homes = {item.key for item in self.plan.creates[PROPERTIES]}
        file_homes = {row["source_reference"] for row in self.rows(PROPERTIES)}
        by_home: dict[str, list[dict]] = defaultdict(list)
        for row in rows:
            reference = row["property_reference"]
            if reference is None or not self.ok(row, "charge_type", "amount", "effective_from"):
                continue
            if reference not in ids and reference not in new_homes:
                if reference not in file_homes:
                    self.error(
                        PROPERTY_CHARGES,
                        row,
                        "property_reference",
                        f"There is no home with the reference '{reference}' in properties.csv or in Rentwise.",
                    )
                continue
            by_home[reference].append(row)
        now = (
            self._charges_now(PropertyCharge, "property_id", "o.source_reference <> ''")
            if any(reference in ids for reference in by_home)
            else {}
        )
        counts = self.plan.counts[PROPERTY_CHARGES]
        for home, home_rows in by_home.items():
            home_id = ids.get(home)
            if home_id is None:
                specs = charge_specs(home_rows)
                date_from = max(row["effective_from"] for row in home_rows)
                line = min(row["_line"] for row in home_rows)
                self.plan.property_charges.append(ChargeSet(home, line, None, date_from, specs))
                counts["created"] += len(home_rows)
                continue
            charge_set = self._charges_compare(PROPERTY_CHARGES, home, home_rows, now.get(home_id, []))
            if charge_set is None:
                counts["unchanged"] += len(home_rows)
                continue
            charge_set.id = home_id
            counts["updated"] += len(home_rows)
            self.plan.property_charges.append(charge_set)
