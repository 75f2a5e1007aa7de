"""A large synthetic dataset for benchmarks, generated inside PostgreSQL (INSERT … SELECT over generate_series).

Generating server-side writes tens of millions of rows without shipping them from Python. The rows follow the
product's own rules: rent debits carry the rent run's idempotency keys (`charge:<period start>:<charge id>`), so a
rent run for a week already generated posts nothing and a run for the next week posts one line per live charge;
balances are set from the ledger, so `reconcile_balances` reports zero.

The ledger table's secondary indexes and constraints are dropped while it loads and rebuilt afterwards (each index
sorted once, each foreign key checked by one join) rather than maintained row by row: several times faster.
"""

from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction

from tenancies.constants import LandlordType, SchemeType
from tenancies.models import Patch, Provider, Scheme

from .charging import monday_of

DATASET_PROVIDER = "Benchmark Housing"
LONG_HISTORY_REFERENCE = "DSLONG10Y"


def _table(model_path: str) -> str:
    from django.apps import apps

    return apps.get_model(model_path)._meta.db_table


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
            WHERE c.tenancy_id IN (SELECT id FROM {t["tenancy"]} WHERE payment_reference LIKE 'DS%%')""",  # noqa: S608
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


def dataset_generate(*, tenancies: int, years: int, seed: int, today: date) -> dict:
    """Writes `tenancies` weekly tenancies with rent and service charges and `years` of debits and payments."""
    if connection.vendor != "postgresql":
        raise RuntimeError("generate_dataset needs PostgreSQL: set DATABASE_URL to a PostgreSQL database.")
    last_monday = monday_of(today) - timedelta(days=7)
    first_monday = last_monday - timedelta(weeks=52 * years - 1)
    t = {
        name: _table(path)
        for name, path in {
            "property": "tenancies.Property",
            "person": "tenancies.Person",
            "tenancy": "tenancies.Tenancy",
            "tenant": "tenancies.TenancyTenant",
            "charge": "tenancies.Charge",
            "account": "rentaccounts.Account",
            "txn": "rentaccounts.Transaction",
        }.items()
    }
    counts = {}
    with transaction.atomic(), connection.cursor() as cursor:
        provider = Provider.objects.create(
            name=DATASET_PROVIDER, landlord_type=LandlordType.PRIVATE_REGISTERED_PROVIDER, address="Benchmark Housing"
        )
        schemes = [
            Scheme.objects.create(
                code=f"DS{i}", name=f"Dataset scheme {i}", scheme_type=SchemeType.GENERAL_NEEDS, provider=provider
            ).pk
            for i in range(5)
        ]
        patches = [Patch.objects.create(name=f"Dataset patch {i}").pk for i in range(10)]
        cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
        params = {"n": tenancies, "schemes": schemes, "patches": patches, "start": first_monday - timedelta(days=365)}
        cursor.execute(
            f"""INSERT INTO {t["property"]} (created_at, updated_at, uprn, unit_label, address_line_1, address_line_2,
                    town, postcode, scheme_id, patch_id)
                SELECT now(), now(), 'DS' || lpad(g::text, 8, '0'), '', g || ' Dataset Street', '', 'Testtown',
                    'TT' || (g %% 90 + 1) || ' ' || (g %% 9) || 'AB',
                    (%(schemes)s::bigint[])[g %% 5 + 1], (%(patches)s::bigint[])[g %% 10 + 1]
                FROM generate_series(1, %(n)s) AS g""",  # noqa: S608
            params,
        )
        cursor.execute(
            f"""INSERT INTO {t["tenancy"]} (created_at, updated_at, payment_reference, property_id, tenure_type,
                    start_date, rent_period, status, payment_method)
                SELECT now(), now(), p.uprn, p.id, CASE WHEN p.id %% 4 = 0 THEN 'AST' ELSE 'ASSURED' END,
                    %(start)s, 'weekly', 'current', 'direct_debit'
                FROM {t["property"]} AS p WHERE p.uprn LIKE 'DS%%'""",  # noqa: S608
            params,
        )
        counts["tenancies"] = cursor.rowcount
        cursor.execute(
            f"""WITH people AS (
                    INSERT INTO {t["person"]} (created_at, updated_at, title, first_name, last_name, email, phone,
                        preferred_contact, preferred_language, communication_adjustments, support_worker,
                        vulnerability_notes, health_notes, correspondence_address)
                    SELECT now(), now(), '',
                        (ARRAY['Alex', 'Sam', 'Jordan', 'Priya', 'Tomasz', 'Aisha', 'Owen', 'Grace'])[g %% 8 + 1],
                        'Tenant' || g, 'ds' || lpad(g::text, 8, '0') || '@dataset.invalid', '', 'letter', 'English',
                        '', '', '', '', ''
                    FROM generate_series(1, %(n)s) AS g
                    RETURNING id, email)
                INSERT INTO {t["tenant"]} (tenancy_id, person_id, is_lead)
                SELECT t.id, people.id, true FROM people
                JOIN {t["tenancy"]} AS t ON t.payment_reference = upper(split_part(people.email, '@', 1))""",  # noqa: S608
            params,
        )
        cursor.execute(
            f"""INSERT INTO {t["charge"]} (created_at, updated_at, tenancy_id, charge_type, amount, counts_as_rent,
                    effective_from)
                SELECT now(), now(), t.id, c.kind, c.amount, true, t.start_date
                FROM {t["tenancy"]} AS t
                CROSS JOIN LATERAL (
                    VALUES ('rent', (80 + t.id %% 60 + 0.50)::numeric(12, 2)),
                           ('eligible_service', (5 + t.id %% 15 + 0.25)::numeric(12, 2))
                ) AS c(kind, amount)
                WHERE t.payment_reference LIKE 'DS%%'""",  # noqa: S608
            [],
        )
        counts["charges"] = cursor.rowcount
        cursor.execute(
            f"""INSERT INTO {t["account"]} (tenancy_id, kind, balance)
                SELECT id, 'rent', 0 FROM {t["tenancy"]} WHERE payment_reference LIKE 'DS%%'""",  # noqa: S608
            [],
        )
        with _bulk_load(cursor, t["txn"]):
            counts.update(_history_insert(cursor, t, first_monday, last_monday))
        cursor.execute(
            f"""UPDATE {t["account"]} AS a SET balance = s.total
                FROM (SELECT account_id, SUM(amount) AS total FROM {t["txn"]} GROUP BY account_id) AS s
                WHERE a.id = s.account_id"""  # noqa: S608
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return counts


def long_history_tenancy_ensure(*, today: date) -> str:
    """One tenancy with ten years of weekly history, for the account-page benchmark."""
    from tenancies.models import Tenancy

    from .constants import TransactionType
    from .services import Posting, account_get_or_create, transactions_post

    if Tenancy.objects.filter(payment_reference=LONG_HISTORY_REFERENCE).exists():
        return LONG_HISTORY_REFERENCE
    source = Tenancy.objects.filter(payment_reference__startswith="DS").select_related("property").first()
    start = monday_of(today) - timedelta(weeks=520)
    tenancy = Tenancy.objects.create(
        payment_reference=LONG_HISTORY_REFERENCE, property=source.property, tenure_type="ASSURED", start_date=start
    )
    account = account_get_or_create(tenancy=tenancy)
    lines = []
    for week in range(520):
        monday = start + timedelta(weeks=week)
        lines.append(Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("95.00"), monday, f"long:{week}:rent"))
        lines.append(
            Posting(
                account.pk, TransactionType.PAYMENT, Decimal("-95.00"), monday + timedelta(days=2), f"long:{week}:pay"
            )
        )
    transactions_post(postings=lines)
    return LONG_HISTORY_REFERENCE
