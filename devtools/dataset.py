"""A large synthetic dataset for benchmarks: the records through the front door, the ledger history in bulk.

The homes, people, tenancies and charges are written as the onboarding CSV files (docs/onboarding.md) and loaded by
the onboarding import (`lifecycle.onboarding.services.onboarding_load`, its set-based first-load path), exactly as a
landlord's own files would be: the same rows, history rows and load events. Then the ledger history is generated
inside PostgreSQL (INSERT … SELECT), since tens of millions of rows are not worth shipping from Python. The rows follow
the product's own rules: rent debits carry the rent run's idempotency keys (`charge:<period start>:<charge id>`), so a
rent run for a week already generated posts nothing and a run for the next week posts one line per live charge;
balances are set from the ledger, so `reconcile_balances` reports zero.

The ledger table's secondary indexes and constraints are dropped while it loads and rebuilt afterwards (each index
sorted once, each foreign key checked by one join) rather than maintained row by row: several times faster.

Conventions the benchmarks rely on (devtools/management/commands/bench.py): the provider is DATASET_PROVIDER; every
generated tenancy's payment reference starts 'DS' (DS00000001…), each has a rent and an eligible service charge from
its start a year before the history; LONG_HISTORY_REFERENCE is one more tenancy with ten years of history.
"""

import csv
import random
import tempfile
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.db import connection, transaction

from incomeapp.money import ZERO
from lifecycle.onboarding.services import onboarding_load
from lifecycle.signup import tenancy_sign_up
from rentaccounts.charging import monday_of
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, transactions_post
from tenancies.constants import ChargeType, PaymentMethod, RentPeriod, TenureType
from tenancies.models import Scheme, Tenancy
from tenancies.services_homes import property_create
from tenancies.services_people import person_create
from tenancies.specs import ChargeSpec

DATASET_PROVIDER = "Benchmark Housing"
LONG_HISTORY_REFERENCE = "DSLONG10Y"
SCHEMES = 5
PATCHES = 10
FIRST_NAMES = ("Alex", "Sam", "Jordan", "Priya", "Tomasz", "Aisha", "Owen", "Grace")


class DatasetError(RuntimeError):
    """The generated files did not load (a bug here, or a rule the import gained): what the import said."""


def _table(model_path: str) -> str:
    from django.apps import apps

    return apps.get_model(model_path)._meta.db_table


# ---- the onboarding files ---------------------------------------------------------------------------------------


