"""Faults survived with nothing lost, each against the real component: PostgreSQL
restarted under load, Redis stopped, a mail server that hangs, a Gunicorn worker killed
mid-request, and the disk under SQLite full.

These start servers of their own to break, so they run once, in the suite's first pass
(`make test`), whatever database and cache that pass was given.
"""

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.deploy.servers import PostgresServer, RedisServer
from tests.deploy.stack import (
    BASE_DIR,
    DEPLOY,
    Stack,
    connectable,
    free_port,
    manage,
    prepare_site,
    production_env,
    shell,
    wait_for,
)
from tests.samples import SOCKET_LINE

pytestmark = pytest.mark.faults

DESCRIPTION = "The shop shows 502 since the PHP upgrade — typed at 3 AM, do not lose it."
SITE_ERROR = "Something went wrong on our side"


class Visitor:
    """A browser's part: one cookie jar, plain requests to Gunicorn on a TCP port."""

    def __init__(self, port):
        self.port, self.cookies = port, {}

    def request(self, method, path, body=None, headers=None, timeout=30):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(
            method, path, body=body,
            headers={"Host": "127.0.0.1", **({"Cookie": cookie} if cookie else {}), **(headers or {})},
        )  # fmt: skip
        response = connection.getresponse()
        response.text = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        connection.close()
        return response

    def ticket_fields(self, **overrides):
        """The ticket form's fields as a customer fills them in, token included."""
        page = self.request("GET", "/tickets/new/")
        assert page.status == 200, page.text[:500]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return {
            "csrfmiddlewaretoken": token, "error": "502", "domain": "example.com",
            "vps": "vps-104233", "docker": "no", "log": SOCKET_LINE, "description": DESCRIPTION,
            "email": "owner@example.com", "website": "", "submission": uuid.uuid4().hex,
            **overrides,
        }  # fmt: skip

    def post_form(self, path, fields, timeout=30):
        body = urllib.parse.urlencode(fields)
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", path, body=body, headers=headers, timeout=timeout)


def shows_what_was_typed(response):
    import html

    text = html.unescape(response.text)
    return DESCRIPTION in text and "owner@example.com" in text and "vps-104233" in text


def gunicorn(root, env, workers=2):
    port = free_port()
    stack = Stack(root, env, workers=workers, nginx=False, gunicorn_bind=f"127.0.0.1:{port}")
    stack.port = port
    return stack


def tickets_in(env):
    return int(shell(env, "from tickets.models import Ticket; print(Ticket.objects.count())"))


# --- PostgreSQL restarted -------------------------------------------------------------
@pytest.fixture(scope="module")
def postgres():
    with PostgresServer() as server:
        yield server


@pytest.fixture(scope="module")
def on_postgres(tmp_path_factory, postgres):
    root = tmp_path_factory.mktemp("on-postgres")
    env = production_env(
        root, SECURE_SSL_REDIRECT="0", DATABASE_URL=postgres.url, PAGE_CACHE_SECONDS="0"
    )
    env.pop("REDIS_URL", None)
    prepare_site(root, env)
    with gunicorn(root, env) as stack:
        yield stack


@pytest.mark.reliability("Fault", "PostgreSQL restarted under 4 concurrent visitors")
def test_postgres_restarting_under_load_fails_only_in_flight_requests(on_postgres, postgres):
    visitor = Visitor(on_postgres.port)
    pages = ["/kb/backend-down/", "/search/?q=php+socket", "/tickets/new/"]
    assert all(visitor.request("GET", page).status == 200 for page in pages)
    stop = threading.Event()
    seen = []

    def load():
        while not stop.is_set():
            for page in pages:
                response = Visitor(on_postgres.port).request("GET", page)
                error = SITE_ERROR in response.text if response.status == 500 else None
                seen.append((response.status, error, response.getheader("X-Frame-Options")))

    with ThreadPoolExecutor(max_workers=4) as pool:
        loaders = [pool.submit(load) for _ in range(4)]
        time.sleep(0.5)
        postgres.restart()
        time.sleep(0.5)
        stop.set()
        for loader in loaders:
            loader.result()
    statuses = {status for status, _, _ in seen}
    assert statuses <= {200, 500}, statuses
    # A request the restart cut off gets the site's own error page, with its headers.
    for status, site_error_page, frame_options in seen:
        assert frame_options == "DENY"
        assert site_error_page in (None, True), status
    # Afterwards every worker has reconnected: nothing fails any more.
    for _ in range(10):
        assert all(Visitor(on_postgres.port).request("GET", page).status == 200 for page in pages)


@pytest.mark.reliability("Fault", "a ticket sent while PostgreSQL is down")
def test_a_ticket_sent_while_postgres_is_down_comes_back_as_typed(on_postgres, postgres):
    visitor = Visitor(on_postgres.port)
    fields = visitor.ticket_fields()
    before = tickets_in(on_postgres.env)
    postgres.stop()
    try:
        response = visitor.post_form("/tickets/new/", fields)
    finally:
        postgres.start()
    assert response.status == 503, response.text[:500]
    assert response.getheader("Retry-After") == "60"
    assert "We could not save your ticket just now" in response.text
    assert shows_what_was_typed(response)
    # Sent again once the database is back, it is saved, once.
    again = visitor.post_form("/tickets/new/", fields)
    assert again.status == 302
    assert tickets_in(on_postgres.env) == before + 1


