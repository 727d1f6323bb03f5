"""Article search with one interface over two engines.

SQLite (the embedded default) uses an FTS5 table ranked with bm25(); PostgreSQL
uses weighted vectors stored on each version, ranked with ts_rank, and reads queries
with websearch_to_tsquery ("a phrase", -word, or). Both weigh the title over headings
over body text and return highlighted snippets. When nothing matches, or only some
words do, mistyped words are corrected against the articles' vocabulary (trigram
similarity on PostgreSQL, difflib on SQLite) and the search runs again.
"""

import dataclasses
import difflib
import functools
import html
import re
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.utils.safestring import mark_safe

from kb.models import Article, SearchWord, Version

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

    @functools.cached_property
    def _meaningful_starts(self):
        # Compiled once per query, however many texts it is held against.
        terms = [term for term in self.terms if term not in STOP_WORDS]
        return _word_starts(terms, self.prefix)

    def covered_by(self, text):
        """Whether `text` holds every word of the query that means something (not "the"
        or "on"), as a word or the start of one."""
        starts = self._meaningful_starts
        return bool(starts) and _covered(starts, text) == len(starts)


@dataclass(frozen=True)
class Result:
    article: Article
    title: str
    snippet: str


@dataclass(frozen=True)
class Results:
    query: Query
    results: list  # the page shown
    matched_all_words: bool
    # The query as corrected, when the words typed found nothing and corrections did.
    corrected: Query | None = None
    # The page of the ranked matches shown (a Django Page of article ids), and whether
    # there were more matches than the engine ranks (`CANDIDATES`).
    page: Page | None = None
    capped: bool = False

    @property
    def total(self):
        return self.page.paginator.count if self.page else len(self.results)

    def __iter__(self):
        return iter(self.results)

    def with_first(self, articles):
        """These results with `articles` at the top, in their order: the ones the search
        found keep their marked title and snippet, the others show their summary."""
        found = {result.article.pk: result for result in self.results}
        first = [
            found.get(article.pk) or Result(article, article.title, article.summary)
            for article in articles
        ]
        ids = {result.article.pk for result in first}
        rest = [result for result in self.results if result.article.pk not in ids]
        return dataclasses.replace(self, results=first + rest)

    def __len__(self):
        return len(self.results)


# Words a reader's eye should not be sent to: marking every "the", "on" and "502" in a
# snippet hides the one word that matters. They are still searched for; only their
# marks go. (PostgreSQL's english configuration leaves most of them out already.)
STOP_WORDS = frozenset({
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be",
    "been", "before", "but", "by", "can", "do", "does", "for", "from", "had", "has",
    "have", "how", "i", "if", "in", "into", "is", "it", "its", "may", "my", "no", "not",
    "of", "on", "one", "or", "our", "out", "so", "than", "that", "the", "their", "them",
    "then", "there", "these", "they", "this", "to", "up", "was", "we", "were", "what",
    "when", "where", "which", "while", "who", "why", "will", "with", "you", "your",
})  # fmt: skip
MARKED = re.compile(f"{OPEN}([^{CLOSE}]*){CLOSE}")


def _worth_marking(word):
    word = word.strip().lower()
    return bool(word) and word not in STOP_WORDS and not word.replace(".", "").isdigit()


def highlight(text):
    """The marked text as safe HTML, with only the words worth looking at in <mark>."""
    text = MARKED.sub(lambda m: m.group(0) if _worth_marking(m.group(1)) else m.group(1), text)
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


def _stem(term):
    """The first letters of `term` that its other forms share, roughly."""
    return term[: max(4, len(term) - 3)]


def _word_starts(terms, prefix):
    """For each of `terms`, the letters a word of a text (a run of \\w, as TERM reads
    words) starts with when it is the term or one of its other forms (or, for the
    unfinished last word while typing, the word as typed)."""
    return [
        term if prefix and index == len(terms) - 1 else _stem(term)
        for index, term in enumerate(terms)
    ]


