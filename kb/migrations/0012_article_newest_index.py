from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0011_article_related_links"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                condition=models.Q(
                    ("archived_at__isnull", True), ("current_version__isnull", False)
                ),
                fields=["category", "-current_version", "id"],
                name="kb_article_newest",
            ),
        ),
    ]
