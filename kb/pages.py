"""Each current version's article, rendered once by the content load and stored.

An article page is its version's article (title, quick fix, table of contents, prose,
tags, sources) inside parts that change with the request, the date or the incidents
(banners, the feedback form, related articles, the known-problem notice). The article
itself depends only on the version and the code, so `refresh()` renders it at load
time into `ArticlePage`, and a page that misses the page cache reads it instead of
rendering it: rendering was half of an uncached page's time. The one part of it the
flowchart decides, the way into the troubleshooter, is left as a slot the page fills
(the flowchart is the troubleshooter's, which this app does not read).

A stored article carries the key of what it was rendered from. A page uses it only
when the key is still the current one (the same release, version and script prefix);
otherwise, as after a deploy of new code before its load, it renders the article
itself, so a stale copy is never shown. With DEBUG on, pages always render it, so an
edited template shows at once.
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe

from kb.models import UNSHOWN_FIELDS, Article, ArticlePage

TEMPLATE = "kb/_article_body.html"
SLOT = "<!-- the way into the troubleshooter -->"
BATCH = 500  # articles rendered and written at a time


def key(version_id):
    """What an article rendered now for the version `version_id` depends on."""
    # The script prefix is a request's (a proxy's SCRIPT_NAME) or FORCE_SCRIPT_NAME, which
    # is what a load renders with: a site served under a prefix the load did not know
    # renders its articles per request rather than link them to the wrong place.
    return f"{settings.RELEASE}:{version_id}:{get_script_prefix()}"


def context(article, version):
    return {
        "article": article,
        "version": version,
        "toc": [entry for entry in version.toc if entry["level"] in (2, 3)],
    }


@dataclass(frozen=True)
class Stored:
    """A stored article, cut where the page puts the way into the troubleshooter."""

    before: str
    after: str


def stored(article):
    """The stored article for `article`'s current version (read with
    `Article.objects.for_page()`), or None when there is none or it is stale."""
    if settings.DEBUG:
        return None
    try:
        page = article.page
    except ArticlePage.DoesNotExist:
        return None
    if page.key != key(article.current_version_id):
        return None
    before, _, after = page.html.partition(SLOT)
    # Both rendered by the autoescaping template.
    return Stored(mark_safe(before), mark_safe(after))  # noqa: S308


def refresh():
    """Render and store the article of every published article whose stored one is
    missing or stale; delete the others' (retired articles'). Returns how many were
    rendered."""
    keys = dict(ArticlePage.objects.values_list("article_id", "key"))
    published = Article.objects.published()
    wanted = {
        pk: key(version_id) for pk, version_id in published.values_list("pk", "current_version_id")
    }
    ArticlePage.objects.exclude(article_id__in=wanted).delete()
    stale = sorted(pk for pk, wanted_key in wanted.items() if keys.get(pk) != wanted_key)
    articles = Article.objects.select_related("current_version").defer(
        *(f"current_version__{field}" for field in UNSHOWN_FIELDS)
    )
    for start in range(0, len(stale), BATCH):
        rows = []
        for article in articles.filter(pk__in=stale[start : start + BATCH]):
            version = article.current_version
            version.article = article
            html = render_to_string(
                TEMPLATE, {**context(article, version), "flowchart_slot": mark_safe(SLOT)}
            )
            rows.append((article.pk, wanted[article.pk], html))
        _store(rows)
    return len(stale)


def _store(rows):
    """Replace the rows' stored articles: deleted and inserted in two statements."""
    if not rows:
        return
    ArticlePage.objects.filter(article_id__in=[pk for pk, _, _ in rows]).delete()
    ArticlePage.objects.bulk_create(
        ArticlePage(article_id=pk, key=page_key, html=html) for pk, page_key, html in rows
    )
