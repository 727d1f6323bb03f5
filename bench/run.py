"""`make bench`: the production stack on loopback, driven by wrk.

The Makefile runs this under tests/with-postgres and tests/with-redis, so a throwaway
PostgreSQL and Redis are up. The benchmark then:

1. writes a content tree of 10,000 articles (bench/articles.py) and loads it, with
   the README's deploy steps, into a database of its own on that server;
2. starts Gunicorn with deploy/gunicorn.conf.py (workers sized to the cores) on its
   unix socket and a loopback port, nginx with the shipped site config over TLS in
   front of it, and an SMTP server that accepts the ticket mail;
3. runs wrk at 1 and 32 connections for each row (the ticket row at 32 only, search
   at 8 as well), then `manage.py diagnose --file` on a generated million-line log,
   and reads each Gunicorn worker's memory;
4. prints one table and writes it to bench/results.md. Every throughput is also
   given as a share of the yardstick measured in the same run: nginx serving the
   same article page as a static file, before and after the other rows (the share
   uses the median of those runs).
"""

import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import articles, logs  # noqa: E402
from tests.deploy.stack import (  # noqa: E402
    HOST,
    Stack,
    free_port,
    prepare_site,
    production_env,
    shell,
)

# Fewer articles and shorter runs make a quick check while working on it, and
# BENCH_ROWS=dashboard,events (any of ROW_GROUPS) runs only those rows, with the
# static-file yardstick measured before them.
ARTICLES = int(os.environ.get("BENCH_ARTICLES", 10_000))
ROW_GROUPS = ("site", "tickets", "sqlite-search", "diagnose", "events", "dashboard")
ROWS = [name.strip() for name in os.environ.get("BENCH_ROWS", ",".join(ROW_GROUPS)).split(",")]
if set(ROWS) - set(ROW_GROUPS):
    sys.exit(
        f"BENCH_ROWS names rows of {', '.join(ROW_GROUPS)}, not {', '.join(set(ROWS) - set(ROW_GROUPS))}."
    )
EVENTS = int(os.environ.get("BENCH_EVENTS", 1_000_000))
BATCH = 10  # events a page's beacon sends at once, a generous page's worth
SECONDS = int(os.environ.get("BENCH_SECONDS", 8))
WRK = shutil.which("wrk") or "/usr/bin/wrk"
LUA = ROOT / "bench" / "wrk.lua"
RESULTS = ROOT / "bench" / "results.md"
CORES = os.cpu_count() or 1
LOG_LINE = (
    "2026/11/21 03:12:45 [crit] 2211#2211: *4183 connect() to unix:/run/php/php8.2-fpm.sock "
    "failed (2: No such file or directory) while connecting to upstream, client: 203.0.113.7, "
    'server: example.com, request: "GET / HTTP/1.1", upstream: '
    '"fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "example.com"'
)
# What nginx adds on its way to Gunicorn; the direct rows send the same.
PROXIED = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Real-IP": "203.0.113.7"}


@dataclass
class Row:
    label: str
    connections: int
    requests: int
    rate: float
    p50_ms: float
    p99_ms: float
    errors: int
    sent: int
    notes: list = field(default_factory=list)
    saved: int | None = None
    cpu_ms: dict = field(default_factory=dict)  # CPU milliseconds a request, by program


