"""deploy/ as a host's admin installs it: nginx's own check of the shipped site, then
real nginx in front of real Gunicorn on loopback, under production settings."""

import json
import re
import time
from pathlib import Path

import pytest

from tests.deploy.stack import (
    DEPLOY,
    NGINX,
    Stack,
    nginx_config,
    nginx_test,
    prepare_site,
    production_env,
    self_signed_certificate,
)
from tests.samples import SOCKET_LINE

pytestmark = pytest.mark.deploy


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    if not Path(NGINX).exists():
        pytest.fail("nginx is not installed: apt-get install nginx")
    return tmp_path_factory.mktemp("stack")


@pytest.fixture(scope="module")
def stack(root):
    env = production_env(root)
    prepare_site(root, env)
    with Stack(root, env) as stack:
        yield stack


def test_nginx_accepts_the_shipped_site(tmp_path):
    self_signed_certificate(tmp_path / "tls")
    result = nginx_test(nginx_config(tmp_path, 8080, 8443))
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr


def test_nginx_rejects_a_broken_copy(tmp_path):
    """The check above is worth something: a typo in the shipped file fails it."""
    self_signed_certificate(tmp_path / "tls")
    config = nginx_config(tmp_path, 8080, 8443)
    site = tmp_path / "gateway-help.conf"
    site.write_text(site.read_text().replace("proxy_cache_lock on;", "proxy_cache_lock yes;"))
    result = nginx_test(config)
    assert result.returncode != 0
    assert "proxy_cache_lock" in result.stderr


def test_the_units_run_the_shipped_gunicorn_config_and_restart_always():
    unit = (DEPLOY / "systemd" / "gateway-help.service").read_text()
    assert "--config deploy/gunicorn.conf.py portal.wsgi" in unit
    assert re.search(r"^Restart=always$", unit, re.M)
    timer = (DEPLOY / "systemd" / "gateway-help-mail.timer").read_text()
    assert "OnUnitActiveSec=1min" in timer
    mail = (DEPLOY / "systemd" / "gateway-help-mail.service").read_text()
    assert "manage.py send_pending_email" in mail
    sender = (DEPLOY / "systemd" / "gateway-help-mailer.service").read_text()
    assert "manage.py send_pending_email --watch" in sender
    assert re.search(r"^Restart=always$", sender, re.M)


def test_an_article_comes_through_nginx_and_is_micro_cached(stack):
    first = stack.request("GET", "/kb/backend-down/")
    assert first.status == 200, first.text[:500]
    assert "<h1" in first.text
    second = stack.request("GET", "/kb/backend-down/")
    assert first.getheader("X-Cache-Status") == "MISS"
    assert second.getheader("X-Cache-Status") == "HIT"
    # Django saw https through X-Forwarded-Proto, so it sends HSTS.
    assert "max-age=31536000" in second.getheader("Strict-Transport-Security")
    assert "script-src 'self'" in second.getheader("Content-Security-Policy")
    assert second.getheader("Content-Encoding") is None  # asked for no gzip


def test_pages_are_gzipped_for_clients_that_ask(stack):
    response = stack.request("GET", "/kb/", headers={"Accept-Encoding": "gzip"})
    assert response.getheader("Content-Encoding") == "gzip"


def test_static_files_come_from_nginx_with_a_long_life(stack):
    page = stack.request("GET", "/kb/backend-down/").text
    css = re.search(r'href="(/static/css/portal\.[0-9a-f]+\.css)"', page).group(1)
    response = stack.request("GET", css)
    assert response.status == 200
    assert "immutable" in response.getheader("Cache-Control")
    assert response.getheader("X-Request-ID") is None  # never reached Django


def test_a_page_with_a_form_token_is_never_cached(stack):
    for _ in range(2):
        response = stack.request("GET", "/tickets/new/")
        assert response.status == 200
        assert "csrftoken=" in response.getheader("Set-Cookie")
        assert response.getheader("X-Cache-Status") == "MISS"


def test_a_signed_in_visitor_bypasses_the_cache(stack):
    stack.request("GET", "/kb/index/")
    response = stack.request("GET", "/kb/", headers={"Cookie": "sessionid=abc"})
    assert response.getheader("X-Cache-Status") == "BYPASS"


def test_posts_reach_django_every_time(stack):
    body = json.dumps({"log": SOCKET_LINE})
    for _ in range(2):
        response = stack.request(
            "POST", "/api/diagnose", body=body, headers={"Content-Type": "application/json"}
        )
        assert response.status == 200
        assert response.getheader("X-Request-ID")
        assert "wrong-upstream-address" in response.text


def test_plain_http_is_sent_to_https(stack):
    response = stack.request("GET", "/kb/", https=False)
    assert response.status == 301
    assert response.getheader("Location") == "https://help.example.com/kb/"


def test_the_request_id_from_nginx_reaches_the_django_log(stack):
    response = stack.request("GET", "/healthz")
    assert response.status == 200 and response.text == "ok\n"
    page = stack.request("GET", "/search/?q=socket")
    assert re.fullmatch(r"[0-9a-f]{32}", page.getheader("X-Request-ID"))
    log = (stack.root / "gunicorn.log").read_text()
    entry = next(
        json.loads(line)
        for line in log.splitlines()
        if line.startswith("{") and page.getheader("X-Request-ID") in line
    )
    assert entry["path"] == "/search/" and entry["status"] == 200
    assert entry["client"] == "127.0.0.1"


@pytest.mark.reliability("Fault", "Gunicorn stopped: nginx's own page, cached pages still served")
def test_when_gunicorn_is_down_nginx_says_so_and_keeps_cached_pages(stack):
    stack.request("GET", "/kb/backend-down/")
    stack.stop_gunicorn()
    try:
        time.sleep(0.1)
        down = stack.request("GET", "/troubleshoot/map/")
        assert down.status == 502
        assert "We will be back in a moment" in down.text
        assert down.getheader("Retry-After") == "30"
        assert down.getheader("Cache-Control") == "no-store"
        # A page nginx holds is still served, stale, while the portal restarts.
        stale = stack.request("GET", "/kb/backend-down/")
        assert stale.status == 200
        assert stale.getheader("X-Cache-Status") in {"STALE", "HIT"}
    finally:
        stack.start_gunicorn()
    assert stack.request("GET", "/troubleshoot/map/").status == 200


@pytest.mark.reliability(
    "Secrets", "ticket signatures in the request log, nginx's access log and the journal"
)
def test_no_log_on_the_way_holds_a_tickets_private_address(stack):
    """A ticket's status page through nginx and Gunicorn: neither nginx's access log nor
    the site's own log keeps the signature that opens it."""
    import subprocess

    code = (
        "from tickets.models import Ticket\n"
        "t = Ticket.objects.create(error='502', domain='example.com', vps='vps-104233', "
        "docker='no', email='owner@example.com', description='502 since the upgrade')\n"
        "print(t.get_status_url())"
    )
    url = subprocess.run(
        [str(Path(__import__("sys").executable)), "manage.py", "shell", "-c", code],
        env=stack.env, capture_output=True, text=True, check=True,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    signature = url.rstrip("/").rsplit("/", 1)[1]
    assert stack.request("GET", url).status == 200
    assert stack.request("GET", url.rstrip("/")).status in (301, 404)
    access = (stack.root / "gateway-help.access.log").read_text()
    site = (stack.root / "gunicorn.log").read_text()
    reference = url.split("/")[2]
    assert f"/tickets/{reference}/.../" in access
    assert signature not in access and signature not in site
