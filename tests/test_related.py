"""Related articles: ranked when content is loaded and stored on each article, so an
article page reads its list instead of counting shared tags for every reader."""

import itertools

import pytest

from kb.models import RELATED, Article

pytestmark = pytest.mark.django_db


def related(client, slug):
    return [article.slug for article in client.get(f"/kb/{slug}/").context["related"]]


def test_articles_sharing_more_tags_come_first_then_those_in_the_same_category(client, content):
    content.write("reader", tags=["nginx", "php-fpm", "memory"])
    content.write("a-one-tag", tags=["nginx"])
    content.write("b-two-tags", tags=["nginx", "memory"])
    content.write("c-three-tags", tags=["memory", "php-fpm", "nginx"], category="basics")
    content.write("d-one-tag-elsewhere", tags=["memory"], category="basics")
    content.write("e-no-shared-tag", tags=["docker"])
    content.load()
    assert related(client, "reader") == [
        "c-three-tags",
        "b-two-tags",
        "a-one-tag",  # one tag, same category as the reader
        "d-one-tag-elsewhere",
    ]
    assert related(client, "e-no-shared-tag") == []


def test_the_lists_follow_a_content_load(client, content):
    content.write("reader", tags=["nginx"])
    content.write("other", tags=["nginx"])
    content.write("retiring", tags=["nginx"])
    content.write("newcomer", tags=["docker"])
    content.load()
    assert related(client, "reader") == ["other", "retiring"]

    content.remove("retiring")
    content.write("newcomer", tags=["docker", "nginx"], change_note="Also about nginx.")
    content.write("other", tags=["docker"], change_note="Only about Docker.")
    content.load()
    assert related(client, "reader") == ["newcomer"]
    assert related(client, "other") == ["newcomer"]
    # A retired article's page still suggests the current ones.
    assert related(client, "retiring") == ["newcomer", "reader"]


def test_a_related_link_shows_the_title_and_summary_of_the_last_load(client, content):
    """The links are stored with the list, so a retitled article must be stored again
    in every list that names it, though the lists themselves did not change."""
    content.write("reader", tags=["nginx"])
    content.write("other", title="Old title", summary="Old summary.", tags=["nginx"])
    content.load()
    page = client.get("/kb/reader/").content.decode()
    assert '<a href="/kb/other/">Old title</a>' in page and "Old summary." in page

    content.write("other", title="New title", summary="New summary.", tags=["nginx"])
    content.load()
    page = client.get("/kb/reader/").content.decode()
    assert '<a href="/kb/other/">New title</a>' in page and "New summary." in page
    assert "Old title" not in page and "Old summary." not in page


def test_the_stored_lists_rank_as_counting_shared_tags_would(content):
    """Against the ranking written out plainly, on articles whose tag sets overlap in
    every way, several alike (which the loader ranks once for all of them)."""
    tag_sets = [["nginx"], ["nginx", "php-fpm"], ["memory"], ["nginx", "memory", "swap"]]
    tag_sets += [["php-fpm", "swap"], ["docker"], ["nginx", "php-fpm", "memory", "swap"]]
    written = {}
    for number, (tags, category) in enumerate(
        itertools.islice(itertools.cycle(itertools.product(tag_sets, ["causes", "basics"])), 100)
    ):
        slug = f"article-{(number * 37) % 100:02}"  # slugs out of order with the groups
        content.write(slug, tags=tags, category=category)
        written[slug] = (set(tags), category)
    content.load()
    content.remove("article-03")  # retired: on no one's list, but still given one
    content.load()
    published = {slug: meta for slug, meta in written.items() if slug != "article-03"}

    def expected(slug):
        tags, category = written[slug]
        others = [
            (-len(tags & other_tags), other_category != category, other)
            for other, (other_tags, other_category) in published.items()
            if other != slug and tags & other_tags
        ]
        return [other for *_, other in sorted(others)[:RELATED]]

    for article in Article.objects.all():
        stored = [link["slug"] for link in article.related_links]
        assert stored == expected(article.slug), article.slug


def test_an_article_page_makes_the_same_queries_whatever_the_number_of_articles(
    client, content, settings, django_assert_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0
    for number in range(60):
        content.write(f"case-{number:02}", tags=["nginx", "php-fpm", f"case-{number % 7}"])
    content.load()
    # The current page: the article with its version (its ETag is made from them) and
    # its related articles' links. A version's page: its ETag (version and retirement),
    # the version with its article and the links.
    for url, queries in (("/kb/case-10/", 1), ("/kb/case-10/v1/", 2)):
        assert client.get(url).status_code == 200
        with django_assert_num_queries(queries):
            response = client.get(url)
        assert len(response.context["related"]) == RELATED
