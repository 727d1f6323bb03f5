"""Django's Redis cache, except that Redis being down or not answering is a miss.

The cache holds copies (pages) and counters (rate limits, the content generation):
without it pages are rendered afresh and limits let visitors through, which is better
for a help site than an error page for everybody. A warning goes to the log at most
once a minute per process, so the operator learns of it without a flood.
"""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)
WARN_EVERY = 60  # seconds


class _Warnings:
    last = float("-inf")

    @classmethod
    def warn(cls, operation, error):
        now = time.monotonic()
        if now - cls.last >= WARN_EVERY:
            cls.last = now
            log.warning(
                "The cache is unavailable (%s: %s); pages are served without it and rate "
                "limits are not counted until it is back",
                operation, error,
            )  # fmt: skip


def _or(fallback):
    """Run the cache operation; when Redis is unavailable, return fallback(*args)."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNAVAILABLE as error:
                _Warnings.warn(method.__name__, error)
                return fallback(*args, **kwargs)

        return wrapper

    return decorate


def _default(key, default=None, version=None):
    return default


def _nothing(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _empty(*args, **kwargs):
    return {}


def _all_keys(data, *args, **kwargs):
    return list(data)  # set_many: the keys that were not stored


def _delta(key, delta=1, version=None):
    return delta  # as if the counter started again at zero


def _first_count(key, timeout=None):
    return 1  # as if the counter started again, as incr() does without Redis


class _OneClientPerPool(RedisCacheClient):
    """Django's client, keeping one redis-py client per connection pool. Django makes a
    new one for every operation, and redis-py's constructor fills a table of some 170
    reply parsers each time: a fifth of a page cache hit's time went there. A client
    over a pool is safe to share between threads, as redis-py documents."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _OneClientPerPool

    @_or(_first_count)
    def count_up(self, key, timeout=None):
        """Add one to a counter created at 0 for `timeout` seconds (None: no expiry);
        the new value. One round trip, where add() then incr() take three (incr()
        asks whether the key exists first), and the two steps cannot be split by the
        counter expiring between them: a rate limit counts every request with it."""
        key = self.make_and_validate_key(key)
        client = self._cache.get_client(key, write=True)
        expiry = {} if timeout is None else {"px": max(1, round(timeout * 1000))}
        pipeline = client.pipeline()  # MULTI ... EXEC: both or neither
        pipeline.set(key, 0, nx=True, **expiry)
        pipeline.incr(key)
        return pipeline.execute()[1]

    get = _or(_default)(RedisCache.get)
    get_many = _or(_empty)(RedisCache.get_many)
    has_key = _or(_false)(RedisCache.has_key)
    set = _or(_nothing)(RedisCache.set)
    set_many = _or(_all_keys)(RedisCache.set_many)
    add = _or(_false)(RedisCache.add)
    touch = _or(_false)(RedisCache.touch)
    delete = _or(_false)(RedisCache.delete)
    delete_many = _or(_nothing)(RedisCache.delete_many)
    incr = _or(_delta)(RedisCache.incr)
    clear = _or(_false)(RedisCache.clear)
