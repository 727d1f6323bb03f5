"""PostgreSQL: a GIN index on the title-and-headings vector of kb_searchdoc, so search
takes the articles with the words in their titles and headings from the index and ranks
only those, instead of ranking every article that names a common word somewhere."""

from django.db import migrations

from kb.migrations._postgres import on_postgresql

FORWARD = ["CREATE INDEX kb_searchdoc_rank_vector ON kb_searchdoc USING GIN (rank_vector)"]
BACKWARD = ["DROP INDEX IF EXISTS kb_searchdoc_rank_vector"]


class Migration(migrations.Migration):
    dependencies = [("kb", "0007_article_related_ids")]

    operations = [migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD))]
