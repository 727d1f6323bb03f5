"""A fixed-window limit per client address, kept in the cache (shared by app servers)."""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse


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


VOTES_PER_HOUR = 20


def read_vote(request, field, scope):
    """The "yes" or "no" of an anonymous vote ("was this helpful?", "did this fix it?"),
    or the response refusing it: (answer, None) or (None, response)."""
    answer = request.POST.get(field)
    if answer not in {"yes", "no"}:
        return None, HttpResponse("Choose “Yes” or “No”.", status=400, content_type="text/plain")
    if not allow(request, scope, VOTES_PER_HOUR):
        return None, HttpResponse(
            "Thank you, but we have had many answers from your address in the last hour. "
            "Please try again later.",
            status=429,
            content_type="text/plain",
        )
    return answer, None
