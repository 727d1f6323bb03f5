"""Limits hold across workers: several Gunicorn workers on the embedded default (no
Redis) share one count per visitor, so a limit of N lets N through, not N per worker."""

import http.client
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.deploy.stack import Stack, free_port, manage, production_env

pytestmark = pytest.mark.deploy

WORKERS = 4
VOTES = 30  # lib.votes.VOTES_PER_HOUR is 20


@pytest.fixture(scope="module")
def workers(tmp_path_factory):
    root = tmp_path_factory.mktemp("limits")
    # The embedded default: SQLite and no Redis, whatever the suite was given.
    env = production_env(root, SECURE_SSL_REDIRECT="0")
    env["DATABASE_URL"] = f"sqlite:///{root / 'portal.sqlite3'}"
    env.pop("REDIS_URL", None)
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "load_content")
    port = free_port()
    with Stack(root, env, workers=WORKERS, nginx=False, gunicorn_bind=f"127.0.0.1:{port}") as stack:
        stack.port = port
        yield stack


def vote(port, client):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(
        "POST",
        "/troubleshoot/cause/disk-full/feedback/",
        body="fixed=yes",
        headers={
            "Host": "127.0.0.1",
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Real-IP": client,
        },
    )
    status = connection.getresponse().status
    connection.close()
    return status


@pytest.mark.reliability(
    "Limits",
    "30 votes from one address across 4 Gunicorn workers (limit 20), and a per-process store refused",
)
def test_a_visitor_gets_the_limit_once_however_many_workers_answer(workers):
    assert "REDIS_URL" not in workers.env
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: vote(workers.port, "203.0.113.50"), range(VOTES)))
    assert statuses.count(429) == VOTES - 20, statuses
    assert all(status in (302, 429) for status in statuses), statuses
    # Another visitor has a count of their own.
    assert vote(workers.port, "203.0.113.51") == 302


@pytest.mark.reliability(
    "Limits",
    "30 votes from one address across 4 Gunicorn workers (limit 20), and a per-process store refused",
)
def test_a_per_process_cache_for_the_counters_is_refused(tmp_path):
    env = production_env(tmp_path, RATE_LIMIT_STORE="cache")
    env.pop("REDIS_URL", None)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    with pytest.raises(Exception) as error:
        manage({**env, **{k: v for k, v in os.environ.items() if k == "PATH"}}, "check")
    assert "portal.E002" in error.value.stderr
