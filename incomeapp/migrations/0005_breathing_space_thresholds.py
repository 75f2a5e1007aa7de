from django.db import migrations


def thresholds_install(apps, schema_editor):
    from incomeapp.law import law_thresholds_install

    law_thresholds_install(apps.get_model("incomeapp", "LawThreshold"))


class Migration(migrations.Migration):
    dependencies = [("incomeapp", "0004_history_reasons_as_text")]

    operations = [migrations.RunPython(thresholds_install, migrations.RunPython.noop)]
