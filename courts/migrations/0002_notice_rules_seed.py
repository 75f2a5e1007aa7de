"""The shipped notice law (courts.law.NOTICE_RULES), with sources; and the deemed-service figures it uses."""

from django.db import migrations


def seed(apps, schema_editor):
    from courts.law import notice_rules_install
    from incomeapp.law import law_thresholds_install

    notice_rules_install(apps.get_model("courts", "NoticeRule"), apps.get_model("courts", "GroundRule"))
    law_thresholds_install(apps.get_model("incomeapp", "LawThreshold"))


class Migration(migrations.Migration):
    dependencies = [("courts", "0001_initial"), ("incomeapp", "0003_law_thresholds_seed")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
