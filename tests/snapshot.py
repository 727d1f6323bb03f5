"""The rows one content load writes, taken once and put back as many times as needed.

Loading content/ parses every article, the flowchart and its outcomes, renders them and
builds the search index: about a second. Hundreds of tests start from that same state,
so the session loads it once inside a transaction it rolls back, keeps the rows of every
table the load wrote, and each test inserts them again as they were (same ids), which
takes a few milliseconds. The tables are found by looking, not listed, so a new model
the loader writes is copied too; columns the database computes itself (PostgreSQL's
generated search vectors) are left for it to compute again, and SQLite's FTS5 index is
copied through its virtual table rather than its shadow tables.

On PostgreSQL putting the rows back is the slow part (each search vector and trigram
index entry is computed again, about 0.7 s), so there the rows are committed once and
stay ("resident"): a test that wants the content finds it, and rolls back whatever it
changes; a test in a transaction of its own that wants an empty database deletes the
rows inside that transaction, which is rolled back too. Before the first test that
commits (or uses no transaction at all) the committed rows are deleted for good, and
from then on the rows are inserted again per test as on SQLite.
"""

from django.db import connection, transaction

FTS5_SHADOWS = ("_data", "_idx", "_content", "_docsize", "_config")


class Snapshot:
    def __init__(self, tables):
        self.tables = tables  # [(table, columns, rows)]
        self.resident = False  # the rows are committed and every test sees them

    @classmethod
    def of(cls, write):
        """The rows `write()` adds to tables that were empty, with `write` rolled back."""
        with transaction.atomic():
            before = {table: _count(table) for table in _tables()}
            write()
            tables = []
            for table in _tables():
                if _count(table) == before.get(table, 0):
                    continue
                if before.get(table):
                    raise RuntimeError(f"{table} had rows before the content load")
                columns = _columns(table)
                rows = _rows(table, columns)
                tables.append((table, columns, rows))
            transaction.set_rollback(True)
        return cls(tables)

    def restore(self):
        """Insert every row again, and make pages built before stale, as a load does.
        New rows still get new ids: PostgreSQL's sequences are not rolled back with the
        load, and SQLite's follow the highest id inserted."""
        from lib import generation

        models = set(connection.introspection.django_table_names(only_existing=True))
        with transaction.atomic(), connection.cursor() as cursor:
            for table, columns, rows in self.tables:
                if table not in models:
                    # Search tables of raw SQL: a flush between transactional tests
                    # empties only the models' tables.
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
                names = _names(columns)
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {connection.ops.quote_name(table)} ({names}) VALUES ({marks})",
                    rows,
                )
        generation.bump()

    def commit(self):
        """Insert the rows for good (outside any test's transaction)."""
        self.restore()
        self.resident = True

    def clear(self):
        """Delete the committed rows (PostgreSQL): for good when called outside a
        transaction, until the rollback when called inside a test's."""
        names = ", ".join(connection.ops.quote_name(t) for t, _, _ in self.tables)
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {names} CASCADE")

    def evict(self):
        self.clear()
        self.resident = False


def _tables():
    names = connection.introspection.table_names(include_views=False)
    virtual = _fts5_tables()
    shadows = {f"{v}{suffix}" for v in virtual for suffix in FTS5_SHADOWS}
    return [n for n in names if n not in shadows and n != "django_migrations"]


def _fts5_tables():
    if connection.vendor != "sqlite":
        return set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")
        return {name for (name,) in cursor.fetchall()}


def _count(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        return cursor.fetchone()[0]


def _columns(table):
    """The columns to copy: all but those the database generates, and rowid first for an
    FTS5 table (whose rows are found by it)."""
    if table in _fts5_tables():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT name FROM pragma_table_info('{table}')")
            return ["rowid"] + [name for (name,) in cursor.fetchall()]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = %s AND table_schema = current_schema() "
                "AND is_generated = 'NEVER' ORDER BY ordinal_position",
                [table],
            )
            return [name for (name,) in cursor.fetchall()]
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, table)
    return [column.name for column in description]


def _names(columns):
    # A quoted "rowid" would name a column, not the row's id.
    return ", ".join(c if c == "rowid" else connection.ops.quote_name(c) for c in columns)


def _rows(table, columns):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_names(columns)} FROM {connection.ops.quote_name(table)}")
        return cursor.fetchall()
