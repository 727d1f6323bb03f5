"""The rest of a matched line reorders its pattern's causes (content/diagnosis/patterns.md `weigh:`)."""

import dataclasses

import pytest
from django.conf import settings

from tests.test_diagnosis import check_problems, patterns_dir, replace  # noqa: F401
from troubleshooter import diagnosis

LIBRARY = diagnosis.read(settings.CONTENT_DIR)
REFUSED = '2026/11/21 03:12:45 [error] 28#28: *2 connect() failed (111: Connection refused) while connecting to upstream, client: {client}, server: , request: "GET / HTTP/1.1", upstream: "{upstream}", host: "localhost:8080"'
MISSING = '2026/11/21 03:12:45 [crit] 551#551: *1 connect() to unix:{socket} failed (2: No such file or directory) while connecting to upstream, client: 203.0.113.7, server: , request: "GET / HTTP/1.1", upstream: "fastcgi://unix:{socket}:", host: "example.com"'


def top(text):
    findings = diagnosis.diagnose(text, LIBRARY).findings
    return findings[0].slug if findings else None


@pytest.mark.parametrize(
    ("client", "upstream", "cause"),
    [
        ("172.17.0.1", "http://127.0.0.1:3001/", "docker-network"),
        ("172.18.0.1", "fastcgi://127.0.0.1:9000", "docker-network"),
        ("172.18.0.1", "http://localhost:8000/", "docker-network"),
        # From an ordinary visitor's address the proxy runs on the host: loopback is right.
        ("203.0.113.7", "http://127.0.0.1:3001/", "backend-down"),
        # A container connecting to another container by address is not talking to itself.
        ("172.18.0.1", "http://172.18.0.3:3000/", "backend-down"),
        ("203.0.113.7", "http://0.0.0.0:8085/", "wrong-upstream-address"),
    ],
)
def test_where_the_proxy_runs_and_connects_reorders_connection_refused(client, upstream, cause):
    assert top(REFUSED.format(client=client, upstream=upstream)) == cause


def test_a_compose_prefix_shows_the_proxy_runs_in_a_container():
    line = "web-1  | " + REFUSED.format(client="10.0.0.2", upstream="http://127.0.0.1:3000/")
    assert top(line) == "docker-network"


@pytest.mark.parametrize(
    ("socket", "cause"),
    [
        ("/run/php/php8.1-fpm.sock", "wrong-upstream-address"),
        ("/var/run/php/php7.4-fpm.sock", "wrong-upstream-address"),
        ("/var/run/php-fpm.sock", "backend-down"),
        ("/tmp/puma.sock", "backend-down"),
        ("/var/lib/php7.0-fpm/ispconfig.sock", "backend-down"),
    ],
)
def test_a_missing_socket_with_a_php_version_in_its_name_points_at_an_upgrade(socket, cause):
    assert top(MISSING.format(socket=socket)) == cause


@pytest.mark.parametrize(
    ("size", "cause"),
    [
        ("21573", "invalid-upstream-response"),  # "ET" of GET
        ("21327", "invalid-upstream-response"),  # "OS" of POST
        ("16709", "invalid-upstream-response"),  # "EA" of HEAD
        ("4313", "header-too-big"),
        ("9614", "header-too-big"),
    ],
)
def test_uwsgis_block_size_tells_http_on_its_socket_from_big_headers(size, cause):
    assert top(f"invalid request block size: {size} (max 4096)...skip") == cause
    assert top(f"invalid request block size: {size}") == cause


def test_the_check_rejects_an_unknown_evidence_rule(patterns_dir):  # noqa: F811
    replace(patterns_dir, "weigh: [socket-version]", "weigh: [socket-versions]")
    assert "'weigh' must be a list of evidence rules" in check_problems(patterns_dir)


