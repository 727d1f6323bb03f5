"""PostgreSQL: the search vocabulary's trigram index becomes a GiST one, so a mistyped
word's nearest known word is read from the index in distance order (`<->`, KNN).

With the GIN index, the planner took a long word's `%` match as cheap enough to scan
all the words and compute each one's similarity: 6 to 8 ms on the vocabulary of
10,000 articles, against about half a millisecond for the index's nearest neighbour."""

from django.db import migrations

from kb.migrations._postgres import on_postgresql

FORWARD = [
    "CREATE INDEX kb_searchword_word_gist ON kb_searchword USING gist (word gist_trgm_ops)",
    "DROP INDEX IF EXISTS kb_searchword_word_trgm",
]
BACKWARD = [
    "CREATE INDEX kb_searchword_word_trgm ON kb_searchword USING GIN (word gin_trgm_ops)",
    "DROP INDEX IF EXISTS kb_searchword_word_gist",
]


class Migration(migrations.Migration):
    dependencies = [("kb", "0014_prose_without_inline_gaps")]

    operations = [migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD))]
