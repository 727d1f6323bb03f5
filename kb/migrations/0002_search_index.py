from django.db import migrations


def create_index(apps, schema_editor):
    # PostgreSQL searches with vectors computed at query time; only SQLite needs a table.
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE kb_search USING fts5("
            "title, headings, body, tokenize = 'porter unicode61 remove_diacritics 2')"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE kb_search")


class Migration(migrations.Migration):
    dependencies = [("kb", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
