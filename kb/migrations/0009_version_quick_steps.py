"""Each version keeps its cause box: the command that confirms the cause, the one that fixes it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0008_searchdoc_rank_vector_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="version",
            name="quick_steps",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="A cause's box at the top: the command that confirms it, the one that fixes it.",
            ),
        ),
    ]
