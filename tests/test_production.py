"""Running behind a load balancer: health check, page cache, request log, headers,
and the admin sign-in limit. The cache tests run again against Redis (tests/with-redis)."""

import json
import logging
import os

import pytest

from tests.conftest import AGENT, AGENT_PASSWORD
from tests.test_settings import PRODUCTION, manage

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(content):
    content.write("backend-down", title="Backend down", body="First text.\n")
    content.load()
    return content


# --- /healthz ---------------------------------------------------------------------


@pytest.mark.cache
def test_health_check_says_ok_when_database_and_cache_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Cache-Control"] == "no-store"


def test_health_check_answers_any_host_a_balancer_probes_with(client):
    response = client.get("/healthz", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200


def test_health_check_says_unavailable_without_details_when_the_database_is_down():
    code = (
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(r.status_code, r.content.decode().strip())"
    )
    env = {
        **PRODUCTION,
        "DATABASE_URL": "postgres://portal:secret@127.0.0.1:1/portal",
        "REDIS_URL": "",
        "ALLOWED_HOSTS": "testserver",
    }
    result = manage("shell", "--no-imports", "-c", code, env=env)
    assert result.stdout.strip().splitlines()[-1] == "503 unavailable"
    # The reason goes to the host's log, not to whoever asked.
    assert "health check failed" in result.stderr
    assert "127.0.0.1" not in result.stdout


def test_health_check_reports_a_cache_that_does_not_answer(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"unavailable\n"


def test_health_check_takes_no_posts(client):
    assert client.post("/healthz").status_code == 405


# --- page cache -------------------------------------------------------------------


@pytest.mark.cache
def test_an_article_is_served_from_the_page_cache_the_second_time(client, article):
    first = client.get("/kb/backend-down/")
    second = client.get("/kb/backend-down/")
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Content-Type"] == "text/html; charset=utf-8"
    # Headers added on the way out are fresh on every answer, not stored with the page.
    assert second["X-Request-ID"] != first["X-Request-ID"]
    assert "Content-Security-Policy" in second


@pytest.mark.cache
def test_a_cached_page_answers_a_revalidation_with_304(client, article):
    etag = client.get("/kb/backend-down/")["ETag"]
    response = client.get("/kb/backend-down/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["X-Page-Cache"] == "hit"
    assert response.content == b""


@pytest.mark.cache
def test_loading_new_content_replaces_cached_pages(client, article):
    assert "First text." in client.get("/kb/backend-down/").content.decode()
    article.write("backend-down", title="Backend down", body="Second text.\n")
    article.load()
    response = client.get("/kb/backend-down/")
    assert "Second text." in response.content.decode()
    assert response["X-Page-Cache"] == "miss"


@pytest.mark.cache
def test_each_process_answers_a_recent_page_itself_for_a_few_seconds(client, article, monkeypatch):
    from django.core.cache import cache

    from lib import generation
    from portal import pagecache

    client.get("/kb/backend-down/")
    cache.clear()  # the shared copy is gone (Redis emptied, or the entry expired)
    assert client.get("/kb/backend-down/")["X-Page-Cache"] == "hit"

    # The process's own copy lasts no longer than it trusts the content generation.
    clock = pagecache.time.monotonic() + generation.TTL + 1
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: clock)
    assert client.get("/kb/backend-down/")["X-Page-Cache"] == "miss"


@pytest.mark.cache
def test_htmx_fragments_and_full_pages_are_kept_apart(client, real_content):
    full = client.get("/troubleshoot/")
    fragment = client.get("/troubleshoot/", HTTP_HX_REQUEST="true")
    again = client.get("/troubleshoot/", HTTP_HX_REQUEST="true")
    assert b"<html" in full.content
    assert b"<html" not in fragment.content
    assert again["X-Page-Cache"] == "hit" and again.content == fragment.content


@pytest.mark.reliability("Cache", "pages with a form token or for signed-in staff never stored")
@pytest.mark.cache
def test_pages_with_a_form_token_are_private_and_never_stored(client, real_content):
    for _ in range(2):
        response = client.get("/tickets/new/")
        assert "private" in response["Cache-Control"]
        assert "X-Page-Cache" not in response
    home = client.get("/")
    assert "private" in home["Cache-Control"] and "public" not in home["Cache-Control"]


@pytest.mark.reliability("Cache", "pages with a form token or for signed-in staff never stored")
@pytest.mark.cache
def test_signed_in_staff_always_get_a_fresh_page(client, article, agent):
    client.get("/kb/backend-down/")
    client.login(username=AGENT, password=AGENT_PASSWORD)
    assert "X-Page-Cache" not in client.get("/kb/backend-down/")


@pytest.mark.cache
def test_a_page_for_an_unknown_host_is_refused_even_when_cached(client, article):
    client.get("/kb/backend-down/")
    assert client.get("/kb/backend-down/", HTTP_HOST="evil.example.net").status_code == 400


@pytest.mark.cache
def test_errors_are_not_stored(client, article):
    client.get("/kb/no-such-article/")
    response = client.get("/kb/no-such-article/")
    assert response.status_code == 404
    assert "X-Page-Cache" not in response


# --- request log ------------------------------------------------------------------


def test_each_request_is_logged_once_as_structured_fields(client, article, caplog):
    with caplog.at_level(logging.INFO, logger="portal.request"):
        response = client.get("/kb/backend-down/", HTTP_X_REQUEST_ID="abc123")
    [record] = [r for r in caplog.records if r.name == "portal.request"]
    assert response["X-Request-ID"] == "abc123"
    assert record.request_id == "abc123"
    assert (record.method, record.path, record.status) == ("GET", "/kb/backend-down/", 200)
    assert record.bytes == len(response.content)
    assert record.duration_ms >= 0


def test_the_json_log_format_is_one_object_per_line(client, article):
    from portal.logformat import JSONFormatter

    record = logging.LogRecord("portal.request", logging.INFO, __file__, 1, "GET / 200", (), None)
    record.status = 200
    record.path = "/"
    line = JSONFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["status"] == 200 and entry["message"] == "GET / 200"
    assert entry["level"] == "INFO" and entry["time"].endswith("+00:00")


# --- headers ----------------------------------------------------------------------


@pytest.mark.reliability(
    "Headers", "security headers on pages, error pages, `/healthz` and static files"
)
def test_security_headers_are_sent(client, article):
    response = client.get("/kb/backend-down/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


def test_hsts_and_secure_cookies_in_production():
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)"
    )
    result = manage("shell", "--no-imports", "-c", code, env=PRODUCTION)
    assert result.stdout.split() == ["31536000", "True", "True", "True", "True"]


# --- admin sign-in ----------------------------------------------------------------


@pytest.mark.reliability("Limits", "admin sign-in failures, per address")
@pytest.mark.cache
def test_the_admin_sign_in_is_paused_after_repeated_failures(client, settings, agent):
    settings.ADMIN_LOGIN_FAILURES = 3
    for _ in range(3):
        response = client.post("/admin/login/", {"username": "agent", "password": "guess"})
        assert response.status_code == 200  # the form again, with its error
    # Now even the right password is refused until the window ends.
    response = client.post("/admin/login/", {"username": AGENT, "password": AGENT_PASSWORD})
    assert response.status_code == 429
    assert response["Retry-After"] == str(settings.ADMIN_LOGIN_WINDOW)
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.reliability("Limits", "admin sign-in failures, per address")
@pytest.mark.cache
def test_failures_from_one_address_do_not_lock_out_another(client, settings, agent):
    settings.ADMIN_LOGIN_FAILURES = 2
    for _ in range(2):
        client.post("/admin/login/", {"username": AGENT, "password": "guess"})
    response = client.post(
        "/admin/login/",
        {"username": AGENT, "password": AGENT_PASSWORD, "next": "/admin/"},
        REMOTE_ADDR="192.0.2.7",
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


# --- secret key -------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    ["development-only-key-never-used-in-production-0123456789", "short-key"],
)
def test_production_refuses_a_development_or_weak_secret_key(key):
    result = manage("check", env={**PRODUCTION, "SECRET_KEY": key})
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


# --- the cache is shared when Redis is configured -------------------------------


@pytest.mark.cache
@pytest.mark.django_db(transaction=True)
def test_rate_limit_counts_are_shared_between_app_servers(client, settings):
    """Two Gunicorn workers are two processes: a limit counted in one holds in the
    other, through Redis when there is one and through the database otherwise (the
    local-memory cache is per process)."""
    settings.ADMIN_LOGIN_FAILURES = 1
    client.post("/admin/login/", {"username": "agent", "password": "guess"})
    code = (
        "from django.test import Client;"
        "r = Client().post('/admin/login/', {'username': 'agent', 'password': 'guess'});"
        "print(r.status_code)"
    )
    env = {
        "DEBUG": "1",  # plain static storage: there is no collectstatic manifest here
        "SECRET_KEY": PRODUCTION["SECRET_KEY"],
        "ALLOWED_HOSTS": "testserver",
        "ADMIN_LOGIN_FAILURES": "1",
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "SECURE_SSL_REDIRECT": "0",
        # Django's test client in the other process talks to the test database too.
        "DATABASE_URL": _test_database_url(),
    }
    result = manage("shell", "--no-imports", "-c", code, env=env)
    assert result.stdout, result.stderr
    status = result.stdout.strip().splitlines()[-1]
    assert status == "429", result.stderr


def _test_database_url():
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def test_monitors_may_ask_with_head(client, article):
    response = client.head("/kb/backend-down/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