def _word_at(low, start, at=0):
    """Where, from `at`, a word of the lower-case text `low` starts with `start`, or -1.
    Looked for with str.find, then the letter before it read: a regular expression
    with a look-behind is some twenty times slower, and search holds a hundred
    candidates' titles and headings against each word."""
    at = low.find(start, at)
    while at > 0 and (low[at - 1].isalnum() or low[at - 1] == "_"):
        at = low.find(start, at + 1)
    return at


def _covered(starts, text):
    """How many of the words `starts` looks for occur in `text`."""
    low = text.lower()
    return sum(1 for start in starts if _word_at(low, start) >= 0)


def _best(query, candidates, limit):
    """The `limit` best of the engine's candidates (id, title, headings; in the engine's
    order). An article whose title names every word typed comes first, then one whose
    title and headings together do, then the engine's own rank decides: bm25 and
    ts_rank alone put a short body full of one common word over a title naming all."""
    every = len(query.terms)
    starts = _word_starts(query.terms, query.prefix)
    keyed = []
    for order, (pk, title, headings) in enumerate(candidates):
        in_title = _covered(starts, title)
        in_both = in_title if in_title == every else _covered(starts, f"{title} {headings}")
        keyed.append((in_title < every, in_both < every, order, pk))
    return [pk for *_, pk in sorted(keyed)[:limit]]


