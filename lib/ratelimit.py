"""A fixed-window limit per client address, kept in the cache (shared by app servers)."""

from django.conf import settings
from django.core.cache import cache


def client_address(request):
    """The visitor's address. Behind nginx, REMOTE_ADDR is nginx itself, so production
    names the header nginx sets (CLIENT_IP_HEADER=X-Real-IP); only that proxy can set it."""
    if settings.CLIENT_IP_HEADER:
        forwarded = request.META.get(settings.CLIENT_IP_HEADER, "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "")


def increment(key, timeout):
    """Add one to a counter in the shared cache, created at 0 for `timeout` seconds
    (None: no expiry); the new value."""
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # the entry expired between add() and incr()
        cache.set(key, 1, timeout=timeout)
        return 1


def allow(request, scope, limit, period=3600):
    """Count this request against `limit` per `period` seconds; False once over it."""
    return increment(f"ratelimit:{scope}:{client_address(request)}", period) <= limit
