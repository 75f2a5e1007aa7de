"""Documents made once get an idempotency key the database keeps unique. Existing letters of letter requests and
quarterly statements get theirs from the subject key (the earliest document of each, if a race ever made two)."""

from django.db import migrations, models
from django.db.models import Min

# A letter request's letter to one tenant, and an account's quarterly statement (not an on-demand one, which has the
# dates of both ends in its key and may be sent again).
ONCE_KEYS = r"^(letter-request:[0-9]+:person:[0-9]+|statement:[0-9]+:[0-9]{4}-[0-9]{2}-[0-9]{2})$"


def keys_from_subject_keys(apps, schema_editor):
    Document = apps.get_model("documents", "Document")
    first_ids = (
        Document.objects.filter(subject_key__regex=ONCE_KEYS)
        .values("subject_key")
        .annotate(first=Min("id"))
        .values_list("first", flat=True)
    )
    if schema_editor.connection.vendor == "postgresql":
        table = Document._meta.db_table
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                f"""UPDATE {table} AS d SET idempotency_key = d.subject_key
                    FROM (SELECT MIN(id) AS id FROM {table} WHERE subject_key ~ %s GROUP BY subject_key) AS f
                    WHERE d.id = f.id""",  # noqa: S608
                [ONCE_KEYS],
            )
        return
    for document in Document.objects.filter(pk__in=list(first_ids)).only("subject_key"):
        document.idempotency_key = document.subject_key
        document.save(update_fields=["idempotency_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0003_legal_cases"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="idempotency_key",
            field=models.CharField(
                blank=True,
                help_text="Set by a caller that makes this document once (a letter request's letter to one tenant, an "
                "account's quarterly statement): the database refuses a second document with the same key.",
                max_length=120,
                null=True,
                unique=True,
            ),
        ),
        migrations.RunPython(keys_from_subject_keys, migrations.RunPython.noop),
    ]
