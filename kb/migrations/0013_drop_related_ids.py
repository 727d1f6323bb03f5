from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0012_article_newest_index"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="article",
            name="related_ids",
        ),
        migrations.AlterField(
            model_name="article",
            name="related_links",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="The related articles' slug, title and summary, best first, as their "
                "links show them; stored by each content load.",
            ),
        ),
    ]