@pytest.mark.parametrize(
    ("line", "cause"),
    [
        (
            "HTTP Error 502.3 - Bad Gateway. The operation timed out. Error Code 0x80072ee2",
            "backend-slow",
        ),
        (
            "HTTP Error 502.3 - Bad Gateway. A connection with the server could not be established. Error Code 0x80072efd",
            "backend-down",
        ),
        (
            "HTTP Error 502.3 - Bad Gateway. The server name or address could not be resolved. Error Code 0x80072ee7",
            "stale-dns",
        ),
        ("The system returned: (110) Connection timed out ERR_READ_TIMEOUT", "backend-slow"),
        ("ERR_DNS_FAIL Unable to determine IP address from host name app.internal", "stale-dns"),
        ('"statusDetails": "backend_timeout"', "backend-slow"),
        (
            "DAMN ! worker 1 (pid: 1234) died, killed by signal 9 :( trying respawn ...",
            "oom-killed",
        ),
        (
            "DAMN ! worker 2 (pid: 1240) died, killed by signal 11 :( trying respawn ...",
            "backend-crash",
        ),
        (
            "Nov 21 03:12:45 web systemd[1]: myapp.service: Scheduled restart job, restart counter is at 5.",
            "backend-crash",
        ),
        (
            "Nov 21 03:12:45 web systemd[1]: nginx.service: Scheduled restart job, restart counter is at 5.",
            "web-server-down",
        ),
        (
            "Error starting userland proxy: listen tcp4 0.0.0.0:443: bind: address already in use",
            "web-server-down",
        ),
        ("Error: listen EADDRINUSE: address already in use :::3000", "backend-down"),
        ("-   FetchError     HTC eof (-1)", "backend-crash"),
        ("-   FetchError     HTC timeout (-3)", "backend-slow"),
        ("-   FetchError     HTC overflow (-2)", "header-too-big"),
    ],
)
def test_a_gateways_detail_code_picks_the_cause(line, cause):
    assert top(line) == cause


@pytest.mark.parametrize(
    ("script", "cause"),
    [
        ("/var/www/html/wp-cron.php", "wordpress-floods"),
        ("/srv/www/site/xmlrpc.php", "wordpress-floods"),
        ("/var/www/html/wp-admin/admin-ajax.php", "wordpress-floods"),
        ("/var/www/html/index.php", "backend-slow"),
        ("/var/www/html/wp-cron-report.php.bak", "backend-slow"),
    ],
)
def test_a_slow_worker_on_a_flooded_wordpress_endpoint_is_a_flood(script, cause):
    line = (
        f"[21-Nov-2026 03:12:45] WARNING: [pool www] child 898, script '{script}' "
        f'(request: "POST /x") executing too slow (10.281921 sec), logging'
    )
    assert top(line) == cause


def test_a_websocket_that_timed_out_is_a_websocket_not_a_slow_backend():
    line = (
        "2026/11/21 03:12:45 [info] 2211#2211: *4183 upstream timed out (110: Connection "
        "timed out) while proxying upgraded connection, client: 203.0.113.7, server: "
        'example.com, request: "GET /ws HTTP/1.1", upstream: "http://127.0.0.1:3000/ws"'
    )
    assert top(line) == "websocket-proxy"
    assert (
        top(line.replace("proxying upgraded connection", "reading response header from upstream"))
        == "backend-slow"
    )


def test_a_wordpress_fatal_error_shown_in_the_page_without_its_php_prefix():
    line = "Fatal error: Uncaught Error: Call to undefined function x() in /home/u/public_html/wp-content/plugins/amp/templates/features.php:4536"
    assert top(line) == "wordpress-fatal-error"
    assert top(line.replace("/wp-content/plugins/amp", "/app/src")) == "backend-crash"


def test_pm2_naming_sigkill_points_at_the_oom_killer():
    line = "2026-11-21T03:12:45: PM2 log: App [api] with id [0] and pid [1797], exited with code [0] via signal [SIGKILL]"
    assert top(line) == "oom-killed"
    assert top(line.replace("SIGKILL", "SIGINT")) == "backend-down"


def test_a_readiness_probe_answered_with_an_error_leaves_no_ready_pod():
    line = "Warning  Unhealthy  3s  kubelet  Readiness probe failed: HTTP probe failed with statuscode: 503"
    assert top(line) == "no-ready-endpoints"
    assert (
        top(
            line.replace(
                "HTTP probe failed with statuscode: 503",
                'Get "http://10.1.2.3:8080/": context deadline exceeded',
            )
        )
        == "backend-slow"
    )


