"""PostgreSQL: a narrow table of the published articles' vectors, which search reads
instead of kb_version.

Searching kb_version meant joining every match to its article (to skip superseded and
archived versions) and ranking each match on its whole weighted vector, which must be
decompressed first: a common word over 10,000 articles cost 100 ms. Here each live
article has one short row: the vector to match on (copied from its current version,
never computed again) and a small one of its title and headings to rank on first.
`PostgresSearch.rebuild` keeps it in step after every content load, removing the rows
of articles that are gone, archived or superseded; it has no foreign keys, like the
SQLite FTS5 table (0002) it stands for, so nothing else depends on it."""

from django.db import migrations

from kb.migrations._postgres import on_postgresql

FORWARD = [
    """
    CREATE TABLE kb_searchdoc (
        article_id bigint PRIMARY KEY,
        version_id bigint NOT NULL,
        slug text NOT NULL,
        rank_vector tsvector NOT NULL,
        search_vector tsvector NOT NULL
    )
    """,
    "CREATE INDEX kb_searchdoc_search_vector ON kb_searchdoc USING GIN (search_vector)",
    # Filled now for an existing database; later loads keep it in step.
    """
    INSERT INTO kb_searchdoc (article_id, version_id, slug, rank_vector, search_vector)
    SELECT a.id, v.id, a.slug,
           setweight(to_tsvector('english', v.title), 'A')
           || setweight(to_tsvector('english', v.headings_text), 'B'),
           v.search_vector
    FROM kb_article a JOIN kb_version v ON v.id = a.current_version_id
    WHERE a.archived_at IS NULL
    """,
]
BACKWARD = ["DROP TABLE IF EXISTS kb_searchdoc"]


class Migration(migrations.Migration):
    dependencies = [("kb", "0004_postgres_search")]

    operations = [migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD))]
