"""The onboarding benchmark (issue 14), used by `manage.py bench --only onboarding`: a generated set of onboarding files
for N tenancies (docs/onboarding.md) is written to a temporary folder and loaded with `import_tenancies`' engine, then
synced with 1% of rows changed; the same rows the first load wrote are then copied into the same tables with plain
COPY, in the same run, for comparison. Everything is done inside one transaction that is rolled back at the end, so
the benchmark database is left as it was (and can be run again).

The generated landlord: 92% as many homes as tenancies (a few void), 90% of the tenancies current and 10% former
(ended before the current tenancy of the same home began), one named tenant each and a second on one in five, a rent
and a service charge on every tenancy and home, an opening balance for every tenancy, and a direct debit on a third.
"""

import csv
import io
import random
import shutil
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.db import connection, transaction

from incomeapp.money import to_money
from lifecycle.onboarding.services import onboarding_load
from rentaccounts.models import Account, DirectDebitMandate, Transaction
from tenancies.models import (
    Charge,
    Patch,
    Person,
    Property,
    PropertyCharge,
    Provider,
    RentFreeWeek,
    Scheme,
    Tenancy,
    TenancyEvent,
    TenancyTenant,
)

FIRST_NAMES = ("Alex", "Sam", "Jordan", "Priya", "Tomasz", "Aisha", "Owen", "Grace", "Mohammed", "Chloe", "Ewa", "Liam")
LAST_NAMES = ("Smith", "Jones", "Patel", "Khan", "Williams", "Brown", "Taylor", "Nowak", "Evans", "Wilson", "Okafor")
STREETS = ("High Street", "Station Road", "Church Lane", "Mill Road", "Park Avenue", "Victoria Street", "Queens Road")
AS_AT = date(2026, 11, 29)
SET_UP_TABLES = (Provider, Scheme, Patch, RentFreeWeek)
WRITTEN_TABLES = (
    Property,
    PropertyCharge,
    Person,
    Tenancy,
    TenancyTenant,
    Charge,
    Account,
    DirectDebitMandate,
    TenancyEvent,
    Transaction,
)
DELETE_ORDER = (
    Transaction,
    TenancyEvent,
    DirectDebitMandate,
    Account,
    Charge,
    TenancyTenant,
    Tenancy,
    Person,
    PropertyCharge,
    Property,
    RentFreeWeek,
    Patch,
    Scheme,
    Provider,
)


def _writer(folder: Path, name: str, header: list[str]):
    handle = (folder / f"{name}.csv").open("w", newline="")
    writer = csv.writer(handle)
    writer.writerow(header)
    return handle, writer


