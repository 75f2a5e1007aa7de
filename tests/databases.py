"""The PostgreSQL test databases, copied from one migrated template instead of migrated one by one.

Migrating an empty database takes about 19 s of CPU here (one squashed migration for each app, docs/architecture.md
"Migrations"), and `make test` needs one test database for each pytest-xdist process. So the template is migrated
once, under an advisory lock (`make test` starts it with `python -m tests.databases` while the linters run;
otherwise the first process to need a test database makes it), and every test database is then a copy of it
(`CREATE DATABASE … TEMPLATE`, about a second). The template's name carries a fingerprint of the migrations and of
the project modules they import (the migrations install the law's tables from them), so a change to either makes a
new template and the old one is dropped. The template holds the roles' groups too (`setup_roles`), so a test that
signs someone in finds them. SQLite keeps pytest-django's own set-up."""

import hashlib
import re
from contextlib import contextmanager
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connections

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_LOCK = 7340099  # an advisory lock key no product lock uses (the product's are 7340001 and up)


def test_database_from_template(test_name: str | None) -> None:
    """Makes `test_name` afresh as a copy of the migrated template (made first if there is none for these
    migrations). Django then finds it there, and `migrate` has nothing to apply. With no name, only the template."""
    base = settings.DATABASES["default"]["NAME"]
    template = f"test_{base}_t{migrations_fingerprint()}"
    with server_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [TEMPLATE_LOCK])
        try:
            if not _exists(cursor, template):
                _template_make(cursor, base, template)
            if test_name:
                cursor.execute(f'DROP DATABASE IF EXISTS "{test_name}" WITH (FORCE)')  # a dead run's workers too
                cursor.execute(f'CREATE DATABASE "{test_name}" TEMPLATE "{template}"')
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [TEMPLATE_LOCK])


def _template_make(cursor, base: str, template: str) -> None:
    """Migrates a new database and only then gives it the template's name, so a half-made one is never copied;
    templates of earlier migrations are dropped."""
    building = f"test_{base}_building"
    cursor.execute(f'DROP DATABASE IF EXISTS "{building}"')
    cursor.execute(f'CREATE DATABASE "{building}"')
    connection = connections["default"]
    name = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = building
    try:
        call_command("migrate", verbosity=0, interactive=False)
        call_command("setup_roles", verbosity=0)  # as a deployment does after migrating (README)
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
    cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [f"test_{base}_t%"])
    for (earlier,) in cursor.fetchall():
        if re.fullmatch(rf"test_{re.escape(base)}_t[0-9a-f]{{12}}", earlier):
            cursor.execute(f'DROP DATABASE IF EXISTS "{earlier}"')
    cursor.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')


def migrations_fingerprint() -> str:
    """A hash of every migration, of every project module or package a migration imports, and of the roles."""
    sources = [*sorted(ROOT.glob("*/migrations/*.py")), ROOT / "incomeapp" / "roles.py"]
    imported = set()
    for migration in sources:
        imported.update(re.findall(r"^\s*from ([a-z_]+(?:\.[a-z_]+)*) import", migration.read_text(), re.MULTILINE))
    for module in sorted(imported):
        path = ROOT.joinpath(*module.split("."))
        if path.is_dir():
            sources += sorted(file for file in path.rglob("*") if file.is_file() and "__pycache__" not in file.parts)
        elif path.with_suffix(".py").is_file():
            sources.append(path.with_suffix(".py"))
    digest = hashlib.sha256()
    for source in sources:
        digest.update(str(source.relative_to(ROOT)).encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()[:12]


def _exists(cursor, name: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    return cursor.fetchone() is not None


@contextmanager
def server_cursor(dbname: str = "postgres"):
    """A cursor outside any transaction on the server's `postgres` database (CREATE and DROP DATABASE cannot run
    inside one), or on `dbname`."""
    database = settings.DATABASES["default"]
    with psycopg.connect(
        dbname=dbname,
        user=database["USER"],
        password=database["PASSWORD"] or None,
        host=database["HOST"] or "127.0.0.1",
        port=database["PORT"] or 5432,
        autocommit=True,
    ) as connection:
        yield connection.cursor()


if __name__ == "__main__":
    # `make test` makes the template here while ruff and the import contracts run, so the test processes find it made
    # (or wait on the lock for it) rather than one of them migrating while the other waits.
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incomeapp.settings.test")
    django.setup()
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        test_database_from_template(None)
