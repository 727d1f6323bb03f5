"""PostgreSQL's search index: a stored, weighted vector on each version and trigram
indexes for typing mistakes. SQLite keeps its FTS5 table (0002) and has nothing to do."""

from django.db import migrations

from kb.migrations._postgres import on_postgresql

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    ALTER TABLE kb_version ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(headings_text, '')), 'B')
        || setweight(to_tsvector('english', coalesce(plain_text, '')), 'C')
    ) STORED
    """,
    "CREATE INDEX kb_version_search_vector ON kb_version USING GIN (search_vector)",
    "CREATE INDEX kb_searchword_word_trgm ON kb_searchword USING GIN (word gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS kb_searchword_word_trgm",
    "DROP INDEX IF EXISTS kb_version_search_vector",
    "ALTER TABLE kb_version DROP COLUMN IF EXISTS search_vector",
]


class Migration(migrations.Migration):
    dependencies = [("kb", "0003_search_words")]

    operations = [migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD))]