def _window(text, at, size):
    """The part of `text` a snippet is cut from: `size` characters from a little before
    `at` (where the first word found starts), without the pieces of words at either
    cut; and whether it starts and ends inside the text."""
    start = max(0, at - size // 3)
    window = text[start : start + size]
    cut_start, cut_end = start > 0, start + size < len(text)
    if cut_start:
        window = window.partition(" ")[2] or window
    if cut_end:
        window = window.rpartition(" ")[0] or window
    return window, cut_start, cut_end


def _elided(snippet, cut_start, cut_end):
    """`snippet` with an ellipsis where it starts or ends inside the article's text."""
    if cut_start and not snippet.startswith("…"):
        snippet = "…" + snippet
    # One that stops at the end of a sentence needs none: "pause.…" reads as a slip.
    if cut_end and not snippet.endswith(("…", ".", "!", "?")):
        snippet += "…"
    return snippet


# Endings English adds to a word, longest first where one ends another. Not "er":
# a worker is not work, as the stemmers agree.
ENDINGS = ("ing", "ed", "es", "s")


@functools.lru_cache(maxsize=20_000)
def _root(word):
    """`word` (in lower case) without the endings English adds, roughly as the engines'
    stemmers read it: "restarts", "restarted" and "restarting" all give "restart",
    "cache", "caches" and "cached" give "cach". Always a start of the word."""
    for _ in range(2):
        for ending in ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                word = word[: -len(ending)]
                break
        else:
            break
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


class Marker:
    """The words of a text that a query found: a word with the root of a word searched
    for, or, while typing, one that starts with the unfinished last word. Words not
    worth a reader's eye (stop words, numbers) are never marked. Both engines' results
    are marked here, on the page's results only: PostgreSQL's ts_headline and a
    temporary FTS5 table for SQLite's snippet() cost more than the search itself."""

    SNIPPET = 220
    WINDOW = 600  # characters of the text around the first word found, for the snippet

    def __init__(self, query):
        terms = [term for term in query.terms if _worth_marking(term)]
        self.roots = {_root(term) for term in terms}
        self.prefix = terms[-1] if query.prefix and terms and terms[-1] == query.terms[-1] else ""
        self.starts = sorted(self.roots | {self.prefix} - {""}, key=len, reverse=True)
        # Where a marked word may start: a cheap scan before each word's root is read.
        self.candidates = (
            re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, self.starts)) + r")\w*", re.I)
            if self.starts
            else None
        )  # fmt: skip

    def _found(self, word):
        low = word.lower()
        if self.prefix and low.startswith(self.prefix):
            return self.prefix
        root = _root(low)
        return root if root in self.roots else None

    def _scan(self, text):
        if self.candidates is None:
            return
        for match in self.candidates.finditer(text):
            if found := self._found(match.group()):
                yield match.start(), match.end(), found

    def hits(self, text):
        """(start, end, the word searched for) of each word of `text` the query found."""
        return list(self._scan(text))

    def first(self, text):
        """Where the first word of `text` the query found starts, or None."""
        low, first = text.lower(), None
        for start in self.starts:
            at = _word_at(low, start)
            while at >= 0 and (first is None or at < first):
                if self._found(TERM.match(low, at).group()):
                    first = at
                    break
                at = _word_at(low, start, at + 1)
        return first

    def mark(self, text, hits=None):
        """`text` with OPEN and CLOSE around each word found (for highlight())."""
        parts, at = [], 0
        for start, end, _ in self.hits(text) if hits is None else hits:
            parts += [text[at:start], OPEN, text[start:end], CLOSE]
            at = end
        parts.append(text[at:])
        return "".join(parts)

    def snippet(self, text, first=None):
        """About SNIPPET characters of `text` (thirty-odd words), marked, from a few words
        before the place where most of the different words searched for are found
        close together (the first such place), with an ellipsis where it starts or ends
        inside the text. `first` is where the first word found starts, when known."""
        if first is None:
            first = self.first(text) or 0
        window, cut_start, cut_end = _window(text, first, self.WINDOW)
        hits, begin = self.hits(window), 0
        if hits:

            def spread(hit):  # how many different words searched for from here on
                return len({found for at, _, found in hits if hit[0] <= at < hit[0] + self.SNIPPET})

            begin = max(hits, key=lambda hit: (spread(hit), -hit[0]))[0]
            for _ in range(3):  # a few words before it
                begin = max(0, window.rfind(" ", 0, max(0, begin - 1)))
        end = begin + self.SNIPPET
        if end >= len(window):
            end = len(window)
        elif (space := window.rfind(" ", begin + 1, end)) > 0:
            end = space  # not inside a word
        shown = [(a - begin, b - begin, f) for a, b, f in hits if begin <= a and b <= end]
        marked = " ".join(self.mark(window[begin:end], shown).split())
        return _elided(marked, cut_start or begin > 0, cut_end or end < len(window))


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

    CANDIDATES = 100  # the best matches by bm25, re-ranked by the words their titles name

    def find(self, query, any_word, limit):
        """The ids of the best `limit` matches, best first."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, title, headings FROM {self.table} WHERE {self.table} MATCH %s "
                f"ORDER BY bm25({self.table}, 10.0, 4.0, 1.0) LIMIT %s",
                [self._match(query, any_word), self.CANDIDATES],
            )
            return _best(query, cursor.fetchall(), limit)

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


class PostgresSearch:
    """Weighted vectors stored on each version (migration 0004), copied for the published
    articles into kb_searchdoc (0005) and searched with websearch_to_tsquery(); trigram
    similarity corrects mistyped words."""

    # How many matches, the best by title and headings, are ranked on their whole text.
    CANDIDATES = 100

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
        """The ids of the best `limit` matches, best first. CANDIDATES are taken from
        the GIN indexes: those with the words in their titles and headings, best first
        by that small vector, then, if too few, others with the words in their text
        (as the index gives them: ranking every match of a common word on its whole
        vector cost tens of milliseconds). They are ranked on the whole weighted
        vector, then by the words their titles name (_best)."""
        tsquery, text = self._tsquery(query, any_word)
        sql = f"""
            WITH q AS (SELECT {tsquery} AS query),
            in_titles AS (
                SELECT d.article_id, d.version_id, d.slug, d.search_vector
                FROM kb_searchdoc d, q
                WHERE d.rank_vector @@ q.query
                ORDER BY ts_rank('{{0.1, 0.2, 0.6, 1.0}}', d.rank_vector, q.query) DESC, d.slug
                LIMIT %s
            ),
            in_bodies AS (
                SELECT d.article_id, d.version_id, d.slug, d.search_vector
                FROM kb_searchdoc d, q
                WHERE d.search_vector @@ q.query AND NOT d.rank_vector @@ q.query
                LIMIT %s - (SELECT count(*) FROM in_titles)
            ),
            candidates AS (SELECT * FROM in_titles UNION ALL SELECT * FROM in_bodies)
            SELECT c.article_id, v.title, v.headings_text
            FROM candidates c JOIN kb_version v ON v.id = c.version_id, q
            -- Normalization 1 divides by 1 + the log of the article's length: without
            -- it the longest articles, which name every message once, came first.
            ORDER BY ts_rank('{{0.1, 0.2, 0.6, 1.0}}', c.search_vector, q.query, 1) DESC, c.slug
        """
        # The planner costs a sequential scan by its rows, not by the tsvector each row
        # must have unpacked to test it: with LIMIT it expected the first hundred
        # matches early and read every article's vector for a rare word (50 ms at 10,000
        # articles, where the GIN index takes 2). For this query only, in its own
        # transaction, which resets the setting when it ends.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(sql, [text, self.CANDIDATES, self.CANDIDATES])
            return _best(query, cursor.fetchall(), limit)

    def closest_word(self, term):
        # Nearest first by trigram distance (1 - similarity), from the GiST index (0015).
        sql = """
            SELECT word FROM kb_searchword
            WHERE word %% %s
            ORDER BY word <-> %s, word
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
    ids = engine.find(query, any_word=False, limit=limit)
    if ids or len(query.terms) == 1:
        return ids, True
    return engine.find(query, any_word=True, limit=limit), False


