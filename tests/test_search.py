import os

import pytest

from kb.search import Query

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(content):
    content.write(
        "in-title",
        title="Gunicorn worker timeout",
        body="Nothing relevant here.\n\n## Fix it\n\nText.\n",
    )
    content.write(
        "in-heading", title="Slow pages", body="Intro.\n\n## When gunicorn is slow\n\nText.\n"
    )
    content.write(
        "in-body",
        title="Reading logs",
        body="Intro.\n\n## Details\n\nThe gunicorn master restarts a worker after its timeout.\n",
    )
    content.write(
        "socket", title="Socket path", body="connect() to unix:/run/php/php8.2-fpm.sock failed\n"
    )
    content.load()


def slugs(response):
    return [result.article.slug for result in response.context["results"]]


def test_it_ranks_title_over_headings_over_body(client, articles):
    response = client.get("/search/", {"q": "gunicorn"})
    assert slugs(response) == ["in-title", "in-heading", "in-body"]


def test_it_highlights_the_matched_words(client, articles):
    html = client.get("/search/", {"q": "restarts"}).content.decode()
    assert "<mark>restarts</mark>" in html


def test_it_matches_the_unfinished_last_word_as_you_type(client, articles):
    assert slugs(client.get("/search/", {"q": "gunic"})) == ["in-title", "in-heading", "in-body"]


def test_it_falls_back_to_any_word_when_no_article_has_them_all(client, articles):
    response = client.get("/search/", {"q": "gunicorn zebra "})
    assert slugs(response)[0] == "in-title"
    assert "none has them all" in response.content.decode()


def test_it_finds_a_pasted_log_line(client, articles):
    q = "connect() to unix:/run/php/php8.2-fpm.sock failed (2: No such file or directory)"
    assert slugs(client.get("/search/", {"q": q}))[0] == "socket"


@pytest.mark.reliability(
    "Input",
    "search queries in FTS5 and tsquery syntax, control characters, emoji, 2,000 characters",
)
@pytest.mark.parametrize(
    "q",
    ['"', '""', "*", "NEAR(", "NEAR(a b", "-", "-gunicorn", "a AND", "OR", "^", "gunicorn:",
     "(", ")", "'", "title:x", "{}", "\\", "%", "_", "NOT", "\x00", "🙂", "ß" * 500,
     "word " * 399],
)  # fmt: skip
def test_odd_queries_never_fail(client, articles, q):
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200


def test_punctuation_only_gets_a_helpful_message(client, articles):
    html = client.get("/search/", {"q": "?!*"}).content.decode()
    assert "has no letters or numbers to search for" in html


def test_an_empty_query_shows_a_hint(client, articles):
    html = client.get("/search/").content.decode()
    assert "Try an error message from your log" in html


def test_only_the_first_twelve_distinct_words_are_searched(client, articles):
    words = [f"word{n}" for n in range(30)]
    query = Query.parse(" ".join(["gunicorn", *words]))
    assert query.terms == ("gunicorn", *words[:11])
    assert query.truncated
    html = client.get("/search/", {"q": " ".join(["gunicorn", *words])}).content.decode()
    assert "Only your first 12 words were searched." in html


def test_a_query_over_the_limit_is_refused_with_a_reason(client, articles):
    response = client.get("/search/", {"q": "gunicorn " * 300})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Your search is 2,700 characters long; the limit is 2,000." in html
    assert 'value="gunicorn gunicorn' in html  # what was typed stays in the box


