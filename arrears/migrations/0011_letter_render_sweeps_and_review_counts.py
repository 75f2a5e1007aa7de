"""Work that dies is finished: the sweeper's record on each letter request, the review run's counts added up per chunk,
and an index on the letters still queued."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("arrears", "0010_breathing_space_life"),
    ]

    operations = [
        migrations.AddField(
            model_name="letterrequest",
            name="render_handed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="letterrequest",
            name="render_retries",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="reviewrun",
            name="cases_closed",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="reviewrun",
            name="cases_opened",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="reviewrun",
            name="letters_queued",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(condition=models.Q(("outcome", "queued")), fields=["id"], name="contact_letter_queued"),
        ),
    ]