PER_PAGE = 10


def search(text, page=1, per_page=PER_PAGE):
    """Published articles matching every word of `text`, or failing that any word;
    when that finds nothing or only some words, the same with mistyped words corrected.
    The engine ranks its best CANDIDATES; page `page` of them is read and marked (the
    last page when there are fewer)."""
    query = Query.parse(text)
    if not query:
        return Results(query, [], True)
    engine = backend()
    limit = engine.CANDIDATES
    ranked, matched_all = _find(engine, query, limit)
    correction = None
    if not ranked or not matched_all:
        candidate = corrected(engine, query)
        if candidate:
            better, better_all = _find(engine, candidate, limit)
            # Taken when it finds something where the words as typed found nothing, or
            # finds every word where they found only some.
            if better and (better_all or not ranked):
                ranked, matched_all, correction = better, better_all, candidate
    shown = Paginator(ranked, per_page).get_page(page)
    ids = list(shown.object_list)
    # The result list needs titles, summaries and the prose snippets are cut from, not
    # each version's stored HTML and whole text.
    articles = Article.objects.brief("current_version__prose_text").in_bulk(ids)
    marker = Marker(correction or query)
    texts = {pk: a.current_version.prose_text for pk, a in articles.items()}
    firsts = {pk: marker.first(prose) for pk, prose in texts.items()}
    # A word found only in a command or a log line is shown where it is: in the whole
    # text, read only for the articles whose prose lacks every word found.
    if lacking := [pk for pk, at in firsts.items() if at is None]:
        texts.update(
            Version.objects.filter(
                pk__in=[articles[pk].current_version_id for pk in lacking]
            ).values_list("article_id", "plain_text")
        )
    results = [
        Result(
            article=articles[pk],
            title=highlight(marker.mark(articles[pk].title)),
            snippet=highlight(marker.snippet(texts[pk], firsts[pk])),
        )
        for pk in ids
        if pk in articles
    ]
    return Results(query, results, matched_all, correction, shown, len(ranked) >= limit)