def test_a_socket_named_after_php_5_is_a_php_version_socket():
    """php5-fpm.sock carries a version as surely as php8.1-fpm.sock does: lost with an
    upgrade, so the proxy's address is what is wrong."""
    assert top(MISSING.format(socket="/var/run/php5-fpm.sock")) == "wrong-upstream-address"
    assert top(MISSING.format(socket="/run/php/php-fpm.sock")) == "backend-down"


@pytest.mark.parametrize(
    "line",
    [
        "Error: EACCES: permission denied, open '/srv/app/data/settings.json'",
        "PermissionError: [Errno 13] Permission denied: '/srv/app/cache/x'",
        "Permission denied @ dir_s_mkdir - /srv/app/tmp/cache (Errno::EACCES)",
    ],
)
def test_an_application_refused_its_own_file_fails_itself(line):
    # Behind a proxy that answers 502 the refusal is most often at start-up, so the app
    # is not running; a request that needed the file fails with it too.
    causes = [f.slug for f in diagnosis.diagnose(line, LIBRARY).findings]
    assert causes[:2] == ["backend-down", "backend-crash"]
    # The same refusal on a socket is the socket's permissions.
    assert top("Error: connect EACCES /srv/app/app.sock") == "socket-permission"


@pytest.mark.parametrize(
    "line",
    [
        'exec: "uvicorn": executable file not found in $PATH',
        "s6-applyuidgid: fatal: unable to exec puma: No such file or directory",
        "exec /app/start.sh: exec format error",
        'npm ERR! Missing script: "start"',
        "npm ERR! code ELIFECYCLE",
    ],
)
def test_a_service_whose_program_cannot_run_is_down(line):
    assert top(line) == "backend-down"


def test_nginx_connect_failing_with_a_timeout_is_the_way_there_not_a_slow_backend():
    line = "connect() failed (110: Connection timed out) while connecting to upstream"
    assert top(line) == "firewall-block"
    assert (
        top(
            "upstream timed out (110: Connection timed out) while reading response header from upstream"
        )
        == "backend-slow"
    )


def test_postgresql_refusing_the_login_is_the_database():
    assert top('FATAL:  password authentication failed for user "shop"') == "database-down"


def test_kong_naming_a_host_it_cannot_resolve_or_no_peer():
    assert (
        top(
            "failed the initial dns/balancer resolve for 'orders' with: dns server error: 3 name error"
        )
        == "stale-dns"
    )
    assert top('{"message":"failure to get a peer from the ring-balancer"}') == "backend-down"


@pytest.mark.parametrize(
    "line", ["ERROR:    Exception in ASGI application", "ERROR in app: Exception on /cart [POST]"]
)
def test_an_application_exception_from_uvicorn_or_flask_is_a_crash(line):
    assert top(line) == "backend-crash"


@pytest.mark.parametrize(
    "line",
    [
        "Verify return code: 10 (certificate has expired)",
        "Error: certificate has expired",
        "SSL_connect returned=1 errno=0 state=error: certificate verify failed (certificate has expired)",
    ],
)
def test_an_expired_certificate_seen_by_a_client_is_the_sites_own(line):
    assert top(line) == "certificate-expired"
    # Between the proxy and its backend it is the upstream's TLS.
    assert top(f"{line} while connecting to the upstream") == "upstream-tls"


def test_cloudflare_526_names_an_expired_origin_certificate_too():
    found = [
        f.slug
        for f in diagnosis.diagnose("Invalid SSL certificate Error code 526", LIBRARY).findings
    ]
    assert found[:2] == ["cdn-origin", "certificate-expired"]
    found = [
        f.slug for f in diagnosis.diagnose("Web server is down Error code 521", LIBRARY).findings
    ]
    assert "certificate-expired" not in found


def test_a_php_script_out_of_time_is_slow_not_broken():
    line = "PHP Fatal error:  Maximum execution time of 30 seconds exceeded in /srv/app/x.php on line 9"
    assert top(line) == "backend-slow"
    assert (
        top('PHP Fatal error:  Uncaught Error: Class "Foo" not found in /srv/app/x.php:3')
        == "backend-crash"
    )