@dataclass
class Bench:
    root: Path
    stack: Stack
    gunicorn_url: str
    env: dict
    rows: list = field(default_factory=list)
    facts: list = field(default_factory=list)

    @property
    def nginx_url(self):
        return f"https://127.0.0.1:{self.stack.https_port}"

    def wrk(self, label, url, paths, connections, method="GET", body=None, headers=None,
            seconds=SECONDS, vary_address=False):  # fmt: skip
        settle(self.stack.gunicorn.pid)
        work = Path(tempfile.mkdtemp(dir=self.root))
        (work / "paths").write_text("\n".join(paths) + "\n")
        arguments = [str(work / "paths"), method]
        if body is not None:
            (work / "body").write_text(body)
            arguments.append(str(work / "body"))
            if vary_address:
                arguments.append("vary-address")
        command = [WRK, f"-t{min(connections, CORES)}", f"-c{connections}", f"-d{seconds}s",
                   "--timeout", "10s", "-s", str(LUA)]  # fmt: skip
        for name, value in (headers or {}).items():
            command += ["-H", f"{name}: {value}"]
        cpu_before, children_before = cpu_by_program(self.stack.gunicorn.pid), _children_cpu()
        finished = subprocess.run(
            [*command, url, "--", *arguments], capture_output=True, text=True, check=True
        )
        cpu_after, children_after = cpu_by_program(self.stack.gunicorn.pid), _children_cpu()
        line = next(x for x in finished.stdout.splitlines() if x.startswith("BENCH "))
        figures = json.loads(line.removeprefix("BENCH "))
        errors = sum(figures["errors"].values())
        row = Row(
            label, connections, figures["requests"],
            figures["requests"] / (figures["duration_us"] / 1e6),
            figures["p50_us"] / 1000, figures["p99_us"] / 1000, errors, figures["sent"],
        )  # fmt: skip
        row.cpu_ms = cpu_spent(
            cpu_before, cpu_after, children_after - children_before, figures["requests"]
        )
        if errors:
            row.notes.append(f"errors: {figures['errors']}")
        self.rows.append(row)
        cpu = ", ".join(f"{name} {ms:.2f}" for name, ms in row.cpu_ms.items())
        print(
            f"  {label:44} c={connections:<3} {row.rate:9,.0f} req/s  p50 {row.p50_ms:7.2f} ms"
            f"  p99 {row.p99_ms:7.2f} ms  errors {errors}"
            + (f"\n      CPU ms a request: {cpu}" if cpu else ""),
            flush=True,
        )
        return row

    def get(self, path, headers=None):
        return self.stack.request("GET", path, headers=headers)

    def flush_page_cache(self):
        shell(self.env, "from django.core.cache import cache; cache.clear()")
        # Each worker trusts its own copies of recent pages for pagecache.GENERATION_TTL.
        time.sleep(6)


def create_database(server_url, name):
    """A database of the benchmark's own on the server tests/with-postgres started."""
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(server_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def smtp_sink(port, folder):
    """aiosmtpd accepting every message (and dropping it), as a mail relay would."""
    process = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
         "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL, stderr=open(folder / "smtp.log", "wb"),  # noqa: SIM115
    )  # fmt: skip
    return process


def flowchart_paths(env):
    """The URL of every step of the flowchart, walked from the start."""
    script = (
        "from urllib.parse import urlencode\n"
        "from troubleshooter import flowchart\n"
        "chart = flowchart.get()\n"
        "for qid in chart.questions:\n"
        "    path = chart.path_to(qid)\n"
        "    if path is not None: print('/troubleshoot/?' + urlencode(path))\n"
    )
    return shell(env, script).split()


def csrf_pair(bench):
    """A CSRF cookie and a form token that matches it, from the ticket form."""
    response = bench.get("/tickets/new/")
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)
    return cookie, token


