"""Article search with one interface over two engines.

SQLite (the embedded default) uses an FTS5 table ranked with bm25(); PostgreSQL
uses weighted vectors stored on each version, ranked with ts_rank, and reads queries
with websearch_to_tsquery ("a phrase", -word, or). Both weigh the title over headings
over body text and return highlighted snippets. When nothing matches, or only some
words do, mistyped words are corrected against the articles' vocabulary (trigram
similarity on PostgreSQL, difflib on SQLite) and the search runs again.
"""

import difflib
import html
import re
from dataclasses import dataclass

from django.db import connection
from django.utils.safestring import mark_safe

from kb.models import Article, SearchWord

MAX_TERMS = 12  # words searched; the page says when a query had more
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
    truncated: bool = False  # the text had more than MAX_TERMS distinct words

    @classmethod
    def parse(cls, text):
        text = text or ""
        terms = tuple(dict.fromkeys(t[:MAX_TERM] for t in TERM.findall(text.lower())))
        kept = terms[:MAX_TERMS]
        # websearch_to_tsquery reads the text itself, so it gets only the words kept.
        if len(terms) > MAX_TERMS:
            text = " ".join(kept)
        return cls(
            text=text.strip(),
            terms=kept,
            # While typing, the last word is probably unfinished: match it as a prefix.
            prefix=not text.endswith(" "),
            truncated=len(terms) > MAX_TERMS,
        )

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
    # The query as corrected, when the words typed found nothing and corrections did.
    corrected: Query | None = None

    def __iter__(self):
        return iter(self.results)

    def __len__(self):
        return len(self.results)


def highlight(text):
    escaped = html.escape(text)
    return mark_safe(escaped.replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))


WORD = re.compile(r"[^\W\d_][\w'-]*", re.UNICODE)


def vocabulary(versions):
    """The distinct words of these versions, for correcting mistyped search words."""
    words = set()
    for version in versions:
        for text in (version.title, version.headings_text, version.plain_text):
            words.update(w for w in WORD.findall(text.lower()) if 3 <= len(w) <= MAX_TERM)
    return words


def _rebuild_vocabulary(versions):
    SearchWord.objects.all().delete()
    SearchWord.objects.bulk_create(
        [SearchWord(word=word) for word in sorted(vocabulary(versions))], batch_size=2000
    )


def _current_versions():
    return [article.current_version for article in Article.objects.published().with_current()]


class SQLiteSearch:
    table = "kb_search"

    def rebuild(self):
        versions = _current_versions()
        rows = [
            (v.article_id, v.title, v.headings_text, v.plain_text) for v in versions
        ]  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table}")
            cursor.executemany(
                f"INSERT INTO {self.table} (rowid, title, headings, body) VALUES (%s, %s, %s, %s)",
                rows,
            )
        _rebuild_vocabulary(versions)

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

    def closest_word(self, term):
        """The known word nearest to `term` by edit similarity, or None."""
        candidates = SearchWord.objects.filter(
            word__startswith=term[0],
        ).values_list("word", flat=True)
        lengths = range(len(term) - 2, len(term) + 3)
        words = [word for word in candidates.iterator() if len(word) in lengths]
        match = difflib.get_close_matches(term, words, n=1, cutoff=0.75)
        return match[0] if match else None


# websearch_to_tsquery() syntax: "a phrase", -word, or.
WEBSEARCH = re.compile(r'"|(^|\s)-\w|\s(or|OR)\s')
TITLE_MARKS = f"StartSel={OPEN}, StopSel={CLOSE}, HighlightAll=true"
SNIPPET_MARKS = f"StartSel={OPEN}, StopSel={CLOSE}, MaxWords=40, MinWords=20"