@pytest.mark.parametrize(
    ("fragment", "cause"),
    [
        ("502 bad gateway nginx", "backend-down"),
        ("503 service temporarily unavailable", "backend-down"),
        ("504 gateway timeout", "backend-slow"),
        ("worker timeout", "backend-slow"),
        ("pm.max_children", "worker-pool-exhausted"),
        ("server reached pm.max_children setting", "worker-pool-exhausted"),
        ("File not found.", "proxy-config-error"),
        ("no space left", "disk-full"),
        ("killed process", "oom-killed"),
    ],
)
def test_the_few_words_a_customer_types_from_memory(fragment, cause):
    assert top(fragment) == cause


@pytest.mark.parametrize("words", ["permission denied", "timed out", "no such file or directory"])
def test_words_that_fit_any_cause_alone_give_none(words):
    assert top(words) is None


@pytest.mark.parametrize(
    ("line", "cause"),
    [
        # Node 17 and later resolve localhost to ::1 first and print it without brackets.
        ("Error: connect ECONNREFUSED ::1:3000", "wrong-upstream-address"),
        (
            "[HPM] Error occurred while proxying request localhost:3000/api to http://localhost:8080/ [ECONNREFUSED] connect ECONNREFUSED ::1:8080",
            "wrong-upstream-address",
        ),
        ("Error: connect ECONNREFUSED 127.0.0.1:3000", "backend-down"),
    ],
)
def test_a_refusal_on_the_ipv6_loopback_points_at_the_address(line, cause):
    assert top(line) == cause


# The layer that reads any program's errors, on its own: what a line from a program
# with no pattern of its own is left with.
ANY_PROGRAM_ONLY = dataclasses.replace(
    LIBRARY, groups=[((), any_program) for _, any_program in LIBRARY.groups], candidates={}
)


@pytest.mark.parametrize(
    ("line", "cause"),
    [
        # "while SSL handshaking" alone is a visitor's TLS; "to upstream" is the proxy's.
        (
            "SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) "
            "while SSL handshaking to upstream",
            "upstream-tls",
        ),
        ("SEVERE: All threads (200) are currently busy, waiting.", "worker-pool-exhausted"),
        ("Couldn't create FastCGI listen socket on port 127.0.0.1:9000", "backend-down"),
        ("Script /srv/app/server.js had too many unstable restarts (16). Stopped.", "backend-down"),
        ("[3619581.644080] node invoked oom-killer: gfp_mask=0x24280ca, order=0", "oom-killed"),
        ("api.internal could not be resolved (3: Host not found)", "stale-dns"),
        (
            "! Terminating timed out worker (worker failed to check in within 60 seconds)",
            "backend-slow",
        ),
        ('desc="Connection closed without response" status=503', "backend-crash"),
    ],
)
def test_the_any_program_layer_reads_the_meaning_whoever_wrote_it(line, cause):
    findings = diagnosis.diagnose(line, ANY_PROGRAM_ONLY).findings
    assert findings and findings[0].slug == cause


def test_the_any_program_layer_leaves_a_visitors_own_tls_alone():
    line = (
        "SSL_do_handshake() failed (SSL: error:0A000102:SSL routines::unsupported protocol) "
        "while SSL handshaking, client: 203.0.113.9, server: 0.0.0.0:443"
    )
    assert diagnosis.diagnose(line, ANY_PROGRAM_ONLY).findings == []


def test_the_docker_command_refused_its_daemons_socket_is_not_the_sites_fault():
    line = (
        "Got permission denied while trying to connect to the Docker daemon socket at "
        'unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/containers/json": '
        "dial unix /var/run/docker.sock: connect: permission denied"
    )
    assert top(line) is None
    # A proxy refused its backend's socket still is.
    assert top("connect() to unix:/run/php/php8.3-fpm.sock failed (13: Permission denied)") == (
        "socket-permission"
    )


def test_a_unit_systemd_could_not_even_start_never_ran():
    """systemd's own statuses 200 to 243 (203/EXEC: the command is not there) say the
    service never ran, however the lines around it read."""
    paste = "\n".join(
        [
            "Jan 24 21:39:43 nuc systemd[1]: Started gunicorn daemon.",
            "Jan 24 21:39:43 nuc systemd[1]: gunicorn.service: Main process exited, code=exited, status=203/EXEC",
            "Jan 24 21:39:43 nuc systemd[1]: gunicorn.service: Unit entered failed state.",
        ]
    )
    assert top(paste) == "backend-down"