def _children_cpu():
    """CPU seconds this process's finished children (each wrk run) have used."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


TICK = os.sysconf("SC_CLK_TCK")


def _process_cpu(pid):
    """(command name, start time, CPU seconds used so far) of process `pid`, or None
    when it is gone."""
    try:
        comm, rest = Path(f"/proc/{pid}/stat").read_text().split("(", 1)[1].rsplit(")", 1)
    except (FileNotFoundError, ProcessLookupError):  # ended, or a worker being replaced
        return None
    fields = rest.split()
    return comm, fields[19], (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def _workers(master):
    return Path(f"/proc/{master}/task/{master}/children").read_text().split()


def _cpu_ticks(master):
    """CPU seconds the Gunicorn workers have used so far."""
    return sum(used[2] for pid in _workers(master) if (used := _process_cpu(pid)))


def cpu_by_program(gunicorn):
    """CPU seconds each process on the machine has used so far, keyed by its pid and
    start time (a reused pid is another process), with the program's name: the
    Gunicorn master's children are "gunicorn", the rest go by their command name
    (postgres, redis-server, nginx, python for the mail sender and the SMTP server)."""
    workers = set(_workers(gunicorn))
    used = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (process := _process_cpu(entry.name)):
            comm, started, seconds = process
            used[(entry.name, started)] = ("gunicorn" if entry.name in workers else comm, seconds)
    return used


def cpu_spent(before, after, children_seconds, requests):
    """Milliseconds of CPU per request by program between two `cpu_by_program()`
    readings, wrk (a finished child, so not in /proc) included; the biggest first. A
    process started since the first reading counts whole (a PostgreSQL backend for a
    new connection); one that ended before the second is missed."""
    spent = {"wrk": children_seconds}
    for process, (name, seconds) in after.items():
        earlier = before.get(process, (name, 0))[1]
        spent[name] = spent.get(name, 0) + seconds - earlier
    per_request = {
        name: seconds * 1000 / max(requests, 1)
        for name, seconds in spent.items()
        if seconds * 1000 / max(requests, 1) >= 0.05
    }
    return dict(sorted(per_request.items(), key=lambda item: -item[1]))


def settle(master, quiet=0.3, longest=60):
    """Wait until the workers have used no CPU for `quiet` seconds: when wrk stops, the
    requests it gave up on are still queued, and they made the first requests of the
    next row wait (the 360-740 ms p99 of the warm page at one connection came from
    the cold row before it)."""
    deadline = time.monotonic() + longest
    before = _cpu_ticks(master)
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = _cpu_ticks(master)
        if now == before:
            return
        before = now


def worker_memory(master):
    """Resident and proportional set size (MB) of each worker forked by `master`."""
    children = _workers(master)
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        pss = int(re.search(r"Pss:\s+(\d+)", rollup).group(1)) / 1024
        sizes.append((int(pid), rss, pss))
    return sizes


def prepare_rows(bench, slugs, master):
    """The article page kept as the yardstick's static file, and workers warmed up."""
    g = bench.gunicorn_url
    article = f"/kb/{slugs[0]}/"
    page = bench.get(article)
    assert page.status == 200, page.status
    static = bench.stack.root / "staticfiles" / "bench" / "article.html"
    static.parent.mkdir(exist_ok=True)
    static.write_text(page.text)

    print("Warming the workers up (each reads the flowchart and patterns once)", flush=True)
    for path in ["/", article, "/troubleshoot/", "/search/?q=php"]:
        bench.wrk("warm-up", g, [path], 32, headers=PROXIED, seconds=1)
    bench.rows.clear()
    print("Workers' resident MB after warming up:", [round(m[1]) for m in worker_memory(master)])
    print("Throughput and latency", flush=True)
    yardstick(bench, "before")


def site_rows(bench, slugs, queries, master):
    g, n = bench.gunicorn_url, bench.nginx_url
    article = f"/kb/{slugs[0]}/"
    all_articles = [f"/kb/{slug}/" for slug in slugs]
    for c in (1, 32):
        bench.flush_page_cache()
        bench.wrk("Gunicorn: article, page cache cold", g, all_articles, c, headers=PROXIED)
    bench.get(article)
    for c in (1, 32):
        bench.wrk("Gunicorn: article, page cache warm", g, [article], c, headers=PROXIED)
    for c in (1, 32):
        bench.wrk("nginx site config: article", n, [article], c, headers={"Host": HOST})
    # Each request a page cache miss: a query string the page ignores makes each new.
    # The sitemap's second page, or its only one when a short run has too few articles.
    sitemap_page = 2 if bench.get("/sitemap-articles.xml?p=2").status == 200 else 1
    for label, path in (("/kb/", "/kb/?r="), ("the sitemap index", "/sitemap.xml?r="),
                        ("a page of the sitemap", f"/sitemap-articles.xml?p={sitemap_page}&r=")):  # fmt: skip
        paths = [f"{path}{n}" for n in range(20_000)]
        bench.wrk(f"Gunicorn: {label}, page cache cold", g, paths, 1, headers=PROXIED)
    permalink = f"/kb/{slugs[0]}/v1/"
    etag = bench.get(permalink).getheader("ETag")
    for c in (1, 32):
        bench.wrk("Gunicorn: version permalink, 304", g, [permalink], c,
                        headers={**PROXIED, "If-None-Match": etag})  # fmt: skip
    bench.flush_page_cache()
    search_rows(bench, g, queries, "PostgreSQL")
    print("Workers' resident MB after search:", [round(m[1]) for m in worker_memory(master)])
    steps = flowchart_paths(bench.env)
    for c in (1, 32):
        bench.wrk("Gunicorn: flowchart step", g, steps, c, headers=PROXIED)
    body = urllib.parse.urlencode({"log": LOG_LINE})
    form = {**PROXIED, "Content-Type": "application/x-www-form-urlencoded"}
    for c in (1, 32):
        bench.wrk("Gunicorn: POST /api/diagnose, one line", g, ["/api/diagnose"], c,
                  method="POST", body=body, headers=form)  # fmt: skip
    diagnose_pastes(bench, g)