def files_write(folder: Path, tenancies: int, seed: int = 14) -> dict[str, int]:
    """Writes the onboarding files for `tenancies` tenancies; returns rows per file."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    (folder / "providers.csv").write_text(
        "source_reference,name,landlord_type,address,phone,email\n"
        "BP1,Bench Onboarding Housing,private_registered_provider,1 Bench Street | Testtown | TT1 1AA,,\n"
    )
    schemes = [f"BS{i}" for i in range(10)]
    (folder / "schemes.csv").write_text(
        "source_reference,code,name,scheme_type,provider_reference\n"
        + "".join(f"{s},ONB-{s},Onboarding scheme {s},general_needs,BP1\n" for s in schemes)
    )
    (folder / "rent_free_weeks.csv").write_text(
        "scheme_reference,week_commencing\n" + "".join(f"{s},2026-12-21\n{s},2026-12-28\n" for s in schemes[:2])
    )
    patches = [f"BP{i:02d}" for i in range(50)]
    (folder / "patches.csv").write_text(
        "source_reference,name\n" + "".join(f"{p},Onboarding patch {p}\n" for p in patches)
    )
    former = tenancies // 10
    current = tenancies - former
    homes = current + tenancies // 50

    handle, rows = _writer(
        folder,
        "properties",
        [
            "source_reference",
            "uprn",
            "address_line_1",
            "town",
            "postcode",
            "scheme_reference",
            "patch_reference",
            "bedrooms",
        ],
    )
    charges_handle, charge_rows = _writer(
        folder, "property_charges", ["property_reference", "charge_type", "amount", "effective_from"]
    )
    for h in range(homes):
        rows.writerow(
            [
                f"H{h:07d}",
                f"{900000000000 + h}",
                f"{h % 400 + 1} {STREETS[h % len(STREETS)]}",
                "Testtown",
                f"TT{h % 90 + 1} {h % 9}AB",
                schemes[h % 10],
                patches[h % 50],
                h % 4 + 1,
            ]
        )
        charge_rows.writerow([f"H{h:07d}", "rent", f"{80 + h % 60}.50", "2026-04-06"])
        charge_rows.writerow([f"H{h:07d}", "eligible_service", f"{5 + h % 15}.25", "2026-04-06"])
    handle.close()
    charges_handle.close()
    counts["properties"], counts["property_charges"] = homes, homes * 2

    people_handle, people = _writer(
        folder,
        "people",
        [
            "source_reference",
            "title",
            "first_name",
            "last_name",
            "date_of_birth",
            "email",
            "phone",
            "preferred_contact",
        ],
    )
    tenancy_handle, tenancy_rows = _writer(
        folder,
        "tenancies",
        [
            "source_reference",
            "payment_reference",
            "property_reference",
            "tenure_type",
            "start_date",
            "end_date",
            "end_reason",
            "rent_period",
            "payment_method",
        ],
    )
    tenants_handle, tenant_rows = _writer(folder, "tenants", ["tenancy_reference", "person_reference", "is_lead"])
    tcharges_handle, tcharge_rows = _writer(
        folder, "charges", ["tenancy_reference", "charge_type", "amount", "effective_from"]
    )
    balances_handle, balance_rows = _writer(folder, "opening_balances", ["tenancy_reference", "balance", "as_at"])
    dd_handle, dd_rows = _writer(
        folder,
        "direct_debits",
        ["mandate_reference", "tenancy_reference", "collection_day", "amount", "start_date", "cancelled_on"],
    )
    person = 0
    counts.update({"people": 0, "tenants": 0, "direct_debits": 0})
    for t in range(tenancies):
        is_former = t >= current
        home = t - current if is_former else t
        reference = f"T{t:07d}"
        if is_former:
            start, end = date(2012, 4, 2) + timedelta(days=7 * (t % 300)), date(2019, 3, 31)
        else:
            start, end = date(2019, 4, 1) + timedelta(days=7 * (t % 380)), None
        method = "direct_debit" if t % 3 == 0 and not is_former else "bank_transfer"
        tenancy_rows.writerow(
            [
                reference,
                f"ON{t:08d}",
                f"H{home:07d}",
                "AST" if t % 4 == 0 else "ASSURED",
                start.isoformat(),
                end.isoformat() if end else "",
                "tenants_notice" if end else "",
                "weekly",
                method,
            ]
        )
        named = 2 if t % 5 == 0 else 1
        for index in range(named):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            born = date(1950, 1, 1) + timedelta(days=rng.randrange(18000))
            people.writerow(
                [
                    f"P{person:07d}",
                    "",
                    first,
                    last,
                    born.isoformat(),
                    f"p{person}@bench.invalid" if person % 3 == 0 else "",
                    f"07700 {900000 + person % 100000:06d}"[:12] if person % 2 == 0 else "",
                    "letter",
                ]
            )
            tenant_rows.writerow([reference, f"P{person:07d}", "yes" if index == 0 else "no"])
            person += 1
        tcharge_rows.writerow([reference, "rent", f"{80 + home % 60}.50", "2026-04-06"])
        tcharge_rows.writerow([reference, "eligible_service", f"{5 + home % 15}.25", "2026-04-06"])
        balance = rng.choice(("0.00", f"{rng.randrange(1, 300000) / 100:.2f}", f"-{rng.randrange(1, 20000) / 100:.2f}"))
        balance_rows.writerow([reference, balance, AS_AT.isoformat()])
        if method == "direct_debit":
            dd_rows.writerow([f"ONDD{t:08d}", reference, t % 28 + 1, "", "2020-01-01", ""])
            counts["direct_debits"] += 1
        elif t % 20 == 1:
            dd_rows.writerow([f"ONDD{t:08d}", reference, t % 28 + 1, "", "2015-01-01", "2018-12-31"])
            counts["direct_debits"] += 1
    counts["people"] = counts["tenants"] = person
    counts["tenancies"] = counts["opening_balances"] = tenancies
    counts["charges"] = tenancies * 2
    for h in (people_handle, tenancy_handle, tenants_handle, tcharges_handle, balances_handle, dd_handle):
        h.close()
    return counts


def _rewrite(folder: Path, name: str, change) -> int:
    """Rewrites one file, passing each data row (a list) to `change`, which edits it in place and says if it did."""
    path = folder / f"{name}.csv"
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    changed = sum(1 for row in rows[1:] if change(row))
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return changed


def files_change(folder: Path, tenancies: int, share: float = 0.01, added: int = 50) -> dict[str, int]:
    """A night's changes: `share` of the rows of people, homes, tenancies and tenancies' charges changed (phones,
    bedrooms, ends of tenancy and tenure changes, rent changes from next Monday), and `added` new tenancies with their
    homes and people."""
    every = round(1 / share)
    current = tenancies - tenancies // 10
    today = date.today()
    changes = {}

    def phone(row):
        number = int(row[0][1:])
        if number % every != 3:
            return False
        row[6] = f"07700 {800000 + number % 100000:06d}"
        return True

    def bedrooms(row):
        if int(row[0][1:]) % every != 5:
            return False
        row[7] = "5"
        return True

    changes["people"] = _rewrite(folder, "people", phone)
    changes["properties"] = _rewrite(folder, "properties", bedrooms)
    ended_on = (today - timedelta(days=1)).isoformat()

    def tenancy(row):
        t = int(row[0][1:])
        # One in a hundred tenancies changes: half of them end, half change tenure.
        if t >= current or t % every != 7:
            return False
        if t % (2 * every) == 7:
            row[5], row[6] = ended_on, "tenants_notice"
            if row[8] == "direct_debit":
                row[8] = "bank_transfer"
        else:
            row[3] = "ASSURED" if row[3] == "AST" else "AST"
        return True

    changes["tenancies"] = _rewrite(folder, "tenancies", tenancy)
    next_monday = today + timedelta(days=7 - today.weekday())

    def charge(row):
        t = int(row[0][1:])
        if t >= current or t % every != 9 or row[1] != "rent":
            return False
        row[2], row[3] = str(to_money(row[2]) + Decimal("3.00")), next_monday.isoformat()
        return True

    changes["charges"] = _rewrite(folder, "charges", charge)
    cancelled = set()

    def mandate(row):
        t = int(row[1][1:])
        if t % (2 * every) == 7 and not row[5] and t < current:
            row[5] = ended_on
            cancelled.add(t)
            return True
        return False

    changes["direct_debits"] = _rewrite(folder, "direct_debits", mandate)
    with (
        (folder / "properties.csv").open("a", newline="") as homes,
        (folder / "people.csv").open("a", newline="") as people,
        (folder / "tenancies.csv").open("a", newline="") as tenancy_file,
        (folder / "tenants.csv").open("a", newline="") as tenants,
        (folder / "charges.csv").open("a", newline="") as charges,
    ):
        for i in range(added):
            home, person, reference = f"HN{i:06d}", f"PN{i:06d}", f"TN{i:06d}"
            csv.writer(homes).writerow([home, "", f"{i} New Road", "Testtown", "TT1 1AB", "BS1", "BP01", 2])
            csv.writer(people).writerow([person, "", "New", f"Tenant{i}", "1990-01-01", "", "", "letter"])
            csv.writer(tenancy_file).writerow(
                [
                    reference,
                    f"ONN{i:07d}",
                    home,
                    "AST",
                    (today - timedelta(days=3)).isoformat(),
                    "",
                    "",
                    "weekly",
                    "bank_transfer",
                ]
            )
            csv.writer(tenants).writerow([reference, person, "yes"])
            csv.writer(charges).writerow([reference, "rent", "99.50", (today - timedelta(days=3)).isoformat()])
    changes["new tenancies"] = added
    return changes


def _tables(model) -> list[str]:
    tables = [model._meta.db_table]
    if hasattr(model, "history"):
        tables.append(model.history.model._meta.db_table)
    return tables


def _pk(table: str) -> str:
    return "history_id" if "_historical" in table else "id"


def _high_water() -> dict[str, int]:
    """The highest id in each table a load writes to, before it: what is above it afterwards is the load's."""
    found = {}
    with connection.cursor() as cursor:
        for model in (*WRITTEN_TABLES, *SET_UP_TABLES):
            for table in _tables(model):
                cursor.execute(f"SELECT COALESCE(MAX({_pk(table)}), 0) FROM {table}")  # noqa: S608
                found[table] = cursor.fetchone()[0]
    return found