def dataset_files_write(
    *, folder: Path, tenancies: int, start: date, seed: int = 42, opening_balances_at: date | None = None
) -> dict[str, int]:
    """Writes the dataset's onboarding CSV files into `folder`: a provider, SCHEMES schemes, PATCHES patches, and per
    tenancy a home, a person (the lead tenant), the tenancy (weekly, from `start`) and its rent and eligible service
    charge. With `opening_balances_at`, an opening balance for each tenancy as at that day (about a third owing).
    Returns the rows written per file."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    counts: dict[str, int] = {}

    def write(name: str, header: list[str], rows) -> None:
        with (folder / f"{name}.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            written = 0
            for row in rows:
                writer.writerow(row)
                written += 1
        counts[name] = written

    numbers = range(1, tenancies + 1)
    day = start.isoformat()
    write(
        "providers",
        ["source_reference", "name", "landlord_type", "address"],
        [["DSPRV", DATASET_PROVIDER, "private_registered_provider", "Benchmark Housing | 1 Test Street | Testtown"]],
    )
    write(
        "schemes",
        ["source_reference", "code", "name", "scheme_type", "provider_reference"],
        ([f"DS{i}", f"DS{i}", f"Dataset scheme {i}", "general_needs", "DSPRV"] for i in range(SCHEMES)),
    )
    write("patches", ["source_reference", "name"], ([f"DSPATCH{i}", f"Dataset patch {i}"] for i in range(PATCHES)))
    write(
        "properties",
        ["source_reference", "uprn", "address_line_1", "town", "postcode", "scheme_reference", "patch_reference"],
        (
            [
                f"DSH{g:08d}",
                str(900_000_000_000 + g),
                f"{g} Dataset Street",
                "Testtown",
                f"TT{g % 90 + 1} {g % 9}AB",
                f"DS{g % SCHEMES}",
                f"DSPATCH{g % PATCHES}",
            ]
            for g in numbers
        ),
    )
    write(
        "people",
        ["source_reference", "first_name", "last_name", "date_of_birth", "email", "preferred_contact"],
        (
            [
                f"DSP{g:08d}",
                FIRST_NAMES[g % len(FIRST_NAMES)],
                f"Tenant{g}",
                date(rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
                f"ds{g:08d}@dataset.invalid",
                "letter",
            ]
            for g in numbers
        ),
    )
    write(
        "tenancies",
        [
            "source_reference",
            "payment_reference",
            "property_reference",
            "tenure_type",
            "start_date",
            "rent_period",
            "payment_method",
        ],
        (
            [
                f"DST{g:08d}",
                f"DS{g:08d}",
                f"DSH{g:08d}",
                TenureType.AST if g % 4 == 0 else TenureType.ASSURED,
                day,
                RentPeriod.WEEKLY,
                PaymentMethod.DIRECT_DEBIT,
            ]
            for g in numbers
        ),
    )
    write(
        "tenants",
        ["tenancy_reference", "person_reference", "is_lead"],
        ([f"DST{g:08d}", f"DSP{g:08d}", "yes"] for g in numbers),
    )
    write(
        "charges",
        ["tenancy_reference", "charge_type", "amount", "effective_from", "counts_as_rent"],
        (
            row
            for g in numbers
            for row in (
                [f"DST{g:08d}", ChargeType.RENT, f"{80 + g % 60}.50", day, "yes"],
                [f"DST{g:08d}", ChargeType.ELIGIBLE_SERVICE, f"{5 + g % 15}.25", day, "yes"],
            )
        ),
    )
    if opening_balances_at is not None:
        as_at = opening_balances_at.isoformat()
        write(
            "opening_balances",
            ["tenancy_reference", "balance", "as_at"],
            ([f"DST{g:08d}", f"{rng.randint(1, 60000) / 100:.2f}" if g % 3 == 0 else "0.00", as_at] for g in numbers),
        )
    return counts


# ---- the ledger history -----------------------------------------------------------------------------------------


@contextmanager
def _bulk_load(cursor, table: str):
    """Drops `table`'s foreign keys, unique constraints and secondary indexes, and puts them back on exit."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # checks rows written so far; ALTER TABLE refuses pending checks
    cursor.execute(
        """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
           WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY contype""",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index AS i
           WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
             AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid)""",
        [table],
    )
    indexes = cursor.fetchall()
    for name, _ in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {name}")
    yield
    cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
    for _, definition in indexes:
        cursor.execute(definition)
    for name, definition in reversed(constraints):  # unique constraints before the foreign keys that may need them
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def _history_insert(cursor, t: dict[str, str], first: date, last: date) -> dict[str, int]:
    """Weekly debits for every charge and payments for every account, from the first Monday to the last, appended a
    week at a time as a real ledger grows (so the table's physical order follows the dates, as it does in use)."""
    counts = {"debits": 0, "payments": 0}
    monday = first
    while monday <= last:
        week = _week_insert(cursor, t, monday)
        counts = {name: counts[name] + week[name] for name in counts}
        monday += timedelta(days=7)
    return counts


def _week_insert(cursor, t: dict[str, str], monday: date) -> dict[str, int]:
    cursor.execute(
        f"""INSERT INTO {t["txn"]} (account_id, transaction_type, payment_method, amount, effective_date, posted_at,
                idempotency_key, description, external_reference, period_start, period_end)
            SELECT a.id, CASE WHEN c.charge_type = 'rent' THEN 'rent_debit' ELSE 'charge_debit' END, '', c.amount,
                w.monday::date, now(), 'charge:' || to_char(w.monday, 'YYYY-MM-DD') || ':' || c.id,
                CASE WHEN c.charge_type = 'rent' THEN 'Rent' ELSE 'Service charge (eligible for benefit)' END, '',
                w.monday::date, (w.monday + interval '6 days')::date
            FROM {t["charge"]} AS c
            JOIN {t["account"]} AS a ON a.tenancy_id = c.tenancy_id AND a.kind = 'rent'
            CROSS JOIN (SELECT %(monday)s::date AS monday) AS w
            WHERE c.tenancy_id IN (SELECT id FROM {t["tenancy"]} WHERE payment_reference LIKE 'DS%%')
              AND c.effective_from <= w.monday""",  # noqa: S608
        {"monday": monday},
    )
    debits = cursor.rowcount
    # Most pay the week's charges; one in ten pays 80%, one in twenty misses one week in four.
    cursor.execute(
        f"""INSERT INTO {t["txn"]} (account_id, transaction_type, payment_method, amount, effective_date, posted_at,
                idempotency_key, description, external_reference)
            SELECT a.id, 'payment', 'direct_debit',
                -round(due.total * CASE WHEN a.id %% 10 = 3 THEN 0.8 ELSE 1 END, 2),
                w.monday::date + 1, now(), 'dataset:' || a.id || ':' || to_char(w.monday, 'YYYY-MM-DD'), '', ''
            FROM {t["account"]} AS a
            JOIN (SELECT tenancy_id, SUM(amount) AS total FROM {t["charge"]} GROUP BY tenancy_id) AS due
                ON due.tenancy_id = a.tenancy_id
            CROSS JOIN (SELECT %(monday)s::date AS monday) AS w
            WHERE a.tenancy_id IN (SELECT id FROM {t["tenancy"]} WHERE payment_reference LIKE 'DS%%')
              AND NOT (a.id %% 20 = 7 AND extract(week FROM w.monday)::int %% 4 = 0)""",  # noqa: S608
        {"monday": monday},
    )
    payments = cursor.rowcount
    return {"debits": debits, "payments": payments}


def dataset_generate(
    *,
    tenancies: int,
    years: int,
    seed: int,
    today: date,
    files_dir: Path | None = None,
    opening_balances: bool = False,
) -> dict:
    """`tenancies` weekly tenancies loaded through the onboarding import (their files written to `files_dir`, kept,
    or to a temporary folder), then `years` of weekly debits and payments. With `opening_balances`, each tenancy also
    has an opening balance as at the day before the history starts (its charges then run from the history's first
    week). Returns the counts, and the seconds the load and the history took."""
    import time

    if connection.vendor != "postgresql":
        raise RuntimeError("generate_dataset needs PostgreSQL: set DATABASE_URL to a PostgreSQL database.")
    last_monday = monday_of(today) - timedelta(days=7)
    first_monday = last_monday - timedelta(weeks=52 * years - 1)
    start = first_monday - timedelta(days=365)
    counts: dict = {}
    with tempfile.TemporaryDirectory(prefix="rentwise-dataset-") as scratch:
        folder = Path(files_dir) if files_dir is not None else Path(scratch)
        started = time.perf_counter()
        written = dataset_files_write(
            folder=folder,
            tenancies=tenancies,
            start=start,
            seed=seed,
            opening_balances_at=first_monday - timedelta(days=1) if opening_balances else None,
        )
        counts["files_seconds"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        report = onboarding_load(by=None, path=folder, bulk=True, re_review=False)
        counts["load_seconds"] = round(time.perf_counter() - started, 1)
    if not report.ok:
        listed = "\n".join(f"  {error}" for error in report.errors.items[:20])
        raise DatasetError(f"The generated onboarding files did not load ({report.errors.count} errors):\n{listed}")
    counts["tenancies"] = report.counts["tenancies"]["created"]
    counts["people"] = report.counts["people"]["created"]
    counts["charges"] = written["charges"]
    counts["opening_balances"] = report.opening_balances_posted
    t = {
        name: _table(path)
        for name, path in {
            "tenancy": "tenancies.Tenancy",
            "charge": "tenancies.Charge",
            "account": "rentaccounts.Account",
            "txn": "rentaccounts.Transaction",
        }.items()
    }
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        with _bulk_load(cursor, t["txn"]):
            counts.update(_history_insert(cursor, t, first_monday, last_monday))
        cursor.execute(
            f"""UPDATE {t["account"]} AS a SET balance = s.total
                FROM (SELECT account_id, SUM(amount) AS total FROM {t["txn"]} GROUP BY account_id) AS s
                WHERE a.id = s.account_id"""  # noqa: S608
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    counts["history_seconds"] = round(time.perf_counter() - started, 1)
    return counts


def long_history_tenancy_ensure(*, today: date) -> str:
    """One more tenancy, with ten years of weekly history, for the account-page benchmark. Signed up through the front
    door in a home of its own, as a tenancy moved from another system with its history: its opening balance (nothing
    owed) is as at today, so its charges run from its next rent week and the history before is its old system's."""
    if Tenancy.objects.filter(payment_reference=LONG_HISTORY_REFERENCE).exists():
        return LONG_HISTORY_REFERENCE
    scheme = Scheme.objects.filter(provider__name=DATASET_PROVIDER).order_by("code").first()
    start = monday_of(today) - timedelta(weeks=520)
    with transaction.atomic():
        home = property_create(
            by=None,
            address_line_1="1 Long History Row",
            town="Testtown",
            postcode="TT1 1LH",
            scheme=scheme,
            source_reference=f"{LONG_HISTORY_REFERENCE}-HOME",
        )
        person = person_create(
            by=None, first_name="Lena", last_name="Longstay", source_reference=f"{LONG_HISTORY_REFERENCE}-PERSON"
        )
        signed = tenancy_sign_up(
            by=None,
            property=home,
            tenure_type=TenureType.ASSURED,
            start_date=start,
            tenants=[person],
            rent_period=RentPeriod.WEEKLY,
            charges=[ChargeSpec(ChargeType.RENT, Decimal("95.00"))],
            payment_method=PaymentMethod.BANK_TRANSFER,
            payment_reference=LONG_HISTORY_REFERENCE,
            opening_balance=ZERO,
            opening_balance_date=today,
            send_letters=False,
            source_reference=LONG_HISTORY_REFERENCE,
        )
        account = signed.tenancy.accounts.get()
        lines = []
        for week in range(520):
            monday = start + timedelta(weeks=week)
            lines.append(Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("95.00"), monday, f"long:{week}:rent"))
            lines.append(
                Posting(
                    account.pk,
                    TransactionType.PAYMENT,
                    Decimal("-95.00"),
                    monday + timedelta(days=2),
                    f"long:{week}:pay",
                )
            )
        transactions_post(postings=lines)
    return LONG_HISTORY_REFERENCE
