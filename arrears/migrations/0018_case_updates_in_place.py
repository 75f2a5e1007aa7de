"""Every weekly review points each open case at its newest recommendation. Leave room in each page of the case table
(fillfactor 70, PostgreSQL) so that change is rewritten in place, touching none of the table's indexes (a HOT update),
as the accounts table does for balances (rentaccounts 0004). Existing pages get the room when the table is rewritten
(`VACUUM FULL arrears_arrearscase`, docs/scaling.md); new pages have it at once."""

from django.db import migrations


def _fillfactor(value: str):
    def change(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE arrears_arrearscase {value}")

    return change


class Migration(migrations.Migration):
    dependencies = [("arrears", "0017_review_parts")]

    operations = [migrations.RunPython(_fillfactor("SET (fillfactor = 70)"), _fillfactor("RESET (fillfactor)"))]
