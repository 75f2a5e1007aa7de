"""Set-based writing for a first load of many new rows: the same rows (and history rows) the services would write.

On PostgreSQL each table's new rows go into a temporary staging table by COPY; one statement then inserts them into
the table, writes their django-simple-history rows ('+', the same user, date and reason the services give) and hands
back the columns asked for (the new ids with the keys to match them by). Elsewhere (the SQLite demo) the same rows go
through `bulk_create` and simple-history's bulk history writer.

A very large first load (`foreign_keys_checked_once`) drops the foreign keys between the tables it fills for the
length of the load and adds them back at the end, so each is checked by one join instead of one query per row when
the transaction commits (about 4 million checks for 250,000 tenancies). Adding a key back checks every row, so nothing
unchecked is ever committed; the tables are locked for the load meanwhile (a go-live load runs before staff use them).
It also builds the secondary indexes of the tables that hold fewer rows than it is adding once, at the end
(`indexes_built_once`), rather than row by row: the history tables alone have a dozen indexes each.
"""

import json
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models

POSTGRES = "postgresql"


def _field_by_column(model, column: str):
    return next(f for f in model._meta.concrete_fields if f.column == column)


def _history_columns(model) -> list[str]:
    history = model.history.model
    return [f.column for f in history._meta.concrete_fields if not f.name.startswith("history_")]


def rows_insert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[tuple],
    *,
    now: datetime,
    history: bool = True,
    history_user_id: int | None = None,
    history_reason: str | None = None,
    returning: Sequence[str] = (),
) -> list[tuple]:
    """Inserts `rows` (tuples in `columns` order) and, when the model keeps history, a '+' history row for each.
    Returns the `returning` columns of every row written (in no particular order)."""
    if connection.vendor != POSTGRES:
        return _rows_insert_orm(model, columns, rows, now, history, history_user_id, history_reason, returning)
    table = model._meta.db_table
    column_list = ", ".join(columns)
    json_columns = [
        index for index, column in enumerate(columns) if isinstance(_field_by_column(model, column), models.JSONField)
    ]
    count = 0
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS onboarding_stage")
        cursor.execute(
            f"CREATE TEMP TABLE onboarding_stage ON COMMIT DROP AS SELECT {column_list} FROM {table} WITH NO DATA"  # noqa: S608
        )
        with cursor.copy(f"COPY onboarding_stage ({column_list}) FROM STDIN") as copy:
            for row in rows:
                if json_columns:
                    row = list(row)
                    for index in json_columns:
                        row[index] = json.dumps(row[index], cls=DjangoJSONEncoder)
                copy.write_row(row)
                count += 1
        found: list[tuple] = []
        if count:
            wanted = ", ".join(returning) if returning else "1"
            insert = f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM onboarding_stage"  # noqa: S608
            if history and hasattr(model, "history"):
                kept = ", ".join(_history_columns(model))
                cursor.execute(
                    f"""WITH written AS ({insert} RETURNING *),
                        history AS (
                            INSERT INTO {model.history.model._meta.db_table}
                                ({kept}, history_date, history_change_reason, history_type, history_user_id)
                            SELECT {kept}, %s, %s, '+', %s FROM written
                        )
                        SELECT {wanted} FROM written""",  # noqa: S608
                    [now, history_reason, history_user_id],
                )
            else:
                cursor.execute(f"{insert} RETURNING {wanted}")
            if returning:
                found = cursor.fetchall()
        cursor.execute("DROP TABLE onboarding_stage")
    return found


def _rows_insert_orm(model, columns, rows, now, history, history_user_id, history_reason, returning) -> list[tuple]:
    attnames = {f.column: f.attname for f in model._meta.concrete_fields}
    names = [attnames[column] for column in columns]
    objects = [model(**dict(zip(names, row, strict=True))) for row in rows]
    if not objects:
        return []
    for field in model._meta.concrete_fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            # bulk_create would stamp its own time over the one given: the services' own time is `now` anyway.
            for obj in objects:
                if getattr(obj, field.attname) is None:
                    setattr(obj, field.attname, now)
    model.objects.bulk_create(objects, batch_size=500)
    if history and hasattr(model, "history"):
        user = None
        if history_user_id is not None:
            from django.contrib.auth import get_user_model

            user = get_user_model().objects.get(pk=history_user_id)
        model.history.bulk_history_create(
            objects, batch_size=500, default_user=user, default_change_reason=history_reason, default_date=now
        )
    wanted = [attnames[column] for column in returning]
    return [tuple(getattr(obj, name) for name in wanted) for obj in objects]


@contextmanager
def foreign_keys_checked_once(tables: Sequence[str], referenced: Sequence[str]):
    """Drops the foreign keys from `tables` to `referenced` tables, and adds them back (each checked by one join) on
    the way out. PostgreSQL only; the caller's transaction holds it all, so an error puts everything back."""
    if connection.vendor != POSTGRES:
        yield
        return
    with connection.cursor() as cursor:
        # Rows written so far are checked now: ALTER TABLE refuses a table with checks still pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
               WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) AND confrelid::regclass::text = ANY(%s)
               ORDER BY conrelid::regclass::text, conname""",
            [list(tables), list(referenced)],
        )
        constraints = cursor.fetchall()
        for table, name, _ in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    yield
    with connection.cursor() as cursor:
        for table, name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def indexes_built_once(tables: Sequence[str], adding: int):
    """Drops the secondary indexes (not the primary keys, nor those of unique constraints) of each of `tables` that
    holds fewer rows than `adding`, and builds them again, each in one sort, on the way out. PostgreSQL only."""
    if connection.vendor != POSTGRES:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname, c.reltuples FROM pg_class AS c WHERE c.relname = ANY(%s) AND c.relkind = 'r'""",
            [list(tables)],
        )
        small = []
        for table, estimate in cursor.fetchall():
            if estimate < 0:  # never analysed: count it
                cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (a model's table)
                estimate = cursor.fetchone()[0]
            if estimate < adding:
                small.append(table)
        cursor.execute(
            """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index AS i
               WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid)""",
            [small],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cursor.execute(definition)
