"""The content generation: a counter in the shared cache that every content load bumps.

The page cache keys pages by it and article ETags include it, so a content deploy is
seen by every app server. Each process trusts the value it last read for `TTL`
seconds, which bounds how long a page rendered from older content can be served.
"""

import time

from django.core.cache import cache

from lib.ratelimit import cache_increment

KEY = "pagecache:generation"
TTL = 5  # seconds a process trusts the generation it last read

_last = {"value": None, "read_at": 0.0}


def current():
    now = time.monotonic()
    if _last["value"] is None or now - _last["read_at"] > TTL:
        value = cache.get(KEY)
        if value is None:
            cache.add(KEY, 1, timeout=None)
            value = cache.get(KEY, 1)
        _last.update(value=value, read_at=now)
    return _last["value"]


def bump():
    """Make everything built from the previous content stale (after a content load)."""
    cache_increment(KEY, timeout=None)
    _last["value"] = None