class PostgresSearch:
    """Weighted vectors stored on each version (migration 0004), copied for the published
    articles into kb_searchdoc (0005) and searched with websearch_to_tsquery(); trigram
    similarity corrects mistyped words."""

    # How many matches, the best by title and headings, are ranked on their whole text.
    CANDIDATES = 100
    # Characters of text around the first matched word that ts_headline is given: it
    # parses all it is given, and a whole article takes milliseconds.
    WINDOW = 600

    def rebuild(self):
        # Only articles whose current version changed are touched: the vectors are
        # copied from kb_version (a generated column), never computed again.
        with connection.cursor() as cursor:
            cursor.execute(
                """
                DELETE FROM kb_searchdoc d WHERE NOT EXISTS (
                    SELECT 1 FROM kb_article a
                    WHERE a.id = d.article_id AND a.current_version_id = d.version_id
                      AND a.archived_at IS NULL
                )
                """
            )
            cursor.execute(
                """
                INSERT INTO kb_searchdoc (article_id, version_id, slug, rank_vector, search_vector)
                SELECT a.id, v.id, a.slug,
                       setweight(to_tsvector('english', v.title), 'A')
                       || setweight(to_tsvector('english', v.headings_text), 'B'),
                       v.search_vector
                FROM kb_article a JOIN kb_version v ON v.id = a.current_version_id
                WHERE a.archived_at IS NULL
                  AND NOT EXISTS (SELECT 1 FROM kb_searchdoc d WHERE d.article_id = a.id)
                """
            )
        _rebuild_vocabulary(_current_versions())

    def _tsquery(self, query, any_word):
        if any_word:
            return "to_tsquery('english', %s)", " | ".join(query.terms)
        if query.prefix and not WEBSEARCH.search(query.text):
            terms = [*query.terms[:-1], f"{query.terms[-1]}:*"]
            return "to_tsquery('english', %s)", " & ".join(terms)
        return "websearch_to_tsquery('english', %s)", query.text

    def find(self, query, any_word, limit):
        tsquery, text = self._tsquery(query, any_word)
        # Matches come from the GIN index and are ranked on their small title-and-
        # headings vector; the best CANDIDATES are ranked again on the whole weighted
        # vector (exact whenever fewer articles match), and only the page of results
        # gets headlines, from a window of text around the first word found.
        sql = f"""
            WITH q AS (SELECT {tsquery} AS query),
            candidates AS (
                SELECT d.article_id
                FROM kb_searchdoc d, q
                WHERE d.search_vector @@ q.query
                ORDER BY ts_rank('{{0.1, 0.2, 0.6, 1.0}}', d.rank_vector, q.query) DESC, d.slug
                LIMIT %s
            ),
            hits AS (
                SELECT d.article_id, d.version_id, d.slug,
                       ts_rank('{{0.1, 0.2, 0.6, 1.0}}', d.search_vector, q.query) AS rank
                FROM candidates c JOIN kb_searchdoc d USING (article_id), q
                ORDER BY rank DESC, d.slug
                LIMIT %s
            )
            SELECT h.article_id,
                   ts_headline('english', v.title, q.query, %s),
                   ts_headline('english', substr(v.plain_text, greatest(1, coalesce((
                       SELECT min(nullif(strpos(lower(v.plain_text), term), 0))
                       FROM unnest(%s::text[]) AS term
                   ), 1) - %s), %s), q.query, %s)
            FROM hits h JOIN kb_version v ON v.id = h.version_id, q
            ORDER BY h.rank DESC, h.slug
        """
        window = self.WINDOW
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                [text, self.CANDIDATES, limit, TITLE_MARKS, list(query.terms), window // 3,
                 window, SNIPPET_MARKS],
            )  # fmt: skip
            return cursor.fetchall()

    def closest_word(self, term):
        sql = """
            SELECT word FROM kb_searchword
            WHERE word %% %s
            ORDER BY similarity(word, %s) DESC, word
            LIMIT 1
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [term, term])
            row = cursor.fetchone()
        return row[0] if row else None


def backend():
    return PostgresSearch() if connection.vendor == "postgresql" else SQLiteSearch()


def corrected(engine, query):
    """`query` with each unknown word replaced by the nearest known one, or None when
    no word needed (or found) a correction."""
    known = set(SearchWord.objects.filter(word__in=query.terms).values_list("word", flat=True))
    terms, changed = [], False
    for term in query.terms:
        replacement = None if term in known or len(term) < 4 else engine.closest_word(term)
        terms.append(replacement or term)
        changed |= bool(replacement and replacement != term)
    if not changed:
        return None
    return Query(text=" ".join(terms), terms=tuple(dict.fromkeys(terms)), prefix=False)


def _find(engine, query, limit):
    rows = engine.find(query, any_word=False, limit=limit)
    if rows or len(query.terms) == 1:
        return rows, True
    return engine.find(query, any_word=True, limit=limit), False


def search(text, limit=20):
    """Published articles matching every word of `text`, or failing that any word;
    when that finds nothing or only some words, the same with mistyped words corrected."""
    query = Query.parse(text)
    if not query:
        return Results(query, [], True)
    engine = backend()
    rows, matched_all = _find(engine, query, limit)
    correction = None
    if not rows or not matched_all:
        candidate = corrected(engine, query)
        if candidate:
            better, better_all = _find(engine, candidate, limit)
            # Taken when it finds something where the words as typed found nothing, or
            # finds every word where they found only some.
            if better and (better_all or not rows):
                rows, matched_all, correction = better, better_all, candidate
    # The result list needs titles and summaries, not each version's stored HTML and text.
    articles = Article.objects.listed().in_bulk([row[0] for row in rows])
    results = [
        Result(article=articles[pk], title=highlight(title), snippet=highlight(snippet))
        for pk, title, snippet in rows
        if pk in articles
    ]
    return Results(query, results, matched_all, correction)