def _copy_out(high_water: dict[str, int]) -> dict[str, tuple[bytes, int]]:
    """Every row the first load wrote to the tables of homes, people, tenancies and money, as COPY text (untimed)."""
    buffers = {}
    with connection.cursor() as cursor:
        for model in WRITTEN_TABLES:
            for table in _tables(model):
                where = f"{_pk(table)} > {high_water[table]}"
                data = io.BytesIO()
                with cursor.copy(f"COPY (SELECT * FROM {table} WHERE {where}) TO STDOUT") as copy:  # noqa: S608
                    for block in copy:
                        data.write(block)
                cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}")  # noqa: S608
                buffers[table] = (data.getvalue(), cursor.fetchone()[0])
    return buffers


def _copy_in(buffers: dict[str, tuple[bytes, int]]) -> int:
    """The same rows into the same tables by plain COPY, in one transaction (its foreign keys checked at commit)."""
    rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for table, (data, count) in buffers.items():
            with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                copy.write(data)
            rows += count
    return rows


def _clean_up(high_water: dict[str, int], *, keep_set_up: bool = False) -> None:
    """Deletes every row written since `high_water` (children first), leaving the database as it was; with
    `keep_set_up`, the providers, schemes and patches stay (the rows copied back point at them)."""
    with transaction.atomic(), connection.cursor() as cursor:
        for model in DELETE_ORDER:
            if keep_set_up and model in SET_UP_TABLES:
                continue
            for table in _tables(model):
                where = f"{_pk(table)} > {high_water[table]}"
                if model is Property and table == model._meta.db_table:
                    cursor.execute(f"DELETE FROM {table} WHERE {where} AND parent_id IS NOT NULL")  # noqa: S608
                cursor.execute(f"DELETE FROM {table} WHERE {where}")  # noqa: S608


