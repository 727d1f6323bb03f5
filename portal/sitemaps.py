"""One file of the sitemap (`/sitemap-<section>.xml?p=N`), kept in the shared cache
until the content changes.

A file lists up to 2,000 addresses, and Django's sitemap template took some 300 ms to
write one. What a file lists changes only with a content load (articles, categories,
tags and the flowchart's outcomes are all loaded content), so it is kept under a key
that carries the content generation, which every load bumps: the first request after
a load writes the file again.
"""

import datetime
import hashlib

from django.conf import settings
from django.contrib.sitemaps.views import x_robots_tag
from django.contrib.sites.requests import RequestSite
from django.core.cache import cache
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import Http404, HttpResponse
from django.template import loader
from django.utils import timezone
from django.utils.http import http_date

from lib import generation

KEPT = 24 * 3600  # seconds a file is kept; a content load replaces it sooner


def _latest(lastmod):
    """`lastmod` (a date or a datetime) as an aware datetime, for Last-Modified."""
    if not isinstance(lastmod, datetime.datetime):
        lastmod = datetime.datetime.combine(lastmod, datetime.time.min)
    if timezone.is_naive(lastmod):
        lastmod = timezone.make_aware(lastmod, datetime.UTC)
    return lastmod


def _key(request, section, page):
    identity = "\n".join(
        (
            settings.RELEASE,
            str(generation.current()),
            request.scheme,
            request.get_host(),
            section,
            str(page),
        )
    )
    return "sitemap:file:" + hashlib.sha256(identity.encode()).hexdigest()


def _write(request, site, page):
    """(the file's XML, its Last-Modified header or None); Http404 for no such page."""
    try:
        urls = site.get_urls(page=page, site=RequestSite(request), protocol=request.scheme)
    except EmptyPage:
        raise Http404(f"Page {page} empty") from None
    except PageNotAnInteger:
        raise Http404(f"No page {page!r}") from None
    latest = getattr(site, "latest_lastmod", None)
    modified = http_date(_latest(latest).timestamp()) if latest else None
    return loader.render_to_string("sitemap.xml", {"urlset": urls}), modified


@x_robots_tag
def section(request, sitemaps, section):
    if section not in sitemaps:
        raise Http404(f"No sitemap available for section: {section!r}")
    page = request.GET.get("p", 1)
    key = _key(request, section, page)
    stored = cache.get(key)
    if stored is None:
        stored = _write(request, sitemaps[section](), page)
        cache.set(key, stored, KEPT)
    content, modified = stored
    response = HttpResponse(content, content_type="application/xml")
    if modified:
        response["Last-Modified"] = modified
    return response
