"""The diagnosis engine: patterns, the real lines people paste, facts and commands."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from tests.test_flowchart_validation import copy_of_content
from troubleshooter import diagnosis, flowchart
from troubleshooter.api import as_json

LIBRARY = diagnosis.read(settings.CONTENT_DIR)
REAL_LINES = [
    json.loads(line)
    for line in (Path(__file__).parent / "diagnosis" / "real_lines.jsonl").read_text().splitlines()
    if line.strip()
]


def causes(text):
    return [f.slug for f in diagnosis.diagnose(text, LIBRARY).findings]


@pytest.mark.parametrize(
    ("pattern", "line"),
    [(pattern, line) for pattern, line, _ in LIBRARY.examples],
    ids=[f"{pattern.id}-{n}" for n, (pattern, _, _) in enumerate(LIBRARY.examples)],
)
def test_every_example_line_names_its_patterns_best_cause(pattern, line):
    assert pattern.causes[0][0] in causes(line)


@pytest.mark.parametrize(
    "row", [row for row in REAL_LINES if row["cause"] is None], ids=lambda row: row["log"][:50]
)
def test_lines_that_show_no_cause_get_no_guess(row):
    assert causes(row["log"]) == []


@pytest.mark.parametrize(
    "text",
    ["hello world", "the site is down please help", "", "   ", "GET / HTTP/1.1 200", "\x00\x01\x02",
     "2026/11/21 03:12:45 [notice] 1#1: signal process started", "<html><body>It works!</body></html>"],
)  # fmt: skip
def test_unknown_text_gives_an_empty_cause_list(text):
    assert causes(text) == []


# Every cause, from each program that can show it (program as the patterns name it).
CAUSE_PROGRAMS = {
    "backend-down": ["nginx", "apache", "php-fpm", "node", "traefik", "haproxy", "systemd"],
    "wrong-upstream-address": ["nginx", "apache"],
    "socket-permission": ["nginx", "apache"],
    "security-module": ["nginx", "selinux", "apparmor"],
    "firewall-block": ["nginx", "traefik", "kernel"],
    "backend-slow": [
        "nginx",
        "apache",
        "php-fpm",
        "php",
        "gunicorn",
        "uwsgi",
        "traefik",
        "haproxy",
    ],
    "worker-pool-exhausted": ["nginx", "apache", "php-fpm", "uwsgi"],
    "backend-crash": ["nginx", "apache", "php-fpm", "php", "gunicorn", "node", "pm2", "systemd"],
    "oom-killed": ["kernel", "systemd", "docker", "php-fpm", "gunicorn"],
    "disk-full": ["nginx", "application"],
    "header-too-big": ["nginx", "apache"],
    "invalid-upstream-response": ["nginx", "apache"],
    "upstream-tls": ["nginx", "apache", "traefik"],
    "stale-dns": ["nginx", "traefik"],
    "docker-network": ["nginx", "traefik"],
    "swarm-ipvs": ["docker"],
    "cdn-origin": ["cloudflare"],
    "rate-limited": ["nginx"],
    "maintenance-mode": ["application"],
    "proxy-config-error": ["nginx", "apache"],
}


@pytest.mark.parametrize(
    ("cause", "program"),
    [(cause, program) for cause, programs in CAUSE_PROGRAMS.items() for program in programs],
)
def test_every_cause_is_recognised_from_each_program_that_shows_it(cause, program):
    lines = [line for pattern, line, _ in LIBRARY.examples if pattern.program == program]
    assert any(cause in causes(line) for line in lines), f"no {program} line gives {cause}"


def test_every_cause_has_patterns():
    named = {slug for pattern in LIBRARY.patterns for slug, _ in pattern.causes}
    assert set(flowchart.CAUSES) <= named


# Reading text as people paste it ---------------------------------------------------------

NGINX = (
    "2026/11/21 03:12:45 [error] 2211#2211: *4183 connect() failed (111: Connection refused) "
    'while connecting to upstream, client: 203.0.113.7, server: example.com, request: "GET / '
    'HTTP/1.1", upstream: "http://127.0.0.1:3000/", host: "example.com"'
)


def test_it_reads_a_line_wrapped_by_a_terminal_mid_word():
    wrapped = "\n".join(NGINX[i : i + 80] for i in range(0, len(NGINX), 80))
    assert causes(wrapped)[:1] == ["backend-down"]


def test_it_reads_a_line_wrapped_at_spaces_by_a_chat_window():
    words, lines, line = NGINX.split(" "), [], ""
    for word in words:
        if len(line) + len(word) > 60:
            lines.append(line.rstrip())
            line = ""
        line += word + " "
    lines.append(line)
    result = diagnosis.diagnose("\n".join(lines), LIBRARY)
    assert result.findings[0].slug == "backend-down"
    assert result.facts["port"] == "3000"


def test_it_reads_html_escaped_quoted_and_junk_trailed_text():
    escaped = NGINX.replace('"', "&quot;")
    assert causes(f"`{escaped}`,  ")[:1] == ["backend-down"]
    assert causes(f"> {NGINX}")[:1] == ["backend-down"]


def test_it_reads_typographic_quotes_fullwidth_forms_and_spaces_that_do_not_break():
    # As a word processor, a forum or an input method leaves a pasted line.
    line = (
        "upstream sent \uff02Content-Length\uff02 and \uff02Transfer-Encoding\uff02 headers at "
        "the same time while reading response header from upstream"
    )
    assert causes(line)[:1] == ["invalid-upstream-response"]
    smart = "nginx: [emerg]\u00a0host not found in upstream \u201cbackend:8000\u201d in /etc/nginx/conf.d/app.conf:3"
    assert set(causes(smart)[:2]) == {"docker-network", "stale-dns"}
    assert causes(NGINX.replace('"', "\u201d").replace(":", "\uff1a"))[:1] == ["backend-down"]


def test_it_reads_journald_and_compose_prefixes():
    journald = f"Nov 21 03:12:45 web nginx[2211]: {NGINX}"
    assert causes(journald)[:1] == ["backend-down"]
    compose = f"proxy-1  | {NGINX}"
    assert causes(compose)[:1] == ["docker-network"]
    assert diagnosis.diagnose(compose, LIBRARY).facts["container"] == "proxy"


def test_a_whole_log_counts_causes_with_first_and_last_seen():
    log = "\n".join(
        [
            NGINX,
            "2026/11/21 03:20:00 [notice] 1#1: signal process started",
            NGINX.replace("03:12:45", "03:30:01"),
            "[21-Nov-2026 03:31:00] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it",
        ]
    )
    result = diagnosis.diagnose(log, LIBRARY)
    data = as_json(result, summary=True)
    first = data["causes"][0]
    assert first["slug"] == "worker-pool-exhausted"  # the more certain finding comes first
    refused = next(c for c in data["causes"] if c["slug"] == "backend-down")
    assert refused["count"] == 2
    assert refused["first_seen"] == "2026-11-21 03:12:45"
    assert refused["last_seen"] == "2026-11-21 03:30:01"
    assert "03:30:01" in refused["example"]
    assert data["lines"] == 4


# Facts and commands -----------------------------------------------------------------------


def test_it_extracts_the_facts_in_an_nginx_line():
    facts = diagnosis.diagnose(NGINX, LIBRARY).facts
    assert facts == {
        "program": "nginx",
        "time": "2026-11-21 03:12:45",
        "level": "error",
        "upstream": "http://127.0.0.1:3000",
        "server": "example.com",
        "host": "example.com",
        "request": "GET / HTTP/1.1",
        "client": "203.0.113.7",
        "pid": "2211",
        "port": "3000",
    }


def test_it_extracts_the_socket_and_php_version_and_fills_the_commands():
    line = (
        "2026/11/21 03:12:45 [crit] 2211#2211: *4183 connect() to unix:/run/php/php8.1-fpm.sock "
        "failed (2: No such file or directory) while connecting to upstream, client: 203.0.113.7, "
        'server: example.com, request: "GET / HTTP/1.1", upstream: '
        '"fastcgi://unix:/run/php/php8.1-fpm.sock:", host: "example.com"'
    )
    result = diagnosis.diagnose(line, LIBRARY)
    assert result.facts["socket"] == "/run/php/php8.1-fpm.sock"
    assert result.facts["php_version"] == "8.1"
    runs = [command["run"] for command in result.commands()]
    assert "ls -l /run/php/" in runs
    assert "systemctl status php8.1-fpm" in runs
    assert not any("sport" in run for run in runs)  # a socket line gets no port commands
    assert result.continue_query == "code=502&log-502=no-such-file"


def test_a_tcp_line_gets_the_port_filled_in():
    runs = [c["run"] for c in diagnosis.diagnose(NGINX, LIBRARY).commands()]
    assert "ss -ltnp 'sport = :3000'" in runs


def test_ipv6_upstreams_keep_their_port():
    line = NGINX.replace('upstream: "http://127.0.0.1:3000/"', 'upstream: "http://[::1]:8000/api"')
    assert diagnosis.diagnose(line, LIBRARY).facts["port"] == "8000"


@pytest.mark.parametrize(
    ("line", "time"),
    [
        (
            "[Sat Nov 21 03:12:45.224511 2026] [proxy:error] [pid 3121] AH01114: HTTP: failed to make connection to backend: 127.0.0.1",
            "2026-11-21 03:12:45",
        ),
        (
            "[21-Nov-2026 03:12:45] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it",
            "2026-11-21 03:12:45",
        ),
        (
            "Nov 21 03:12:45 web kernel: Out of memory: Killed process 1234 (php-fpm8.2) total-vm:1kB",
            "Nov 21 03:12:45",
        ),
        (
            "[2026-11-21 03:12:45 +0000] [1024] [CRITICAL] WORKER TIMEOUT (pid:1187)",
            "2026-11-21 03:12:45",
        ),
    ],
)
def test_it_reads_the_time_of_each_log_format(line, time):
    assert diagnosis.diagnose(line, LIBRARY).facts["time"] == time


# The pattern check ---------------------------------------------------------------------------


@pytest.fixture
def patterns_dir(tmp_path):
    return copy_of_content(tmp_path) / "diagnosis" / "patterns.md"


def check_problems(patterns_dir):
    with pytest.raises(diagnosis.DiagnosisError) as error:
        diagnosis.read(patterns_dir.parent.parent)
    return str(error.value)


def test_manage_py_check_reports_a_broken_pattern(patterns_dir, settings):
    settings.CONTENT_DIR = patterns_dir.parent.parent
    replace(patterns_dir, "causes: {rate-limited: 0.95}", "causes: {rate-limiting: 0.95}")
    with pytest.raises(SystemCheckError) as error:
        call_command("check")
    assert "cause 'rate-limiting' has no outcome" in str(error.value)


def replace(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_the_check_rejects_an_example_its_pattern_misses(patterns_dir):
    replace(
        patterns_dir,
        "match: 'limiting connections by zone \"'",
        "match: 'limiting connections per zone \"'",
    )
    assert "pattern 'nginx-limit-conn' does not match its example" in check_problems(patterns_dir)


def test_the_check_rejects_an_unknown_cause(patterns_dir):
    replace(patterns_dir, "causes: {rate-limited: 0.95}", "causes: {rate-limiting: 0.95}")
    assert "cause 'rate-limiting' has no outcome" in check_problems(patterns_dir)


def test_the_check_rejects_a_broken_regular_expression(patterns_dir):
    replace(
        patterns_dir,
        "match: 'limiting connections by zone \"'",
        "match: 'limiting (connections by zone'",
    )
    assert "'match' is not a valid regular expression" in check_problems(patterns_dir)


def test_the_check_wants_a_flowchart_step_for_ambiguous_patterns(patterns_dir):
    replace(patterns_dir, "    continue: code=502&log-502=refused\n    examples:", "    examples:")
    assert "names several causes, so it needs 'continue'" in check_problems(patterns_dir)


def test_the_check_rejects_a_continue_that_is_not_a_path(patterns_dir):
    replace(
        patterns_dir, "continue: code=502&log-502=refused\n", "continue: code=502&log-502=refusd\n"
    )
    assert "'continue' is not a path of the flowchart" in check_problems(patterns_dir)


def test_the_check_rejects_an_example_without_origin(patterns_dir):
    replace(
        patterns_dir,
        '        origin: \'nginx src/http/modules/ngx_http_limit_conn_module.c: "limiting connections by zone \\"%V\\""\'\n',
        "",
    )
    assert "each example needs a 'line' and its 'origin'" in check_problems(patterns_dir)


def test_every_suggested_command_is_valid_shell_with_nothing_left_to_fill():
    """For every example line, every command of each of its causes, as the page shows
    them: `bash -n` accepts each, and no @name@ is left."""
    import subprocess

    from troubleshooter.diagnosis.commands import PLACEHOLDER, suggest

    rendered = set()
    for _pattern, line, _ in LIBRARY.examples:
        result = diagnosis.diagnose(line, LIBRARY)
        rendered |= {c["run"] for c in suggest(result.findings, result.facts, LIBRARY.commands, 20)}
    assert len(rendered) > 80
    left = [command for command in rendered if PLACEHOLDER.search(command)]
    assert left == []
    script = "\n".join(
        f"check_{n}() {{\n{command}\n}}" for n, command in enumerate(sorted(rendered))
    )
    checked = subprocess.run(["bash", "-n"], input=script, text=True, capture_output=True)
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize(
    ("upstream", "expected", "absent"),
    [
        (
            'upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:"',
            "cgi-fcgi -bind -connect /run/php/php8.2-fpm.sock",
            "curl",
        ),
        (
            'upstream: "fastcgi://127.0.0.1:9000"',
            "cgi-fcgi -bind -connect 127.0.0.1:9000",
            "curl -v http",
        ),
        (
            'upstream: "https://127.0.0.1:8443/"',
            "openssl s_client -connect 127.0.0.1:8443 ",
            "https://127.0.0.1:8443 -servername",
        ),
    ],
)
def test_commands_get_the_part_of_the_upstream_they_need(upstream, expected, absent):
    from troubleshooter.diagnosis.commands import suggest

    cause = "upstream-tls" if "https" in upstream else "wrong-upstream-address"
    finding = diagnosis.Finding(cause, 0.9)
    facts = diagnosis.extract_facts(
        f'connect() failed, client: 203.0.113.7, {upstream}, host: "example.com"'
    )
    runs = " | ".join(c["run"] for c in suggest([finding], facts, LIBRARY.commands))
    assert expected in runs
    assert absent not in runs


def test_no_php_commands_for_a_backend_that_is_not_php():
    line = '2026/11/21 03:12:45 [error] 7#7: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.7, server: example.com, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8000/", host: "example.com"'
    runs = [c["run"] for c in diagnosis.diagnose(line, LIBRARY).commands(limit=3)]
    assert runs and not any("php" in run for run in runs)
    assert "ss -ltnp 'sport = :8000'" in runs


@pytest.mark.parametrize(
    "line",
    [
        "SEVERE: All threads (200) are currently busy, waiting. Increase maxThreads (200)",
        "[2026-12-02 14:07:31 +0000] [1201] [CRITICAL] WORKER TIMEOUT (pid:1240)",
        "2018-02-04 13:02:59,944 WARNING daphne.server Application instance took too long to shut down and was killed.",
    ],
)
def test_an_app_server_that_is_not_php_gets_no_php_fpm_commands(line):
    runs = [c["run"] for c in diagnosis.diagnose(line, LIBRARY).commands(limit=3)]
    assert runs and not any("php" in run for run in runs)


# A paste read as a whole -----------------------------------------------------------------

REFUSED_3000 = '2026/11/21 03:12:45 [error] 7#7: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.7, server: example.com, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:3000/", host: "example.com"'


def test_a_php_fpm_pool_line_in_the_paste_outranks_the_proxy_line():
    paste = (
        '2026/11/21 03:12:45 [error] 7#7: *1 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 203.0.113.7, upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:"\n'
        "[21-Nov-2026 03:12:40] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it"
    )
    assert causes(paste)[0] == "worker-pool-exhausted"


def test_systemctl_and_ss_output_in_the_paste_settle_the_question():
    paste = "\n".join([
        REFUSED_3000,
        "$ systemctl status myapp",
        "● myapp.service - My app",
        "     Active: active (running) since Sat 2026-11-21 01:00:00 UTC; 2h ago",
        "$ ss -tlnp",
        'LISTEN 0      511        127.0.0.1:8080      0.0.0.0:*    users:(("node",pid=812,fd=18))',
    ])  # fmt: skip
    result = diagnosis.diagnose(paste, LIBRARY)
    assert [f.slug for f in result.findings][:1] == ["wrong-upstream-address"]
    assert result.settled
    says = [o.says for o in result.observations]
    assert "the service is running, so it did not simply stop" in says
    assert any("nothing listens on port 3000" in s and "8080" in s for s in says)


def test_a_stopped_service_in_the_paste_points_at_the_backend_being_down():
    paste = f"{REFUSED_3000}\n● myapp.service - My app\n   Active: inactive (dead)"
    assert causes(paste)[0] == "backend-down"


def test_a_full_filesystem_in_df_output_names_the_cause_but_a_snap_does_not():
    df = "Filesystem      Size  Used Avail Use% Mounted on\n/dev/vda1        25G   25G     0 100% /\n"
    assert causes(df) == ["disk-full"]
    snap = "Filesystem      Size  Used Avail Use% Mounted on\n/dev/loop0       64M   64M     0 100% /snap/core20/2318\n"
    assert causes(snap) == []


@pytest.mark.parametrize(
    "rows",
    [
        # uid tgid total_vm rss pgtables_bytes swapents oom_score_adj name, under dmesg's time
        "[40526.379438] [   5323]     1  5323   120510    58957   720896        0             0 php-fpm\n"
        "[40526.383672] [   5324]     1  5324   139356    71522   856064        0             0 php-fpm",
        # the wider table of newer kernels, as journald shows it
        "Nov 21 03:12:45 web kernel: [   1187]    33  1187    31403     1486      326     1128        32   294912    18208             0 gunicorn",
    ],
)
def test_rows_of_the_kernels_out_of_memory_task_table_name_the_oom_killer(rows):
    result = diagnosis.diagnose(rows)
    assert [f.slug for f in result.findings][:1] == ["oom-killed"]
    assert result.unmatched == []  # command output, not lines that matched nothing


def test_a_table_of_numbers_that_is_not_the_task_table_names_nothing():
    assert causes("[ 1] 10 20 30\n[ 2] 40 50 60") == []
    assert (
        causes("  PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND") == []
    )


# The page reads the open incidents for its notice.
@pytest.mark.django_db
def test_the_page_says_which_pasted_line_answered_the_question(client):
    paste = f"{REFUSED_3000}\n● myapp.service - My app\n     Active: active (running) since Sat 2026-11-21 01:00:00 UTC; 2h ago\nLISTEN 0 511 127.0.0.1:8080 0.0.0.0:*"
    html = client.post("/troubleshoot/diagnose/", {"log": paste}).content.decode()
    assert "Your paste already answers the question that tells these causes apart" in html
    assert "Nothing listens on port 3000, which the proxy uses" in html
    assert "One question settles it" not in html


def test_command_output_is_never_joined_to_the_log_line_before_it():
    entries, lines = diagnosis.normalise(
        f"{REFUSED_3000}\nroot@web:~# systemctl status myapp\n● myapp.service - My app\n     Active: active (running)"
    )
    assert lines == 4
    assert entries[0] == REFUSED_3000
    assert entries[1:] == [
        "systemctl status myapp",
        "● myapp.service - My app",
        "Active: active (running)",
    ]


PM2_EXIT = "2021-02-26T18:24:59: PM2 log: App [api:2] exited with code [0] via signal [SIGABRT]"
ASSERTION = "node: ../deps/uv/src/unix/core.c:930: uv__io_stop: Assertion `loop->watchers[w->fd] == w' failed."


def test_two_different_messages_naming_one_cause_outweigh_either_alone():
    # PM2 alone cannot tell a stopped app from a crashed one; the assertion says crash.
    assert causes(PM2_EXIT)[0] == "backend-down"
    assert causes(f"{PM2_EXIT}\n{ASSERTION}")[0] == "backend-crash"


def test_the_same_message_read_again_adds_nothing():
    once = diagnosis.diagnose(REFUSED_3000).findings
    often = diagnosis.diagnose("\n".join([REFUSED_3000] * 200)).findings
    assert [(f.slug, f.confidence) for f in often] == [(f.slug, f.confidence) for f in once]
    assert often[0].count == 200


def test_a_bare_status_page_adds_nothing_to_what_the_log_names():
    # Squid's header names a DNS failure; the 503 status line above it names nothing.
    reply = "HTTP/1.1 503 Service Unavailable\nServer: squid\nX-Squid-Error: ERR_DNS_FAIL 0"
    assert causes(reply)[0] == "stale-dns"
