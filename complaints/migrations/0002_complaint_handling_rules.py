"""The Housing Ombudsman's Complaint Handling Code, 2022 and 2024 versions, as dated rules with their sources
(complaints.handling_code.COMPLAINT_HANDLING_RULES)."""

from django.db import migrations


def seed(apps, schema_editor):
    from complaints.handling_code import complaint_rules_install

    complaint_rules_install(apps.get_model("complaints", "ComplaintHandlingRule"))


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