def ticket_rows(bench):
    form = {**PROXIED, "Content-Type": "application/x-www-form-urlencoded"}
    tickets_before = count_tickets(bench.env)
    row = submit_tickets(bench, bench.gunicorn_url, form)
    time.sleep(1)  # requests wrk gave up waiting for may still be finishing
    saved = count_tickets(bench.env) - tickets_before
    row.notes.append(f"{saved:,} tickets saved of {row.sent:,} sent ({row.requests:,} answered)")
    row.saved = saved
    yardstick(bench, "after")
    sent = shell(bench.env, "from tickets.models import OutboundEmail as E; "
                 "print(E.objects.filter(status='sent').count(), E.objects.count())").split()  # fmt: skip
    row.notes.append(f"{int(sent[0]):,} of their {int(sent[1]):,} emails sent by then")


STATIC = "nginx: the article as a static file"
BEACON = f"Gunicorn: POST /events/, batches of {BATCH}"


def count_events(env):
    return int(shell(env, "from events.models import Event; print(Event.objects.count())"))


def beacon_row(bench):
    """The beacon at 32 connections, each batch as a page sends it (same-origin, from an
    address of its own), and the events stored counted against those sent."""
    events = [
        {"kind": "question_reached", "subject": "code", "version": 1},
        {"kind": "question_answered", "subject": "code", "detail": "502", "version": 1},
        {"kind": "article_read", "subject": "backend-down", "version": 1},
    ]
    body = json.dumps({"events": [events[n % len(events)] for n in range(BATCH)]})
    headers = {**PROXIED, "Content-Type": "text/plain;charset=UTF-8",
               "Sec-Fetch-Site": "same-origin"}  # fmt: skip
    before = count_events(bench.env)
    row = bench.wrk(BEACON, bench.gunicorn_url, ["/events/"], 32, method="POST", body=body,
                    headers=headers, vary_address=True)  # fmt: skip
    time.sleep(1)  # requests wrk gave up waiting for may still be finishing
    row.saved = count_events(bench.env) - before
    row.notes.append(
        f"{row.rate * BATCH:,.0f} events/s; {row.saved:,} events stored of "
        f"{row.sent * BATCH:,} sent ({row.requests * BATCH:,} answered)"
    )


def dashboard_label(days, engine):
    return f"Gunicorn: staff dashboard, {days} days of {EVENTS:,} events, {engine}"