# --- Redis stopped --------------------------------------------------------------------
@pytest.fixture
def redis_server(tmp_path):
    with RedisServer(tmp_path) as server:
        yield server


@pytest.mark.reliability("Fault", "Redis stopped: pages, diagnosis, a ticket, then Redis back")
def test_with_redis_stopped_pages_are_served_without_the_cache(redis_server, tmp_path):
    env = production_env(tmp_path, SECURE_SSL_REDIRECT="0", REDIS_URL=redis_server.url)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    prepare_site(tmp_path, env)
    with gunicorn(tmp_path, env) as stack:
        visitor = Visitor(stack.port)
        fields = visitor.ticket_fields()
        assert visitor.request("GET", "/kb/backend-down/").status == 200
        redis_server.stop()
        for path in ["/", "/kb/backend-down/", "/troubleshoot/?code=502", "/search/?q=fpm"]:
            response = visitor.request("GET", path)
            assert response.status == 200, (path, response.text[:300])
            assert response.getheader("X-Content-Type-Options") == "nosniff"
        diagnosis = visitor.request(
            "POST", "/api/diagnose", body=json.dumps({"log": SOCKET_LINE}),
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        assert diagnosis.status == 200
        assert visitor.post_form("/tickets/new/", fields).status == 302
        # The load balancer learns the cache is gone; the log says what is missing.
        assert visitor.request("GET", "/healthz").status == 503
        redis_server.start()
        assert visitor.request("GET", "/kb/backend-down/").status == 200
        assert visitor.request("GET", "/healthz").status == 200
    log = (tmp_path / "gunicorn.log").read_text()
    assert "The cache is unavailable" in log
    assert '"status": 500' not in log


# --- the mail server hanging ----------------------------------------------------------
class Hanging:
    """A mail server that accepts connections and never says a word."""

    def __init__(self, port):
        self.listener = socket.create_server(("127.0.0.1", port))
        self.held = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(connection)

    def close(self):
        # shutdown() wakes the accept() blocked in the thread; close() alone would not,
        # and the port would go on taking connections.
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        self.thread.join(timeout=5)
        for connection in self.held:
            connection.close()


class Accepting:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.rcpt_tos)
        return "250 OK"


def mail_server_on(port, servers):
    """Start an accepting mail server on `port` into `servers`; False while the port is
    still being released."""
    controller = Controller(Accepting(), hostname="127.0.0.1", port=port)
    try:
        controller.start()
    except OSError:
        return False
    servers.append(controller)
    return True


@pytest.mark.reliability("Fault", "a mail server that accepts and never answers")
def test_a_hanging_mail_server_delays_the_mail_not_the_answer(tmp_path):
    mail_port = free_port()
    env = production_env(
        tmp_path, SECURE_SSL_REDIRECT="0", EMAIL_URL=f"smtp://127.0.0.1:{mail_port}?timeout=60"
    )
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    env.pop("REDIS_URL", None)
    manage(env, "collectstatic", "--no-input", "-v", "0")
    manage(env, "migrate", "--no-input", "-v", "0")
    hanging = Hanging(mail_port)
    try:
        with gunicorn(tmp_path, env) as stack:
            visitor = Visitor(stack.port)
            # Sending in the request would wait for the server's 60 s timeout first.
            response = visitor.post_form("/tickets/new/", visitor.ticket_fields(), timeout=20)
            assert response.status == 302
            status = visitor.request("GET", response.getheader("Location"))
            assert status.status == 200 and DESCRIPTION in status.text.replace("&#x27;", "'")
            wait_for(lambda: hanging.held, "the mail thread's connection")
            # The server comes back: the one it held is dropped, a working one listens.
            hanging.close()
            servers = []
            wait_for(lambda: mail_server_on(mail_port, servers), "a mail server on the port again")
            [server] = servers
            try:
                # What the timer runs every minute sends what the thread could not.
                wait_for(
                    lambda: "sent" in manage(env, "send_pending_email")
                    and len(server.handler.messages) >= 2,
                    "the held mail", timeout=60,
                )  # fmt: skip
            finally:
                server.stop()
    finally:
        hanging.close()
    assert sorted(to[0] for to in server.handler.messages) == [
        "owner@example.com", "support@example.com",
    ]  # fmt: skip
    statuses = shell(
        env, "from tickets.models import OutboundEmail as E\n"
        "print(sorted(E.objects.values_list('status', flat=True)))",
    )  # fmt: skip
    assert statuses.strip() == "['sent', 'sent']"


# --- a Gunicorn worker killed mid-request ---------------------------------------------
def workers_of(master):
    return Path(f"/proc/{master}/task/{master}/children").read_text().split()


