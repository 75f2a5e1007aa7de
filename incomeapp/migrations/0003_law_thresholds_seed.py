"""The shipped legal thresholds (incomeapp.law.LAW_THRESHOLDS), with their sources."""

from django.db import migrations


def seed(apps, schema_editor):
    from incomeapp.law import law_thresholds_install

    law_thresholds_install(apps.get_model("incomeapp", "LawThreshold"))


class Migration(migrations.Migration):
    dependencies = [("incomeapp", "0002_law_thresholds")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
