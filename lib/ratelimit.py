"""A fixed-window limit per client address, in a store every worker shares.

With Redis, the counters live in the cache (shared by app servers). Without it they
live in the database, in one table (lib.models.Counter): a local-memory cache is per
process, so each Gunicorn worker would count on its own and five workers would allow
five times the limit. Each count is one atomic statement on SQLite and PostgreSQL.
"""

import random
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection

NEVER = 1e18  # "no expiry", in seconds since the epoch
# One increment in this many also deletes the counters whose window has ended.
SWEEP_EVERY = 200


def client_address(request):
    """The visitor's address. Behind nginx, REMOTE_ADDR is nginx itself, so production
    names the header nginx sets (CLIENT_IP_HEADER=X-Real-IP); only that proxy can set it."""
    if settings.CLIENT_IP_HEADER:
        forwarded = request.META.get(settings.CLIENT_IP_HEADER, "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "")


def _in_database():
    return settings.RATE_LIMIT_STORE == "database"


# A new window starts at 1 when the old one has ended; otherwise the count goes up.
UPSERT = """
INSERT INTO lib_counter (key, count, expires) VALUES (%s, 1, %s)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN lib_counter.expires <= %s THEN 1 ELSE lib_counter.count + 1 END,
    expires = CASE WHEN lib_counter.expires <= %s THEN %s ELSE lib_counter.expires END
RETURNING count
"""


def cache_increment(key, timeout):
    """Add one to a counter in the cache, created at 0 for `timeout` seconds (None: no
    expiry); the new value."""
    if hasattr(cache, "count_up"):  # Redis (portal.cache): in one round trip
        return cache.count_up(key, timeout)
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # the entry expired between add() and incr()
        cache.set(key, 1, timeout=timeout)
        return 1


def increment(key, timeout):
    """Add one to a shared rate-limit counter, created at 0 for `timeout` seconds (None:
    no expiry); the new value."""
    if not _in_database():
        return cache_increment(key, timeout)
    now = time.time()
    expires = NEVER if timeout is None else now + timeout
    with connection.cursor() as cursor:
        cursor.execute(UPSERT, [key[:250], expires, now, now, expires])
        (count,) = cursor.fetchone()
        if random.randrange(SWEEP_EVERY) == 0:  # noqa: S311 - not for security
            cursor.execute("DELETE FROM lib_counter WHERE expires <= %s", [now])
    return count


def count(key):
    """The current value of a shared counter (0 when it is unset or its window ended)."""
    if not _in_database():
        return cache.get(key) or 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count FROM lib_counter WHERE key = %s AND expires > %s",
            [key[:250], time.time()],
        )
        row = cursor.fetchone()
    return row[0] if row else 0


def allow(request, scope, limit, period=3600):
    """Count this request against `limit` per `period` seconds; False once over it."""
    return increment(f"ratelimit:{scope}:{client_address(request)}", period) <= limit