def test_htmx_gets_only_the_results(client, articles):
    response = client.get("/search/", {"q": "gunicorn"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert '<ol class="results">' in html
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_without_javascript_the_same_results_come_as_a_page(client, articles):
    response = client.get("/search/", {"q": "gunicorn"})
    html = response.content.decode()
    assert "<html" in html
    results = html[html.index('<ol class="results">') :]
    assert results[: results.index("</ol>")].count('<a href="/kb/') == 3


@pytest.mark.reliability(
    "Escaping", "markup typed into search and every ticket field, shown everywhere"
)
def test_search_text_is_escaped(client, articles):
    html = client.get("/search/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html


def test_archived_articles_are_not_found(client, articles, content):
    content.remove("in-title")
    content.load()
    assert "in-title" not in slugs(client.get("/search/", {"q": "gunicorn"}))


def test_a_mistyped_word_is_corrected_when_nothing_matches(client, articles):
    response = client.get("/search/", {"q": "gunicron "})
    assert slugs(response) == ["in-title", "in-heading", "in-body"]
    html = response.content.decode()
    assert "Showing results for <strong>gunicorn</strong>" in html


def test_only_the_mistyped_word_is_corrected(client, articles):
    response = client.get("/search/", {"q": "worker timout "})
    assert slugs(response)[0] == "in-title"
    assert response.context["results"].corrected.text == "worker timeout"


def test_a_word_no_article_resembles_is_not_corrected(client, articles):
    response = client.get("/search/", {"q": "xylophone "})
    assert slugs(response) == []
    assert "Showing results for" not in response.content.decode()


def test_the_vocabulary_follows_the_published_articles(client, articles, content):
    from kb.models import SearchWord

    assert SearchWord.objects.filter(word="gunicorn").exists()
    content.remove("socket")
    content.load()
    assert not SearchWord.objects.filter(word="unix").exists()


def test_a_quoted_phrase_is_searched_as_words(client, articles):
    assert slugs(client.get("/search/", {"q": '"worker timeout"'}))[0] == "in-title"


def snippet_of(client, q, slug):
    response = client.get("/search/", {"q": q})
    [result] = [r for r in response.context["results"] if r.article.slug == slug]
    return str(result.snippet)


@pytest.fixture
def long_article(content, articles):
    filler = "Plain words about servers and their logs go on here. " * 4500  # 243 KB, twice
    content.write(
        "long",
        title="A long article",
        body=f"{filler}\n\nAt the very end HAProxy marks the backend down.\n\n{filler}",
    )
    content.load()


@pytest.mark.reliability("Content", "search in 486 KB articles: snippets cut from a window")
def test_a_snippet_comes_from_where_the_word_is_in_a_long_article(client, long_article):
    snippet = snippet_of(client, "haproxy", "long")
    assert "<mark>HAProxy</mark> marks the backend down" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) < 400


@pytest.mark.reliability("Content", "search in 486 KB articles: snippets cut from a window")
def test_a_word_found_everywhere_still_gets_a_short_snippet(client, long_article):
    snippet = snippet_of(client, "servers", "long")
    assert snippet.count("<mark>servers</mark>") >= 2
    assert len(snippet) < 400


def test_a_snippet_marks_other_forms_of_the_word(client, long_article):
    assert "<mark>marks</mark>" in snippet_of(client, "marked", "long")


def test_a_word_only_in_the_title_gets_the_start_of_the_body(client, articles):
    snippet = snippet_of(client, "worker timeout", "in-title")
    assert snippet.startswith("Nothing relevant here")


ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL only; runs in make test's second pass")
def test_postgres_reads_web_search_syntax(client, articles):
    assert set(slugs(client.get("/search/", {"q": "gunicorn -restarts"}))) == {
        "in-title",
        "in-heading",
    }
    assert slugs(client.get("/search/", {"q": '"master restarts"'})) == ["in-body"]
    assert slugs(client.get("/search/", {"q": "zebra or socket"})) == ["socket"]


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL only; runs in make test's second pass")
def test_postgres_finds_matches_through_the_index_of_the_table_search_reads(articles):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kb.search import PostgresSearch

    with CaptureQueriesContext(connection) as queries:
        assert PostgresSearch().find(Query.parse("gunicorn"), any_word=False, limit=20)
    [sql] = [q["sql"] for q in queries.captured_queries if "kb_searchdoc" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # a few rows: PostgreSQL would scan them
        cursor.execute("EXPLAIN " + sql)
        plan = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert "kb_searchdoc_search_vector" in plan


@pytest.fixture
def many(content):
    for number in range(23):
        content.write(f"proxy-{number:02}", title=f"Proxy note {number:02}", body="Text.\n")
    content.load()


def test_results_come_in_pages_that_keep_the_words_and_their_order(client, many):
    first = client.get("/search/", {"q": "proxy note"})
    html = first.content.decode()
    assert len(slugs(first)) == 10
    assert "23 articles; these are 1 to 10." in html
    assert 'href="/search/?q=proxy+note&amp;page=2"' in html
    second = client.get("/search/", {"q": "proxy note", "page": "2"})
    assert 'start="11"' in second.content.decode()
    last = client.get("/search/", {"q": "proxy note", "page": "3"})
    everything = slugs(first) + slugs(second) + slugs(last)
    assert len(everything) == 23 and len(set(everything)) == 23


@pytest.mark.parametrize("page", ["0", "-1", "two", "²", "9" * 40])
def test_a_page_that_is_not_a_number_shows_the_first_and_one_past_the_end_the_last(
    client, many, page
):
    response = client.get("/search/", {"q": "proxy note", "page": page})
    assert response.status_code == 200
    assert "these are 1 to 10" in response.content.decode()
    beyond = client.get("/search/", {"q": "proxy note", "page": "99"})
    assert "these are 21 to 23" in beyond.content.decode()


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL only; runs in make test's second pass")
def test_postgres_plans_the_find_query_on_its_indexes_whatever_the_table_size(articles):
    """With a LIMIT the planner expected early matches from a sequential scan and, for a
    rare word, read every article's vector (50 ms at 10,000 articles): the query runs
    with scans off, so even these few rows come from the GIN indexes."""
    from django.db import connection

    from kb.search import PostgresSearch

    plans = []

    def explain_first(execute, sql, params, many, context):
        if "kb_searchdoc" in sql and sql.lstrip().startswith("WITH"):
            context["cursor"].execute("EXPLAIN " + sql, params)
            plans.append(" ".join(row[0] for row in context["cursor"].fetchall()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(explain_first):
        PostgresSearch().find(Query.parse("zebra"), any_word=False, limit=20)
    [plan] = plans
    assert "Seq Scan on kb_searchdoc" not in plan
    assert "kb_searchdoc_rank_vector" in plan and "kb_searchdoc_search_vector" in plan
