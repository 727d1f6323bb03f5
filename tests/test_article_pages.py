import re

import pytest
from django.contrib.staticfiles import finders

from kb.models import Article, Category

pytestmark = pytest.mark.django_db

BODY_V1 = "The backend stopped.\n\n## Confirm it\n\nRun `systemctl status php8.2-fpm`.\n"
BODY_V2 = "The backend process stopped.\n\n## Confirm it\n\nRun `systemctl status php8.3-fpm`.\n"


@pytest.fixture
def two_versions(content):
    content.write(
        "backend-down", title="The backend is down", body=BODY_V1, tags=["nginx", "php-fpm"]
    )
    content.write("disk-full", title="The disk is full", tags=["php-fpm"])
    content.write("swap", title="Add swap", category="basics", tags=["memory"])
    content.load()
    content.write(
        "backend-down",
        title="The backend is down",
        body=BODY_V2,
        tags=["nginx", "php-fpm"],
        change_note="PHP 8.3 examples.",
        applies_to=["nginx 1.18 and later", "PHP-FPM 8.x"],
    )
    content.load()
    return content


def test_it_shows_the_current_version_with_its_dates(client, two_versions):
    response = client.get("/kb/backend-down/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>The backend is down</h1>" in html
    assert "Version 2, updated" in html
    assert 'last reviewed <time datetime="2026-07-02">2 July 2026</time>' in html
    assert '<span class="chip">PHP-FPM 8.x</span>' in html
    assert "php8.3-fpm" in html


def test_it_points_search_engines_at_the_current_url(client, two_versions):
    html = client.get("/kb/backend-down/v1/").content.decode()
    assert '<link rel="canonical" href="http://testserver/kb/backend-down/">' in html


def test_it_keeps_the_previous_version_at_its_permalink(client, two_versions):
    response = client.get("/kb/backend-down/v1/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "php8.2-fpm" in html
    assert "You are reading <strong>version 1</strong>" in html
    assert 'href="/kb/backend-down/">Read the current version (2)</a>' in html


def test_the_current_version_permalink_has_no_old_version_banner(client, two_versions):
    html = client.get("/kb/backend-down/v2/").content.decode()
    assert "You are reading" not in html


def test_an_unknown_version_is_not_found(client, two_versions):
    assert client.get("/kb/backend-down/v9/").status_code == 404


def test_an_unknown_article_is_not_found_and_offers_search(client, two_versions):
    response = client.get("/kb/backend-dwn/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert 'name="q" value="backend dwn"' in html


def test_the_history_lists_versions_with_change_notes(client, two_versions):
    html = client.get("/kb/backend-down/history/").content.decode()
    assert '<a href="/kb/backend-down/v2/">Version 2</a> <span class="chip">current</span>' in html
    assert '<a href="/kb/backend-down/v1/">Version 1</a>' in html
    assert "PHP 8.3 examples." in html
    assert "First version." in html


def test_it_compares_two_versions_word_by_word(client, two_versions):
    response = client.get("/kb/backend-down/compare/?from=1&to=2")
    assert response.status_code == 200
    html = response.content.decode()
    assert "The backend <ins>process </ins>stopped." in html
    assert "php8.<del>2</del>-fpm" in html
    assert "php8.<ins>3</ins>-fpm" in html
    assert '<th scope="row">Applies to</th>' in html


def test_compare_defaults_to_the_last_change(client, two_versions):
    html = client.get("/kb/backend-down/compare/").content.decode()
    assert "<ins>process </ins>" in html


def test_compare_explains_a_version_that_does_not_exist(client, two_versions):
    response = client.get("/kb/backend-down/compare/?from=1&to=7")
    assert response.status_code == 400
    assert "There is no version “7” of this article; pick one of 1, 2." in response.content.decode()
    response = client.get("/kb/backend-down/compare/?from=abc&to=2")
    assert response.status_code == 400


def test_it_serves_the_markdown_of_a_version(client, two_versions):
    response = client.get("/kb/backend-down/v1.md")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("---\ntitle: The backend is down\n")
    assert "php8.2-fpm" in text


def test_a_superseded_version_is_cached_for_a_long_time(client, two_versions):
    response = client.get("/kb/backend-down/v1/")
    assert "immutable" in response["Cache-Control"]
    assert "max-age=31536000" in response["Cache-Control"]
    assert "immutable" in client.get("/kb/backend-down/v1.md")["Cache-Control"]


def test_the_current_article_revalidates_with_an_etag(client, two_versions):
    first = client.get("/kb/backend-down/")
    assert "max-age=300" in first["Cache-Control"]
    assert "immutable" not in first["Cache-Control"]
    again = client.get("/kb/backend-down/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_the_etag_changes_when_a_new_version_lands(client, two_versions):
    etag = client.get("/kb/backend-down/")["ETag"]
    two_versions.write("backend-down", body="Third text.\n", change_note="Shorter.")
    two_versions.load()
    response = client.get("/kb/backend-down/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "Version 3" in response.content.decode()


def test_article_pages_set_no_cookies(client, two_versions):
    response = client.get("/kb/backend-down/")
    assert not response.cookies


def test_it_lists_related_articles_by_shared_tags(client, two_versions):
    response = client.get("/kb/backend-down/")
    related = [article.slug for article in response.context["related"]]
    assert related == ["disk-full"]


def test_the_index_groups_articles_by_category(client, two_versions):
    html = client.get("/kb/").content.decode()
    assert '<h2 id="causes">Causes and fixes</h2>' in html
    assert '<h2 id="basics">Basics</h2>' in html
    assert html.index("The backend is down") < html.index('id="basics"') < html.index("Add swap")


def test_a_tag_page_lists_its_articles(client, two_versions):
    html = client.get("/kb/tags/php-fpm/").content.decode()
    assert "The backend is down" in html
    assert "The disk is full" in html
    assert "Add swap" not in html
    assert client.get("/kb/tags/no-such-tag/").status_code == 404


def test_an_archived_article_stays_readable_with_a_notice(client, two_versions):
    two_versions.remove("disk-full")
    two_versions.load()
    response = client.get("/kb/disk-full/")
    assert response.status_code == 200
    assert "This article was retired" in response.content.decode()
    assert "The disk is full" not in client.get("/kb/").content.decode()


def test_user_supplied_query_text_is_escaped_on_the_404_page(client, two_versions):
    response = client.get("/kb/%3Cscript%3Ealert(1)%3C%2Fscript%3E/")
    assert response.status_code == 404
    assert "<script>alert(1)" not in response.content.decode()


def test_pages_name_an_icon_and_favicon_ico_leads_to_it(client, db):
    page = client.get("/")
    assert b'rel="icon" href="/static/img/favicon.svg"' in page.content

    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/img/favicon.svg"
    assert finders.find("img/favicon.svg")


def test_the_home_page_lists_categories_in_their_order_with_counts(client, real_content):
    page = client.get("/").content.decode()
    cards = re.findall(r'<a href="/kb/categories/([a-z-]+)/">', page)
    assert cards == list(
        Category.objects.filter(articles__isnull=False).distinct().values_list("slug", flat=True)
    )
    published = Article.objects.published().filter(category__slug=cards[0]).count()
    assert f"{published} article" in page


def test_links_follow_the_prefix_the_site_is_served_under(client, two_versions, settings):
    """Addresses are remembered between requests; one served under a path prefix (which
    Django's WSGI handler sets from a proxy's SCRIPT_NAME before each request, as done
    here) must not leak into a page served without it, or back."""
    from django.urls import set_script_prefix

    settings.PAGE_CACHE_SECONDS = 0
    plain = client.get("/kb/backend-down/").content.decode()
    try:
        set_script_prefix("/help/")
        prefixed = client.get("/kb/backend-down/").content.decode()
    finally:
        set_script_prefix("/")
    again = client.get("/kb/backend-down/").content.decode()
    for link in ('href="/kb/"', 'href="/kb/tags/nginx/"', 'href="/kb/backend-down/history/"'):
        assert link in plain and link in again
        assert link.replace('"/', '"/help/', 1) in prefixed
    assert 'href="/help/' not in plain and 'href="/help/' not in again
    assert 'href="/kb/' not in prefixed


def test_the_contents_tags_and_sources_are_listed_and_escaped(client, content):
    content.write(
        "listed",
        body="Intro.\n\n## Fix & check\n\nDo this.\n\n### Then\n\nMore.\n",
        tags=["nginx", "php-fpm"],
        sources=["https://example.com/a?x=1&y=2"],
    )
    content.load()
    page = client.get("/kb/listed/").content.decode()
    assert '<li class="toc-level-2"><a href="#fix-check">Fix &amp; check</a></li>' in page
    assert '<li class="toc-level-3"><a href="#then">Then</a></li>' in page
    assert (
        '<a class="chip" href="/kb/tags/nginx/">nginx</a>'
        '<a class="chip" href="/kb/tags/php-fpm/">php-fpm</a>'
    ) in page
    source = "https://example.com/a?x=1&amp;y=2"
    assert f'<li><a href="{source}" rel="nofollow noopener">{source}</a></li>' in page


def test_an_uncached_page_shows_the_article_the_load_stored(client, settings, real_content):
    """The stored article is what the page would render itself: the same page either
    way, and the stored one is the one shown while its key holds."""
    from kb.models import ArticlePage

    settings.PAGE_CACHE_SECONDS = 0
    stored = client.get("/kb/backend-down/").content.decode()
    page = ArticlePage.objects.get(article__slug="backend-down")
    ArticlePage.objects.filter(pk=page.pk).delete()
    assert client.get("/kb/backend-down/").content.decode() == stored

    ArticlePage.objects.create(article_id=page.pk, key=page.key, html="<p>Stored copy</p>")
    assert "<p>Stored copy</p>" in client.get("/kb/backend-down/").content.decode()


def test_a_stale_stored_article_is_never_shown(client, settings, real_content):
    """Stored under another release (new code deployed before its load): the page
    renders the article itself, from the version."""
    from kb.models import ArticlePage

    settings.PAGE_CACHE_SECONDS = 0
    ArticlePage.objects.filter(article__slug="backend-down").update(html="<p>Stored copy</p>")
    settings.RELEASE = "next"
    page = client.get("/kb/backend-down/").content.decode()
    assert "Stored copy" not in page
    assert "Is this your problem?" in page


def test_each_load_stores_the_articles_it_changed_and_drops_retired_ones(two_versions):
    from kb import pages
    from kb.models import ArticlePage

    stored = dict(ArticlePage.objects.values_list("article__slug", "html"))
    assert set(stored) == {"backend-down", "disk-full", "swap"}
    assert "php8.3-fpm" in stored["backend-down"] and "php8.2-fpm" not in stored["backend-down"]
    assert pages.refresh() == 0  # nothing changed since

    two_versions.remove("disk-full")
    two_versions.load()
    assert set(ArticlePage.objects.values_list("article__slug", flat=True)) == {
        "backend-down",
        "swap",
    }
