"""The retention schedule as shipped (privacy.schedule, legal-spec §10). Never overwrites an edited rule."""

from django.db import migrations


def install(apps, schema_editor):
    from privacy.schedule import retention_rules_install

    retention_rules_install(apps.get_model("privacy", "RetentionRule"))


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_personal_data")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