@pytest.mark.reliability("Fault", "a Gunicorn worker killed mid-request")
def test_a_worker_killed_mid_request_costs_only_that_request(tmp_path):
    env = production_env(tmp_path)
    env.pop("REDIS_URL", None)
    prepare_site(tmp_path, env)
    # A paste that keeps a worker busy for a while, so it can be caught in the middle.
    paste = "\n".join(f"{SOCKET_LINE} #{n} {uuid.uuid4().hex}" for n in range(4000))
    paste = paste[: 250 * 1024].rsplit("\n", 1)[0]  # under the 256 KB a paste may have
    body = json.dumps({"log": paste})
    headers = {"Content-Type": "application/json"}
    with Stack(tmp_path, env, workers=1) as stack:
        outcomes = []
        for _ in range(6):
            [worker] = workers_of(stack.gunicorn.pid)
            fds = Path(f"/proc/{worker}/fd")
            idle = len(os.listdir(fds))
            with ThreadPoolExecutor(max_workers=1) as pool:
                pending = pool.submit(stack.request, "POST", "/api/diagnose", body, headers)
                # Killed as soon as it has taken the connection from nginx: mid-request.
                deadline = time.monotonic() + 10
                while len(os.listdir(fds)) <= idle and time.monotonic() < deadline:
                    time.sleep(0.001)
                os.kill(int(worker), signal.SIGKILL)
                response = pending.result()
            outcomes.append(response.status)
            if response.status == 502:
                # nginx's page for a backend that went away, not a bare error.
                assert "We will be back in a moment" in response.text
                assert response.getheader("Retry-After") == "30"
            else:
                assert response.status == 200
            # The master starts a new worker, which answers the next request.
            wait_for(
                lambda worker=worker: workers_of(stack.gunicorn.pid) not in ([], [worker]),
                "a new worker",
            )  # fmt: skip
            assert stack.request("GET", "/troubleshoot/").status == 200
            if 502 in outcomes:
                break
        assert 502 in outcomes, outcomes


# --- the disk under SQLite full -------------------------------------------------------
@pytest.mark.reliability("Fault", "the disk under SQLite full while the site runs")
def test_a_full_disk_refuses_a_ticket_clearly_and_damages_nothing(tmp_path):
    """SQLite on a 16 MB filesystem of its own (a tmpfs in a private mount namespace),
    filled to the last byte while the site runs."""
    data = tmp_path / "data"
    data.mkdir()
    database = data / "portal.sqlite3"
    port = free_port()
    env = production_env(tmp_path, SECURE_SSL_REDIRECT="0", DATABASE_URL=f"sqlite:///{database}")
    env.pop("REDIS_URL", None)
    manage(env, "collectstatic", "--no-input", "-v", "0")
    gunicorn_bin = Path(sys.executable).parent / "gunicorn"
    script = (
        f"mount -t tmpfs -o size=16m tmpfs {data} && "
        f"{sys.executable} manage.py migrate --no-input -v 0 && "
        f"exec {gunicorn_bin} --config {DEPLOY / 'gunicorn.conf.py'} portal.wsgi"
    )
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script],
        cwd=BASE_DIR, env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"},
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        try:
            wait_for(lambda: connectable(("127.0.0.1", port)) or process.poll() is not None,
                     "Gunicorn on a tmpfs", timeout=60)  # fmt: skip
        finally:
            assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
        # The site's files as the site sees them, on its own filesystem. (SQLite would
        # resolve the /proc link to the directory under the tmpfs, so it runs inside.)
        seen = Path(f"/proc/{process.pid}/root") / data.relative_to("/")

        def inside(*command):
            return subprocess.run(
                ["nsenter", "-t", str(process.pid), "-U", "-m", *map(str, command)],
                check=True, capture_output=True, text=True,
            ).stdout  # fmt: skip

        visitor = Visitor(port)
        saved = [visitor.post_form("/tickets/new/", visitor.ticket_fields()) for _ in range(2)]
        assert [r.status for r in saved] == [302, 302]
        fields = visitor.ticket_fields()
        inside(
            "sqlite3", database, "PRAGMA wal_checkpoint(TRUNCATE);"
        )  # the next write needs space
        filler = seen / "filler"
        with open(filler, "wb", buffering=0) as out:
            try:
                while True:
                    out.write(b"\0" * 65536)
            except OSError as exc:
                assert exc.errno == 28  # ENOSPC: the disk is full
        response = visitor.post_form("/tickets/new/", fields)
        assert response.status == 503, response.text[:500]
        assert "We could not save your ticket just now" in response.text
        assert shows_what_was_typed(response)
        filler.unlink()
        # Space again: the same form goes through, and the earlier tickets are intact.
        assert visitor.post_form("/tickets/new/", fields).status == 302
        checks = (
            "PRAGMA integrity_check; SELECT count(*) FROM tickets_ticket; "
            "SELECT count(*) FROM tickets_outboundemail;"
        )
        assert inside("sqlite3", database, checks).split() == ["ok", "3", "6"]
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
    assert '"status": 500' not in (tmp_path / "gunicorn.log").read_text()
