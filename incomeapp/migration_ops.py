"""Operations the apps' migrations share."""

from django.db import migrations


def fillfactor(table: str, percent: int) -> migrations.RunPython:
    """Fills each new page of `table` only to `percent` (PostgreSQL), so a row rewritten often (an account's balance, a
    case's newest recommendation) is rewritten in the same page and touches none of the table's indexes (a HOT
    update). Reversed by going back to PostgreSQL's default; elsewhere it does nothing."""

    def alter(value: str):
        def change(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(f"ALTER TABLE {table} {value}")

        return change

    return migrations.RunPython(alter(f"SET (fillfactor = {int(percent)})"), alter("RESET (fillfactor)"))
