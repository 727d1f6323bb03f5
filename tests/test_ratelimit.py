"""The shared counters behind every limit, in the database (SQLite here, PostgreSQL in
make test's second pass) when there is no Redis."""

import time

import pytest

from lib import ratelimit

pytestmark = pytest.mark.django_db


def test_a_counter_counts_and_starts_again_when_its_window_ends(settings):
    settings.RATE_LIMIT_STORE = "database"
    assert [ratelimit.increment("k", 0.2) for _ in range(3)] == [1, 2, 3]
    assert ratelimit.count("k") == 3
    time.sleep(0.25)
    assert ratelimit.count("k") == 0
    assert ratelimit.increment("k", 60) == 1
    assert ratelimit.increment("other", None) == 1


def test_a_limit_lets_exactly_its_number_through(rf, settings):
    settings.RATE_LIMIT_STORE = "database"
    request = rf.post("/", REMOTE_ADDR="192.0.2.7")
    assert [ratelimit.allow(request, "test", 3) for _ in range(5)] == [True] * 3 + [False] * 2


def test_a_very_long_key_is_cut_to_fit(settings):
    settings.RATE_LIMIT_STORE = "database"
    key = "ratelimit:x:" + "a" * 1000
    assert ratelimit.increment(key, 60) == 1
    assert ratelimit.count(key) == 1


@pytest.mark.cache
def test_a_counter_in_redis_counts_in_one_round_trip_and_starts_again_when_its_window_ends():
    from django.core.cache import cache

    cache.delete_many(["ratelimit:redis", "ratelimit:forever"])
    assert [ratelimit.increment("ratelimit:redis", 0.3) for _ in range(3)] == [1, 2, 3]
    assert ratelimit.count("ratelimit:redis") == 3
    time.sleep(0.4)
    assert ratelimit.count("ratelimit:redis") == 0
    assert ratelimit.increment("ratelimit:redis", 60) == 1
    assert ratelimit.increment("ratelimit:forever", None) == 1


@pytest.mark.cache
def test_threads_sharing_the_redis_client_lose_no_count():
    """The cache keeps one redis-py client per connection pool (portal.cache): counts
    made from several threads at once through it all arrive, and each gets its own
    answer. (On the first pass, without Redis, the same runs on the local cache.)"""
    from concurrent.futures import ThreadPoolExecutor

    from django.core.cache import cache

    cache.delete("ratelimit:threads")
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(lambda _: ratelimit.cache_increment("ratelimit:threads", 60), range(400))
        )
    assert sorted(answers) == list(range(1, 401))
    assert cache.get("ratelimit:threads") == 400
