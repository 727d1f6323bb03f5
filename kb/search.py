"""Article search with one interface over two engines.

SQLite (the embedded default) uses an FTS5 table ranked with bm25(); PostgreSQL
uses weighted full-text vectors ranked with ts_rank. Both weigh the title over
headings over body text, and both return highlighted snippets.
"""

import html
import re
from dataclasses import dataclass

from django.db import connection
from django.utils.safestring import mark_safe

from kb.models import Article

MAX_QUERY = 300
MAX_TERMS = 12
MAX_TERM = 40
TERM = re.compile(r"\w+", re.UNICODE)
# Marks around matches, chosen so they cannot occur in article text; the text is
# escaped before they become <mark> tags.
OPEN, CLOSE = "\x02", "\x03"


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple
    prefix: bool

    @classmethod
    def parse(cls, text):
        text = (text or "")[:MAX_QUERY]
        terms = tuple(dict.fromkeys(t[:MAX_TERM] for t in TERM.findall(text.lower())))
        # While typing, the last word is probably unfinished: match it as a prefix.
        return cls(text=text.strip(), terms=terms[:MAX_TERMS], prefix=not text.endswith(" "))

    def __bool__(self):
        return bool(self.terms)


@dataclass(frozen=True)
class Result:
    article: Article
    title: str
    snippet: str


@dataclass(frozen=True)
class Results:
    query: Query
    results: list
    matched_all_words: bool

    def __iter__(self):
        return iter(self.results)

    def __len__(self):
        return len(self.results)


def highlight(text):
    escaped = html.escape(text)
    return mark_safe(escaped.replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))


class SQLiteSearch:
    table = "kb_search"

    def rebuild(self):
        rows = [
            (article.pk, article.current_version.title, article.current_version.headings_text,
             article.current_version.plain_text)
            for article in Article.objects.published().with_current()
        ]  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table}")
            cursor.executemany(
                f"INSERT INTO {self.table} (rowid, title, headings, body) VALUES (%s, %s, %s, %s)",
                rows,
            )

    def _match(self, query, any_word):
        quoted = [f'"{term}"' for term in query.terms]
        if query.prefix:
            quoted[-1] += "*"
        return (" OR " if any_word else " ").join(quoted)

    def find(self, query, any_word, limit):
        sql = f"""
            SELECT rowid,
                   highlight({self.table}, 0, %s, %s),
                   snippet({self.table}, 2, %s, %s, '…', 24)
            FROM {self.table}
            WHERE {self.table} MATCH %s
            ORDER BY bm25({self.table}, 10.0, 4.0, 1.0)
            LIMIT %s
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [OPEN, CLOSE, OPEN, CLOSE, self._match(query, any_word), limit])
            return cursor.fetchall()


class PostgresSearch:
    def rebuild(self):
        """Vectors are computed when searching; the article set is small."""

    def find(self, query, any_word, limit):
        from django.contrib.postgres.search import (
            SearchHeadline,
            SearchQuery,
            SearchRank,
            SearchVector,
        )

        terms = [f"{term}:*" if query.prefix and i == len(query.terms) - 1 else term
                 for i, term in enumerate(query.terms)]  # fmt: skip
        ts_query = SearchQuery(
            (" | " if any_word else " & ").join(terms), search_type="raw", config="english"
        )
        vector = (
            SearchVector("current_version__title", weight="A", config="english")
            + SearchVector("current_version__headings_text", weight="B", config="english")
            + SearchVector("current_version__plain_text", weight="C", config="english")
        )
        options = {"start_sel": OPEN, "stop_sel": CLOSE, "config": "english"}
        rows = (
            Article.objects.published()
            .annotate(document=vector)
            .filter(document=ts_query)
            .annotate(rank=SearchRank(vector, ts_query, weights=[0.1, 0.2, 0.6, 1.0]))
            .annotate(
                title_hl=SearchHeadline(
                    "current_version__title", ts_query, highlight_all=True, **options
                ),
                snippet=SearchHeadline(
                    "current_version__plain_text",
                    ts_query,
                    max_words=40,
                    min_words=20,
                    **options,
                ),
            )
            .order_by("-rank", "slug")
            .values_list("pk", "title_hl", "snippet")[:limit]
        )
        return list(rows)


def backend():
    return PostgresSearch() if connection.vendor == "postgresql" else SQLiteSearch()


def search(text, limit=20):
    """Published articles matching every word of `text`, or failing that any word."""
    query = Query.parse(text)
    if not query:
        return Results(query, [], True)
    engine = backend()
    matched_all = True
    rows = engine.find(query, any_word=False, limit=limit)
    if not rows and len(query.terms) > 1:
        matched_all = False
        rows = engine.find(query, any_word=True, limit=limit)
    articles = Article.objects.with_current().in_bulk([row[0] for row in rows])
    results = [
        Result(article=articles[pk], title=highlight(title), snippet=highlight(snippet))
        for pk, title, snippet in rows
        if pk in articles
    ]
    return Results(query, results, matched_all)
