"""One index for the ledger's idempotency keys (a unique constraint, without Django's second pattern-ops index), and
rent-run keys rewritten date first (`charge:<period start>:<charge id>`), so a week's rent debits sit together in it.

The rewrite is one-to-one (the old second part is a number, the new one a date), so no two keys can collide.
"""

from django.db import migrations, models

SWAP_SQL = """
UPDATE rentaccounts_transaction
SET idempotency_key = 'charge:' || split_part(idempotency_key, ':', 3) || ':' || split_part(idempotency_key, ':', 2)
WHERE idempotency_key LIKE 'charge:%%' AND split_part(idempotency_key, ':', 2) {match} '%%-%%'
"""


def _rewrite(date_first: bool):
    """Swaps the two parts of rent-run keys still in the other order (one UPDATE on PostgreSQL)."""

    def rewrite(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(SWAP_SQL.format(match="NOT LIKE" if date_first else "LIKE"), params=[])
            return
        Transaction = apps.get_model("rentaccounts", "Transaction")
        changed = []
        for line in Transaction.objects.filter(idempotency_key__startswith="charge:").only("idempotency_key"):
            _, first, second = line.idempotency_key.split(":")
            if ("-" in first) != date_first:
                line.idempotency_key = f"charge:{second}:{first}"
                changed.append(line)
        Transaction.objects.bulk_update(changed, ["idempotency_key"], batch_size=500)

    return rewrite


class Migration(migrations.Migration):
    dependencies = [
        ("rentaccounts", "0002_fewer_transaction_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="transaction",
            name="idempotency_key",
            field=models.CharField(max_length=200),
        ),
        migrations.RunPython(_rewrite(date_first=True), _rewrite(date_first=False)),
        migrations.AddConstraint(
            model_name="transaction",
            constraint=models.UniqueConstraint(fields=("idempotency_key",), name="txn_idempotency_key_unique"),
        ),
    ]
