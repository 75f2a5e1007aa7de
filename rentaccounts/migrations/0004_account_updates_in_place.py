"""Accounts change with every posting: drop two indexes that every balance update had to maintain (the tenancy index
repeats the unique (tenancy, kind) constraint; the review flag is read by a scan of this small table), and leave room
in each page (fillfactor 70, PostgreSQL) so a changed balance is rewritten in place, touching no index (a HOT update).
"""

import django.db.models.deletion
from django.db import migrations, models


def _fillfactor(value: str):
    def change(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE rentaccounts_account {value}")

    return change


class Migration(migrations.Migration):
    dependencies = [
        ("rentaccounts", "0003_idempotency_key_one_index"),
        ("tenancies", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="account",
            name="review_requested_at",
            field=models.DateTimeField(
                blank=True, help_text="Set when new money arrives; the arrears review clears it.", null=True
            ),
        ),
        migrations.AlterField(
            model_name="account",
            name="tenancy",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="accounts",
                to="tenancies.tenancy",
            ),
        ),
        migrations.RunPython(_fillfactor("SET (fillfactor = 70)"), _fillfactor("RESET (fillfactor)")),
    ]
