"""Each version's prose again from its stored HTML, now that tags inside a line of text
(code, emphasis, links) leave no space behind them: search snippets read "the listen
directive," rather than "the listen directive ,", and the labels of a command's setup
variants ("Setup: PHP-FPM · Debian / Ubuntu") are left out with the commands. Only the
prose is derived again; the stored HTML and the text the search vectors are built from
stay as loaded."""

from django.db import migrations

from lib.markdown import prose_of


def derive_prose(apps, schema_editor):
    Version = apps.get_model("kb", "Version")
    batch = []
    for version in Version.objects.only("pk", "html", "prose_text").iterator(chunk_size=500):
        prose = prose_of(version.html)
        if prose != version.prose_text:
            version.prose_text = prose
            batch.append(version)
        if len(batch) >= 500:
            Version.objects.bulk_update(batch, ["prose_text"])
            batch = []
    Version.objects.bulk_update(batch, ["prose_text"])


class Migration(migrations.Migration):
    dependencies = [("kb", "0013_drop_related_ids")]

    operations = [migrations.RunPython(derive_prose, migrations.RunPython.noop, elidable=True)]
