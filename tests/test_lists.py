"""The lists of articles: the index by category, a page per category and per tag, each
in pages of `PER_PAGE`, and the queries they make whatever the number of articles."""

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def many(content):
    """60 articles about causes (tagged nginx), 3 basics, written one after another."""
    for number in range(60):
        content.write(f"case-{number:02}", title=f"Case {number:02}", tags=["nginx"])
    for number in range(3):
        content.write(
            f"basic-{number}", title=f"Basic {number}", category="basics", tags=["memory"]
        )
    content.load()
    return content


def titles(response):
    return re.findall(r'<li>\s*<a href="/kb/[^"]+/">([^<]+)</a>', response.content.decode())


def test_the_index_shows_each_category_with_its_count_and_a_link_to_all(client, many):
    html = client.get("/kb/").content.decode()
    assert '<h2 id="causes">Causes and fixes</h2>' in html
    assert "The 5 most recently updated of its 60 articles:" in html
    assert '<a href="/kb/categories/causes/">All 60 articles in Causes and fixes</a>' in html
    assert '<a href="/kb/categories/basics/">All 3 articles in Basics</a>' in html
    # A small category shows all its articles, without the note.
    assert "of its 3 articles" not in html
    assert html.index('id="causes"') < html.index("Case 59") < html.index('id="basics"')
    assert html.index('id="basics"') < html.index("Basic 0")


def test_the_index_shows_the_most_recently_updated_articles_of_a_category(client, many):
    response = client.get("/kb/")
    causes = titles(response)[:5]
    assert causes == ["Case 59", "Case 58", "Case 57", "Case 56", "Case 55"]
    many.write("case-03", title="Case 03", body="Rewritten.\n", tags=["nginx"])
    many.load()
    assert titles(client.get("/kb/"))[0] == "Case 03"


def test_a_category_page_lists_its_articles_by_title_in_pages(client, many):
    response = client.get("/kb/categories/causes/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Causes and fixes</h1>" in html
    assert "60 articles, by title; 1 to 50 on this page." in html
    assert titles(response) == [f"Case {number:02}" for number in range(50)]
    assert "Page 1 of 2" in html
    assert '<a rel="next" href="/kb/categories/causes/?page=2">Next' in html
    assert 'rel="prev"' not in html

    second = client.get("/kb/categories/causes/?page=2")
    assert titles(second) == [f"Case {number:02}" for number in range(50, 60)]
    html = second.content.decode()
    assert "Page 2 of 2" in html
    # The first page has one address, without ?page=1.
    assert '<a rel="prev" href="/kb/categories/causes/">Previous' in html
    assert 'rel="next"' not in html
    assert "<title>Causes and fixes, page 2 · " in html


def test_a_middle_page_links_to_both_ends(client, many, monkeypatch):
    monkeypatch.setattr("kb.views.PER_PAGE", 10)  # six pages
    html = client.get("/kb/categories/causes/?page=3").content.decode()
    assert "Page 3 of 6" in html
    assert '<a href="/kb/categories/causes/">First' in html
    assert '<a rel="prev" href="/kb/categories/causes/?page=2">Previous' in html
    assert '<a rel="next" href="/kb/categories/causes/?page=4">Next' in html
    assert '<a href="/kb/categories/causes/?page=6">Last' in html
    # Next to an end, "First" or "Last" would repeat "Previous" or "Next".
    html = client.get("/kb/categories/causes/?page=5").content.decode()
    assert ">Last<" not in html and ">First<" in html
    html = client.get("/kb/categories/causes/?page=2").content.decode()
    assert ">First<" not in html and ">Last<" in html


def test_a_short_category_has_no_page_links(client, many):
    html = client.get("/kb/categories/basics/").content.decode()
    assert "3 articles, by title." in html
    assert 'class="pagination"' not in html


def test_an_article_leads_back_to_its_category_page(client, many):
    html = client.get("/kb/case-07/").content.decode()
    assert '<a href="/kb/categories/causes/">Causes and fixes</a>' in html


@pytest.mark.parametrize(
    "query", ["?page=abc", "?page=99999", "?page=3", "?page=-1", "?page=0", "?page=1.5",
              "?page=%C2%B2", "?page=" + "9" * 30, "?page=1&page=x"],
)  # fmt: skip
def test_a_page_that_does_not_exist_is_not_found(client, many, query):
    assert client.get("/kb/categories/causes/" + query).status_code == 404
    assert client.get("/kb/tags/nginx/" + query).status_code == 404


def test_an_empty_page_number_is_the_first_page(client, many):
    assert titles(client.get("/kb/categories/causes/?page="))[0] == "Case 00"


def test_an_unknown_or_empty_category_is_not_found(client, many):
    assert client.get("/kb/categories/no-such-category/").status_code == 404
    for number in range(3):
        many.remove(f"basic-{number}")
    many.load()
    assert client.get("/kb/categories/basics/").status_code == 404
    assert "/kb/categories/basics/" not in client.get("/kb/").content.decode()


def test_a_tag_page_is_paginated_too(client, many):
    first = client.get("/kb/tags/nginx/")
    assert titles(first) == [f"Case {number:02}" for number in range(50)]
    assert "Page 1 of 2" in first.content.decode()
    second = client.get("/kb/tags/nginx/?page=2")
    assert titles(second) == [f"Case {number:02}" for number in range(50, 60)]
    assert '<a rel="prev" href="/kb/tags/nginx/">Previous' in second.content.decode()


def test_an_article_cannot_take_the_address_of_the_category_pages(content):
    from lib.content import ContentError

    content.write("categories")
    with pytest.raises(ContentError, match="reserved"):
        content.load()


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/kb/", 3),  # the categories with their counts, the newest ids of each, their articles
        ("/kb/categories/causes/", 4),  # the category, its count, the page's ids, their articles
        ("/kb/categories/causes/?page=2", 4),
        ("/kb/tags/nginx/?page=2", 4),  # the tag, its count, the page's ids, their articles
    ],
)
def test_lists_make_a_fixed_number_of_queries(
    client, many, django_assert_num_queries, url, queries
):
    assert client.get(url).status_code == 200
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    # Twice the articles, the same queries.
    for number in range(60, 120):
        many.write(f"case-{number:03}", title=f"Case {number:03}", tags=["nginx"])
    many.load()
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
