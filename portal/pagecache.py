"""A page cache for anonymous visitors, kept in Django's cache (Redis in production).

Only responses a view marked `Cache-Control: public` are stored, and only when they
set no cookie and vary on nothing but HX-Request: the same rule the nginx micro-cache
in deploy/ follows, so one page is never cached in one place and refused in the other.
Pages that carry a CSRF token are made private by `PrivatePerVisitorMiddleware`, so a
form with a per-visitor token is never stored.

Keys carry a content generation. `load_content` bumps it, and every process picks up
the new value within `generation.TTL` seconds, so a content deploy never shows pages
rendered from the previous content for longer than that.

Keys also carry the state of the known-problem notice (`incidents.known.page_key`):
saving or resolving an incident changes it, and so does the clock passing an open
incident's resolved time, so a cached page never shows a notice that is gone or
hides one that is up. It comes from the cache; the database is asked only when the
cache has lost it.

Keys carry today's date too: what an article says about its review changes on the
day it falls due, with nothing saved.

Each process also keeps the pages it served last (`NEAR_PAGES` of them) for at most
`generation.TTL` seconds: a popular page is then answered without a round trip to
Redis, which measured as the larger part of a hit (1,900 pages a second on two cores
with every hit read from Redis, 3,300 from memory). It adds nothing to how stale a
page can be, since the generation is trusted for as long.
"""

import hashlib
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, get_max_age
from django.utils.http import parse_etags

from incidents import known
from lib import generation

STORED_VARY = {"hx-request"}
# A signed-in member of staff (admin session) or a carried message gets fresh pages.
PRIVATE_COOKIES = ("sessionid", "messages")

NEAR_PAGES = 64  # pages kept in each process (a page is some 40 KB)

_near = OrderedDict()  # key -> (stored page, monotonic time it expires)


def _near_get(key):
    entry = _near.get(key)
    if entry is None:
        return None
    if entry[1] < time.monotonic():
        del _near[key]
        return None
    _near.move_to_end(key)
    return entry[0]


def _near_put(key, stored, timeout):
    _near[key] = (stored, time.monotonic() + min(timeout, generation.TTL))
    _near.move_to_end(key)
    while len(_near) > NEAR_PAGES:
        _near.popitem(last=False)


def forget():
    """Drop this process's copies (after the shared cache is emptied)."""
    _near.clear()


def _eligible(request):
    if request.method not in ("GET", "HEAD") or not settings.PAGE_CACHE_SECONDS:
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    return not any(name in request.COOKIES for name in PRIVATE_COOKIES)


def _key(request):
    identity = "\n".join(
        (
            settings.RELEASE,
            str(generation.current()),
            known.page_key(),
            # A page may change with the date alone (an article's review falling due).
            timezone.localdate().isoformat(),
            request.scheme,
            request.get_host(),  # validates Host against ALLOWED_HOSTS on hits too
            request.get_full_path(),
            request.META.get("HTTP_HX_REQUEST", ""),
        )
    )
    return "pagecache:page:" + hashlib.sha256(identity.encode()).hexdigest()


def storable(response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    directives = {
        part.strip().split("=")[0].lower()
        for part in response.get("Cache-Control", "").split(",")
        if part.strip()
    }
    if "public" not in directives or directives & {"private", "no-store", "no-cache"}:
        return False
    vary = {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}
    return vary <= STORED_VARY


def _rebuild(stored):
    headers, content = stored
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    return response


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _eligible(request):
            return self.get_response(request)
        key = _key(request)
        stored = _near_get(key)
        if stored is None:
            stored = cache.get(key)
            if stored is not None:
                _near_put(key, stored, settings.PAGE_CACHE_SECONDS)
        if stored is not None:
            response = _rebuild(stored)
            if parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
                response = get_conditional_response(
                    request, etag=response.get("ETag"), response=response
                )
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if request.method == "GET" and storable(response):
            max_age = get_max_age(response)
            timeout = settings.PAGE_CACHE_SECONDS
            if max_age is not None:
                timeout = min(timeout, max_age)
            if timeout > 0:
                stored = (list(response.items()), response.content)
                cache.set(key, stored, timeout)
                _near_put(key, stored, timeout)
            response["X-Page-Cache"] = "miss"
        return response
