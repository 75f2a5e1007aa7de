"""The shipped prescribed forms of notice (courts.prescribed.PRESCRIBED_FORMS), each version with its source."""

from django.db import migrations


def seed(apps, schema_editor):
    from courts.prescribed import prescribed_forms_install

    prescribed_forms_install(apps.get_model("courts", "PrescribedForm"))


class Migration(migrations.Migration):
    dependencies = [("courts", "0009_breathing_space_life")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