def run(tenancies: int) -> list[dict]:
    """First load, nightly sync, the same again, and plain COPY of the first load's rows; each committed as it would
    be (so the foreign keys are checked), and all deleted afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="rentwise-onboarding-"))
    high_water = _high_water()
    try:
        started = time.perf_counter()
        counts = files_write(folder, tenancies)
        written = time.perf_counter() - started
        file_rows = sum(counts.values())
        size = sum(path.stat().st_size for path in folder.iterdir())
        started = time.perf_counter()
        first = onboarding_load(by=None, path=folder, re_review=False)
        first_seconds = time.perf_counter() - started
        if first.errors:
            raise RuntimeError(f"The generated files were refused: {[str(e) for e in first.errors.items[:5]]}")
        buffers = _copy_out(high_water)
        db_rows = sum(count for _, count in buffers.values())
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum does after a big load commits
        changes = files_change(folder, tenancies)
        started = time.perf_counter()
        sync = onboarding_load(by=None, path=folder, re_review=False)
        sync_seconds = time.perf_counter() - started
        if sync.errors:
            raise RuntimeError(f"The changed files were refused: {[str(e) for e in sync.errors.items[:5]]}")
        started = time.perf_counter()
        again = onboarding_load(by=None, path=folder, re_review=False)
        again_seconds = time.perf_counter() - started
        _clean_up(high_water, keep_set_up=True)
        started = time.perf_counter()
        copied = _copy_in(buffers)
        copy_seconds = time.perf_counter() - started
    finally:
        _clean_up(high_water)
        shutil.rmtree(folder, ignore_errors=True)
    changed = sum(v for k, v in changes.items() if k != "new tenancies")
    stages = {name: seconds for name, seconds in first.stage_seconds.items() if seconds >= 0.1}
    return [
        {
            "name": f"onboarding: first load of {tenancies:,} tenancies",
            "median": f"{first_seconds:.1f} s",
            "best": "",
            "worst": "",
            "throughput": f"{file_rows:,} file rows, {db_rows:,} table rows; {db_rows / first_seconds:,.0f} rows/s",
            "target": "<= 60 s (floor 5 min)",
            "detail": {
                "stages": stages,
                "files_written_seconds": round(written, 1),
                "files_bytes": size,
                "bulk": first.bulk,
                "counts": first.counts,
            },
        },
        {
            "name": f"onboarding: nightly sync, {changed:,} rows changed, {changes['new tenancies']} new",
            "median": f"{sync_seconds:.1f} s",
            "best": "",
            "worst": "",
            "throughput": f"{file_rows:,} rows checked; "
            + ", ".join(f"{kind} {c['updated']}" for kind, c in sync.counts.items() if c["updated"]),
            "target": "<= 10 s",
            "detail": {"stages": sync.stage_seconds, "changes": changes, "warnings": sync.warnings.count},
        },
        {
            "name": "onboarding: the same files again (nothing changed)",
            "median": f"{again_seconds:.1f} s",
            "best": "",
            "worst": "",
            "throughput": f"{again.rows_read:,} rows checked",
            "target": "",
        },
        {
            "name": "onboarding: plain COPY of the first load's table rows",
            "median": f"{copy_seconds:.1f} s",
            "best": "",
            "worst": "",
            "throughput": f"{copied:,} rows; {copied / copy_seconds:,.0f} rows/s "
            f"(the load took {first_seconds / copy_seconds:.1f}× as long)",
            "target": "comparison",
        },
    ]