def dashboard_rows(bench, env, url, engine):
    """The dashboard over EVENTS generated events (bench/events.py) spread over 90 days,
    after the daily timer has counted the days that are over, signed in as staff."""
    print(f"Writing {EVENTS:,} events and their tickets ({engine})", flush=True)
    began = time.monotonic()
    subprocess.run([sys.executable, "bench/events.py", str(EVENTS)], cwd=ROOT, env=env,
                   check=True)  # fmt: skip
    written = time.monotonic() - began
    subprocess.run([sys.executable, "manage.py", "prune_events"], cwd=ROOT, env=env, check=True)
    counted = time.monotonic() - began - written
    print(f"  written in {written:.0f} s, days counted in {counted:.0f} s", flush=True)
    session = shell(env, (
        "from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, "
        "HASH_SESSION_KEY\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "user, _ = get_user_model().objects.get_or_create(username='bench-staff', "
        "defaults={'is_staff': True})\n"
        "store = SessionStore()\n"
        "store[SESSION_KEY] = str(user.pk)\n"
        "store[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'\n"
        "store[HASH_SESSION_KEY] = user.get_session_auth_hash()\n"
        "store.create()\n"
        "print(store.session_key)\n"
    )).strip()  # fmt: skip
    headers = {**PROXIED, "Cookie": f"sessionid={session}"}
    today = time.strftime("%Y-%m-%d", time.gmtime())
    for days in (30, 90):
        first = time.strftime("%Y-%m-%d", time.gmtime(time.time() - (days - 1) * 86400))
        path = f"/admin/insight/?from={first}&to={today}"
        with urllib.request.urlopen(urllib.request.Request(url + path, headers=headers)) as page:
            assert b"<h1>Staff dashboard</h1>" in page.read(), "the dashboard did not answer"
        # Each worker reads the dashboard's code and templates once, as for the other rows.
        bench.wrk("warm-up", url, [path], CORES * 2 + 1, headers=headers, seconds=2)
        bench.rows.pop()
        row = bench.wrk(dashboard_label(days, engine), url, [path], 1, headers=headers)
        row.notes.append(f"events written in {written:.0f} s, days counted in {counted:.0f} s")


def yardstick(bench, when):
    """nginx serving the article as a static file: measured before and after the other
    rows, whose shares use the median of the two, so one noisy run moves no ratio."""
    for c in (1, 32):
        bench.wrk(f"{STATIC} ({when} the other rows)", bench.nginx_url,
                  ["/static/bench/article.html"], c, headers={"Host": HOST})  # fmt: skip


def search_rows(bench, url, queries, engine):
    """Searches that are each new, half of them on the other half's words: common words
    match thousands of the generated articles."""
    search = [f"/search/?q={urllib.parse.quote_plus(q)}" for q in queries]
    # The second half of the list for the engine measured second, so no query repeats.
    if engine != "PostgreSQL":
        search = search[len(search) // 2 :]
    for c in (1, 8, 32):
        bench.wrk(f"Gunicorn: search, {ARTICLES:,} articles, {engine}", url, search, c,
                  headers=PROXIED)  # fmt: skip


def pastes():
    """Pastes for the API: a realistic one of 200 lines, and the three hostile shapes
    (one line repeated up to the size limit, 5,000 distinct lines, lines of 100 KB)."""
    ordinary = "2026/11/21 03:12:{s:02d} [notice] 2211#2211: *{n} client 203.0.113.{c} closed keepalive connection"
    realistic = "\n".join(
        LOG_LINE.replace("*4183", f"*{n}")
        if n % 4 == 0
        else ordinary.format(s=n % 60, n=n, c=n % 250)
        for n in range(200)
    )
    distinct = "\n".join(
        f"2026/11/21 03:12:45 [error] 7#7: *{n} connect() failed (111: Connection refused) while "
        f"connecting to upstream, client: 10.0.{n // 250}.{n % 250}"
        for n in range(5000)
    )
    return [
        ("a 200-line paste", realistic, (1, 8)),
        ("240 KB of one line", (LOG_LINE + "\n") * (240_000 // (len(LOG_LINE) + 1)), (1,)),
        ("5,000 distinct lines", distinct[:240_000], (1,)),
        ("two lines of 100 KB", ("x" * 100_000 + " " + LOG_LINE + "\n") * 2, (1,)),
    ]


def diagnose_pastes(bench, url):
    headers = {**PROXIED, "Content-Type": "application/json"}
    for label, text, connections in pastes():
        for c in connections:
            bench.wrk(f"Gunicorn: POST /api/diagnose, {label}", url, ["/api/diagnose"], c,
                      method="POST", body=json.dumps({"log": text}), headers=headers)  # fmt: skip


def submit_tickets(bench, url, form):
    cookie, token = csrf_pair(bench)
    fields = {
        "csrfmiddlewaretoken": token, "error": "502", "domain": "example.com",
        "vps": "vps-104233", "docker": "no", "log": LOG_LINE,
        "description": "The shop shows 502 since the PHP upgrade this morning.",
        "email": "customer@example.com", "website": "", "submission": "{n}",
    }  # fmt: skip
    headers = {**form, "Cookie": f"csrftoken={cookie}", "Origin": f"https://{HOST}"}
    body = urllib.parse.urlencode(fields).replace("%7Bn%7D", "{n}")
    return bench.wrk("Gunicorn: ticket submission", url, ["/tickets/new/"], 32, method="POST",
                     body=body, headers=headers)  # fmt: skip


def count_tickets(env):
    return int(shell(env, "from tickets.models import Ticket; print(Ticket.objects.count())"))


GOALS = {
    # label, connections: (description, test on the row and the yardstick's rate)
    ("Gunicorn: article, page cache warm", 32): (
        "≥ 6 % of static, p99 < 25 ms",
        lambda row, static: row.rate >= 0.06 * static and row.p99_ms < 25,
    ),
    ("nginx site config: article", 32): ("≥ 50 % of static", lambda r, s: r.rate >= 0.5 * s),
    (f"Gunicorn: search, {ARTICLES:,} articles, PostgreSQL", 8): (
        "p99 < 50 ms, ≥ 300 req/s",
        lambda r, s: r.p99_ms < 50 and r.rate >= 300,
    ),
    ("Gunicorn: article, page cache cold", 32): (
        "≥ 600 req/s, p99 < 100 ms",
        lambda r, s: r.rate >= 600 and r.p99_ms < 100,
    ),
    ("Gunicorn: article, page cache warm", 1): ("p99 < 5 ms", lambda r, s: r.p99_ms < 5),
    **{
        (f"Gunicorn: {label}, page cache cold", 1): ("p99 < 50 ms", lambda r, s: r.p99_ms < 50)
        for label in ("/kb/", "the sitemap index", "a page of the sitemap")
    },
    ("Gunicorn: flowchart step", 32): ("≥ 1,500 req/s", lambda r, s: r.rate >= 1500),
    **{
        (f"Gunicorn: POST /api/diagnose, {label}", 1): (
            "p99 < 1 s, no errors",
            lambda r, s: r.p99_ms < 1000 and r.errors == 0,
        )
        for label in ("240 KB of one line", "5,000 distinct lines", "two lines of 100 KB")
    },
    (BEACON, 32): (
        "≥ 1,000 events/s, no errors, all stored",
        lambda r, s: (
            r.rate * BATCH >= 1000
            and r.errors == 0
            and r.requests * BATCH <= r.saved <= r.sent * BATCH
        ),
    ),
    **{
        (dashboard_label(days, engine), 1): (
            "p99 < 1 s, no errors",
            lambda r, s: r.p99_ms < 1000 and r.errors == 0,
        )
        for days in (30, 90)
        for engine in ("PostgreSQL", "SQLite")
    },
    ("Gunicorn: ticket submission", 32): (
        "≥ 300/s, p99 < 200 ms, no errors, all saved",
        # Every answered request saved its ticket; a few more may have been in flight.
        lambda r, s: (
            r.rate >= 300 and r.p99_ms < 200 and r.errors == 0 and r.requests <= r.saved <= r.sent
        ),
    ),
}


def yardsticks(rows):
    """The yardstick's rate at each connection count (the median of its runs), and how far
    apart its runs were, as a share of that median."""
    runs = {}
    for row in rows:
        if row.label.startswith(STATIC):
            runs.setdefault(row.connections, []).append(row.rate)
    rates = {c: statistics.median(r) for c, r in runs.items()}
    spread = {c: (max(r) - min(r)) / rates[c] for c, r in runs.items()}
    return rates, spread


def table(bench, memory, diagnose):
    static, _ = yardsticks(bench.rows)
    lines = [
        "| What | Connections | req/s | p50 ms | p99 ms | Share of static | Goal | Met |",
        "|---|--:|--:|--:|--:|--:|---|---|",
    ]
    for row in bench.rows:
        yardstick = static.get(row.connections) or static[32]
        goal, met = GOALS.get((row.label, row.connections), ("", None))
        verdict = "" if met is None else ("yes" if met(row, yardstick) else "**no**")
        notes = f" ({'; '.join(row.notes)})" if row.notes else ""
        lines.append(
            f"| {row.label}{notes} | {row.connections} | {row.rate:,.0f} | {row.p50_ms:.2f} "
            f"| {row.p99_ms:.2f} | {row.rate / yardstick:.1%} | {goal} | {verdict} |"
        )
    if diagnose is not None:
        rate, seconds = diagnose
        lines.append(
            f"| `manage.py diagnose --file`, {logs.LINES:,} lines, start-up included "
            f"| {CORES} process{'es' if CORES > 1 else ''} "
            f"| {rate:,.0f} lines/s | | | | ≥ 200,000 lines/s | "
            f"{'yes' if rate >= 200_000 else '**no**'} |"
        )
    if memory is None:
        return "\n".join(lines)
    worst = max(rss for _, rss, _ in memory)
    sizes = ", ".join(f"{rss:.0f}" for _, rss, _ in memory)
    shared = ", ".join(f"{pss:.0f}" for _, _, pss in memory)
    lines.append(
        f"| Gunicorn workers' memory after the run, MB resident ({sizes}); proportional "
        f"share ({shared}) | {len(memory)} workers | | | | | < 100 MB each | "
        f"{'yes' if worst < 100 else '**no**'} |"
    )
    return "\n".join(lines)


def main():
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("Run it as `make bench`, which starts PostgreSQL and Redis for it.")
    started = time.monotonic()
    root = Path(tempfile.mkdtemp(prefix="portal-bench."))
    os.chmod(root, 0o755)
    smtp_port, http_port = free_port(), free_port()
    smtp = smtp_sink(smtp_port, root)
    memory = diagnose = None
    on_sqlite = {"sqlite-search", "dashboard"} & set(ROWS)
    try:
        print(f"Writing {ARTICLES:,} articles and loading them (deploy steps)", flush=True)
        slugs = articles.write_tree(ROOT / "content", root / "content", ARTICLES)
        env = production_env(
            root,
            DATABASE_URL=create_database(server, "portal_bench"),
            CONTENT_DIR=str(root / "content"),
            EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
            TICKETS_PER_HOUR=str(10**9),
            # As deployed: requests only queue the mail; the sender beside them sends it.
            TICKET_MAIL="outbox",
            LOG_LEVEL="WARNING",
        )
        # The same articles on the embedded default, SQLite with FTS5, for its search and
        # dashboard rows; loaded alongside PostgreSQL.
        lite_root = root / "sqlite"
        lite_root.mkdir()
        lite_env = {**env, "DATABASE_URL": f"sqlite:///{lite_root / 'portal.sqlite3'}",
                    "STATIC_ROOT": str(lite_root / "staticfiles")}  # fmt: skip
        lite = threading.Thread(target=prepare_site, args=(lite_root, lite_env))
        loading = time.monotonic()
        if on_sqlite:
            lite.start()
        prepare_site(root, env)
        load_seconds = time.monotonic() - loading
        if on_sqlite:
            lite.join()
        words = articles.vocabulary(
            (root / "content" / "articles" / f"{slug}.md").read_text() for slug in slugs[:200]
        )
        queries = articles.queries(words, 50_000)
        random.Random(3).shuffle(slugs)
        stack = Stack(
            root, env, workers=CORES * 2 + 1,
            gunicorn_bind=f"unix:{root / 'gunicorn.sock'},127.0.0.1:{http_port}",
        )  # fmt: skip
        sender = subprocess.Popen(
            [sys.executable, "manage.py", "send_pending_email", "--watch"], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            with stack:
                bench = Bench(root, stack, f"http://127.0.0.1:{http_port}", env)
                prepare_rows(bench, slugs, stack.gunicorn.pid)
                if "site" in ROWS:
                    site_rows(bench, slugs, queries, stack.gunicorn.pid)
                if "tickets" in ROWS:
                    ticket_rows(bench)
                else:
                    yardstick(bench, "after")
                if "events" in ROWS:
                    beacon_row(bench)
                if "dashboard" in ROWS:
                    dashboard_rows(bench, env, bench.gunicorn_url, "PostgreSQL")
                memory = worker_memory(stack.gunicorn.pid)
        finally:
            sender.terminate()
            sender.wait()
        if on_sqlite:
            lite_port = free_port()
            lite_stack = Stack(lite_root, lite_env, workers=CORES * 2 + 1, nginx=False,
                               gunicorn_bind=f"127.0.0.1:{lite_port}")  # fmt: skip
            lite_url = f"http://127.0.0.1:{lite_port}"
            with lite_stack:
                bench.stack = lite_stack
                if "sqlite-search" in ROWS:
                    search_rows(bench, lite_url, queries, "SQLite FTS5")
                if "dashboard" in ROWS:
                    dashboard_rows(bench, lite_env, lite_url, "SQLite")
        if "diagnose" in ROWS:
            print("diagnose --file on a generated log", flush=True)
            diagnose = logs.bench_file(root / "error.log", env)
    finally:
        smtp.terminate()
    result = table(bench, memory, diagnose)
    _, apart = yardsticks(bench.rows)
    spread = " and ".join(f"{share:.0%} at {c}" for c, share in sorted(apart.items()))
    only = "" if set(ROWS) == set(ROW_GROUPS) else f" (only the rows {', '.join(ROWS)})"
    header = (
        f"Measured by `make bench`{only} on {CORES} cores: {ARTICLES:,} articles (loaded in "
        f"{load_seconds:.0f} s), PostgreSQL and Redis, {CORES * 2 + 1} Gunicorn workers, "
        f"nginx over TLS; wrk for {SECONDS} s per row; whole run "
        f"{time.monotonic() - started:.0f} s. Shares are of the median of the "
        f"static-file runs, which were {spread} apart.\n\n"
    )
    print()
    print(header + result)
    if not only:  # a run of some rows leaves the whole run's table as it was
        RESULTS.write_text(header + result + "\n")
        print(f"\nWritten to {RESULTS.relative_to(ROOT)}")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
