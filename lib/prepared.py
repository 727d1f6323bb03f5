"""A query turned into SQL once per process, then run with another value each time.

An uncached article page makes one query: the article with its current version, its
category and its stored rendering, 27 columns over four tables. Django took longer
to build that query and turn it into SQL (about 0.6 ms) than the database took to
answer it (about 0.1 ms on SQLite), on every request, though only the slug changes.
`Prepared` compiles the query once per database and keeps the SQL, then runs it
with the value asked for and builds the objects from the row as a queryset would.

Django has no public interface for reusing a compiled query, so this module, and only
this one, reads the compiler's `select` and `klass_info` and uses
`get_related_populators`, as `django.db.models.query.ModelIterable` does. Its tests
compare every field of what it returns with what the queryset returns, on SQLite and
PostgreSQL, so a Django that changes them fails there, loudly.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db import connections, router
from django.db.models.query import get_related_populators

# Stands for the value in the query compiled once; found again among its parameters.
PLACEHOLDER = "\x00the value asked for\x00"


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    position: int  # of the value among the parameters
    init_list: list  # the model's fields, in the row's order
    start: int
    end: int
    populators: list  # fill in the related objects (select_related) from the row
    converters: list  # ((position, (functions, expression)), ...) as the compiler's


class Prepared:
    """`build(value)` returns the queryset for one value; `first(value)` runs it."""

    def __init__(self, build):
        self.build = build
        self.compiled = {}  # database alias -> _Compiled

    def _compile(self, alias):
        queryset = self.build(PLACEHOLDER)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        positions = [n for n, param in enumerate(params) if param == PLACEHOLDER]
        if len(positions) != 1:
            raise ValueError(f"The value must appear once among the parameters: {params!r}")
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        columns = [column for column, _, _ in select[: compiler.col_count]]
        compiled = _Compiled(
            sql=sql,
            params=tuple(params),
            position=positions[0],
            init_list=[column.target.attname for column, _, _ in select[start:end]],
            start=start,
            end=end,
            populators=get_related_populators(klass_info, select, alias),
            converters=list(compiler.get_converters(columns).items()),
        )
        self.compiled[alias] = compiled
        return compiled

    def first(self, value):
        """The first object the query finds for `value`, or None."""
        alias = router.db_for_read(self.model)
        compiled = self.compiled.get(alias) or self._compile(alias)
        params = list(compiled.params)
        params[compiled.position] = value
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        row = list(row)
        for position, (functions, expression) in compiled.converters:
            for function in functions:
                row[position] = function(row[position], expression, connection)
        obj = self.model.from_db(alias, compiled.init_list, row[compiled.start : compiled.end])
        for populator in compiled.populators:
            populator.populate(row, obj)
        return obj

    @cached_property
    def model(self):
        return self.build(PLACEHOLDER).model
