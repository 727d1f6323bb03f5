"""For the migrations that change only PostgreSQL's search tables and indexes: SQLite
keeps its FTS5 table (0002) and has nothing to do. The migration loader skips modules
whose names start with an underscore, so this one is not a migration itself."""


def on_postgresql(statements):
    """A RunPython operation that runs `statements` on PostgreSQL and nothing elsewhere."""

    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return operation
