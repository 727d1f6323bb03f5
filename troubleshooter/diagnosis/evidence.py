"""What the details of a matched line say about which of its pattern's causes comes first.

A pattern for an ambiguous message (connection refused, a missing socket) names
several causes in the order that is most often right. The rest of the line can say
more: a proxy whose clients come from Docker's bridge network and which connects to
127.0.0.1 runs in a container and is talking to itself; a socket named after a PHP
version goes missing when PHP is upgraded, one without a version when its service
stops; a request that waited seconds in a queue before it
ran was held up by busy workers. A pattern lists the rules that apply to it under `weigh:` in
content/diagnosis/patterns.md; each rule takes the line and the pattern's causes and
returns them reordered, or unchanged when the line does not say.
"""

import re

# Docker gives bridge and compose networks addresses from 172.17.0.0/16 upwards, one /16
# each, handed out from the low end; a visitor seen from such an address reached the
# proxy through Docker, so the proxy runs in a container. 172.31.0.0/16 is left out: it
# is also the default network of every AWS VPC.
DOCKER_ADDRESS = r"172\.(?:1[7-9]|2\d|30)\.\d{1,3}\.\d{1,3}"
DOCKER_CLIENT = re.compile(rf"\bclient: {DOCKER_ADDRESS}\b")
COMPOSE_PREFIX = re.compile(r"^(?!PM2 )[\w.-]+ *\| ")
LOOPBACK = re.compile(
    r'(?:upstream: "[a-z]+://|dial tcp |connect ECONNREFUSED |connect to )'
    r"(?:127\.\d+\.\d+\.\d+|localhost|\[::1\])[:/\"]"
)
UNSPECIFIED = re.compile(r'(?:upstream: "[a-z]+://|dial tcp |connect ECONNREFUSED )0\.0\.0\.0:')
SOCKET_NAME = re.compile(r"(?:unix:|socket )/?[\w./-]*/(?P<name>[\w.-]+\.sock)\b")
VERSIONED = re.compile(r"\d\.?\d|php\d")


def promote(causes, slug, confidence):
    """The causes with `slug` first at `confidence`, the others kept below it."""
    others = [
        (other, round(max(0.05, min(value, confidence - 0.15)), 2))
        for other, value in causes
        if other != slug
    ]
    return ((slug, confidence), *others)


def container_loopback(entry, causes):
    """A proxy in a container that connects to its own loopback reaches no other
    container: the app listens in another one, or on the host."""
    # The plain-text tests first: this runs on every refused line of a whole log.
    if "127." not in entry and "localhost" not in entry and "[::1]" not in entry:
        return causes
    if not (DOCKER_CLIENT.search(entry) or COMPOSE_PREFIX.match(entry)):
        return causes
    if not LOOPBACK.search(entry):
        return causes
    return promote(causes, "docker-network", 0.7)


CONTAINER_UPSTREAM = re.compile(
    r'(?:upstream: "[a-z]+://|dial tcp |connect ECONNREFUSED |connect to )'
    rf"(?P<host>{DOCKER_ADDRESS}):"
)


def container_refused(entry, causes):
    """A container's own address that refuses: the container is up (a stopped one's
    address would not answer at all), so besides an app that is not running yet,
    nothing may listen on that port on its network side, because the app binds
    127.0.0.1 inside it. The Docker network comes second, not first: threads settle
    on a stopped or still-starting app as often."""
    if "172." not in entry or "docker-network" in dict(causes):
        return causes
    address = CONTAINER_UPSTREAM.search(entry)
    if not address or address.group("host").endswith(".1"):  # .1 is the host's gateway
        return causes
    best, *rest = causes
    second = round(max(0.05, best[1] - 0.1), 2)
    return (best, ("docker-network", second), *rest)


def ipv6_loopback(entry, causes):
    """A proxy told "localhost" may connect to ::1 while the backend listens on
    127.0.0.1 only: refused, though the backend runs."""
    # Node prints the address without brackets: "connect ECONNREFUSED ::1:3000".
    if "::1" in entry and re.search(
        r'(?:(?:upstream: "[a-z]+://|dial tcp | to https?://)\[::1\]'
        r"|connect ECONNREFUSED \[?::1\]?):\d",
        entry,
    ):
        return promote(causes, "wrong-upstream-address", max(dict(causes).values()))
    return causes


def unspecified_address(entry, causes):
    """0.0.0.0 is where a server listens on every address, not an address to connect to."""
    if "0.0.0.0:" in entry and UNSPECIFIED.search(entry):
        return promote(causes, "wrong-upstream-address", 0.7)
    return causes


def socket_version(entry, causes):
    """A socket named after a PHP version (php8.1-fpm.sock) is lost when PHP is upgraded
    and the proxy still names the old one; a socket without a version in its name
    (php-fpm.sock, puma.sock) is missing because its service is not running."""
    name = SOCKET_NAME.search(entry) if ".sock" in entry else None
    if not name or VERSIONED.search(name.group("name")):
        return causes
    if "backend-down" not in dict(causes):
        return causes
    return promote(causes, "backend-down", max(dict(causes).values()))


QUEUE_WAIT = re.compile(r"\b(?:[Ww]aited |wait=)(?P<ms>\d+)ms")


def queue_wait(entry, causes):
    """A request that waited a second or more before any worker took it was held up by
    busy workers, not by its own slowness."""
    wait = QUEUE_WAIT.search(entry)
    if wait and int(wait.group("ms")) >= 1000:
        return promote(causes, "worker-pool-exhausted", max(dict(causes).values()))
    return causes


DELAYED_CONNECT = re.compile(r"delayed[ _]connect[ _]error:[ _](?P<errno>\d+)")


def delayed_connect_error(entry, causes):
    """Envoy names the errno of a failed connect: 111 is refused (nothing listens),
    113 no route to the host and 110 no answer at all (a firewall, or the wrong address)."""
    errno = DELAYED_CONNECT.search(entry)
    if not errno:
        return causes
    if errno.group("errno") in ("113", "110"):
        return promote(causes, "firewall-block", max(dict(causes).values()))
    return causes


def by_pattern(pattern, slug, at_least=0):
    """A rule that puts `slug` first, at the pattern's top confidence (or `at_least`,
    when the line settles it more surely than the pattern says), on a line where
    `pattern` is found."""
    pattern = re.compile(pattern)

    def rule(entry, causes):
        if pattern.search(entry):
            return promote(causes, slug, max(at_least, max(dict(causes).values())))
        return causes

    return rule


def by_keyword(table):
    """A rule that puts first the cause of the first keyword of `table` found in the line."""

    def rule(entry, causes):
        for keyword, slug in table:
            if keyword in entry:
                return promote(causes, slug, max(0.5, max(dict(causes).values())))
        return causes

    return rule


# IIS ARR passes on the WinHTTP error of its request to the backend.
winhttp_error = by_keyword([
    ("0x80072efd", "backend-down"), ("could not be established", "backend-down"),
    ("0x80072ee2", "backend-slow"), ("timed out", "backend-slow"),
    ("0x80072ee7", "stale-dns"), ("could not be resolved", "stale-dns"),
    ("0x80072f78", "invalid-upstream-response"), ("invalid response", "invalid-upstream-response"),
    ("terminated the process", "backend-crash"),
    ("WINHTTP_CANNOT_CONNECT", "backend-down"), ("WINHTTP_TIMEOUT", "backend-slow"),
    ("WINHTTP_NAME_NOT_RESOLVED", "stale-dns"), ("WINHTTP_CONNECTION_ERROR", "backend-crash"),
    ("WINHTTP_INVALID_SERVER_RESPONSE", "invalid-upstream-response"),
    ("WINHTTP_SECURE_FAILURE", "upstream-tls"),
])  # fmt: skip
squid_error = by_keyword([
    ("ERR_CONNECT_FAIL", "backend-down"), ("Connection refused", "backend-down"),
    ("ERR_READ_TIMEOUT", "backend-slow"), ("ERR_DNS_FAIL", "stale-dns"),
    ("Unable to determine IP address", "stale-dns"), ("ERR_ZERO_SIZE_OBJECT", "backend-crash"),
    ("ERR_READ_ERROR", "backend-crash"), ("ERR_SECURE_CONNECT_FAIL", "upstream-tls"),
    ("TCP_MISS/504", "backend-slow"),
])  # fmt: skip
cloud_lb_detail = by_keyword([
    ("backend_timeout", "backend-slow"), ("Target.Timeout", "backend-slow"),
    ("_status_code=504", "backend-slow"), ("_status_code: 504", "backend-slow"),
    ("backend_connection_closed", "backend-crash"), ("ResponseCodeMismatch", "backend-crash"),
])  # fmt: skip
cloud_lb_page = by_keyword([
    ("at capacity", "worker-pool-exhausted"), ("NSG/UDR/Firewall", "firewall-block"),
    ("probe setting", "backend-down"),
])  # fmt: skip
apache_reason = by_keyword([
    ("Error reading from remote server", "backend-crash"), ("DNS lookup failure", "stale-dns"),
    ("Error during SSL Handshake", "upstream-tls"),
])  # fmt: skip
log_file_denied = by_keyword([("could not open error log file", "web-server-down")])
platform_start = by_keyword([
    ("has exited", "backend-crash"), ("did not start within", "backend-down"),
    ("hard deadline", "backend-slow"), ("malformed or connection", "backend-crash"),
    ("FUNCTION_INVOCATION_FAILED", "backend-crash"), ("NO_RESPONSE_FROM_FUNCTION", "backend-crash"),
])  # fmt: skip
tunnel_detail = by_keyword([
    ("connection refused", "backend-down"), ("no such host", "stale-dns"),
    ("i/o timeout", "backend-slow"), ("Tunnel error", "cdn-origin"), ("x509", "upstream-tls"),
    ("tls:", "upstream-tls"), ("originService=https", "upstream-tls"),
])  # fmt: skip
header_parse = by_keyword(
    [("Error parsing application response header", "invalid-upstream-response")]
)
node_errno = by_keyword([
    ("ECONNRESET", "backend-crash"), ("socket hang up", "backend-crash"),
    ("ETIMEDOUT", "backend-slow"), ("ENOTFOUND", "stale-dns"), ("EAI_AGAIN", "stale-dns"),
])  # fmt: skip
# The state Varnish's reader of the backend's answer was in when the fetch failed.
htc_status = by_keyword([
    ("HTC eof", "backend-crash"), ("HTC close", "backend-crash"),
    ("HTC junk", "invalid-upstream-response"), ("HTC overflow", "header-too-big"),
    ("HTC timeout", "backend-slow"), ("HTC idle", "backend-slow"), ("HTC status 3", "backend-slow"),
])  # fmt: skip
apache_errno = by_keyword([
    ("(70007)", "backend-slow"), ("timeout specified has expired", "backend-slow"),
    ("(104)", "backend-crash"), ("(111)", "backend-down"),
])  # fmt: skip
PROXY_CONTAINER = re.compile(
    r"\b[\w.-]*(?:nginx|proxy|traefik|caddy|haproxy|apache|httpd)[\w.-]* +exited with code"
)


def proxy_container(entry, causes):
    """A container that stopped is the backend, unless it is the proxy in front."""
    if PROXY_CONTAINER.search(entry):
        return promote(causes, "web-server-down", max(dict(causes).values()))
    return causes


vcl_compile = by_keyword(
    [("VCC-compiler", "proxy-config-error"), ("VCL compilation", "proxy-config-error")]
)


probe_detail = by_keyword([
    # A readiness probe the app answers with an error takes the pod out of its
    # service's endpoints: the service then has no ready pod to send requests to.
    ("Readiness probe failed: HTTP probe failed with statuscode", "no-ready-endpoints"),
    ("connection refused", "backend-down"), ("deadline exceeded", "backend-slow"),
    ("Timeout", "backend-slow"), ("timed out", "backend-slow"),
])  # fmt: skip
PROXY_HOPS = re.compile(r"from (?P<from>[\w.-]+:\d+) to https?://(?P<to>[\w.-]+:\d+)")


def proxy_to_itself(entry, causes):
    """A development proxy sending requests to its own address loops instead of
    reaching the API server."""
    hops = PROXY_HOPS.search(entry)
    if hops and hops.group("from") == hops.group("to"):
        return promote(causes, "wrong-upstream-address", max(dict(causes).values()))
    return causes


# systemd's own exit statuses 200 to 243 (203/EXEC, 217/USER, 200/CHDIR, 226/NAMESPACE)
# say it could not even start the command: the service never ran, it did not crash.
exec_status = by_pattern(r"status=2(?:[0-3]\d|4[0-3])/[A-Z]+\b", "backend-down", at_least=0.8)


# What Apache's connector to Tomcat says of the instances it found.
jk_detail = by_keyword([
    ("are busy or in error", "worker-pool-exhausted"), ("busy limit", "worker-pool-exhausted"),
    ("Timeout with waiting reply", "backend-slow"), ("cping/cpong failed", "backend-slow"),
])  # fmt: skip

# What mod_wsgi says of its daemon processes: hung, dead mid-answer, or all busy.
wsgi_detail = by_keyword([
    ("Truncated or oversized", "backend-crash"), ("Exception occurred processing", "backend-crash"),
    ("Queue timeout expired", "worker-pool-exhausted"), ("backlog limit", "worker-pool-exhausted"),
])  # fmt: skip


# Docker's embedded DNS server (127.0.0.11) answers inside a container on a user-defined
# network only: refused or silent there, the proxy runs on the default bridge, under
# Podman or on the host, where that resolver does not exist. A name it does not know
# ("Host not found", "no such host") is a container gone, which the pattern's order says.
docker_dns = by_pattern(
    r"127\.0\.0\.11(?::53)?\b[^\n]{0,80}(?:refused|timed? ?out|i/o timeout)"
    r"|(?:refused|timed? ?out|i/o timeout)[^\n]{0,80}127\.0\.0\.11\b",
    "docker-network",
)


# SIGKILL (9) is what the kernel's OOM killer sends; other signals are crashes.
signal_nine = by_pattern(r"signal 9\b|signal=9\b|status=9/KILL|SIGKILL", "oom-killed")


UNIT_NAME = re.compile(r"\b(?P<unit>[\w@-]+)\.service\b")
WEB_SERVER_UNITS = {
    "nginx", "apache2", "httpd", "caddy", "haproxy", "traefik", "lighttpd", "openresty",
    "lsws", "litespeed", "lshttpd", "nghttpx", "varnish", "envoy",
}  # fmt: skip


# "Failed to start A high performance web server and a reverse proxy server." names the
# unit by its description only; these are the web servers' own descriptions.
WEB_SERVER_DESCRIPTION = re.compile(
    r"(?:Starting|Started|Stopped|start|Stopping) (?:The |A |the )?(?:[\w-]+ - )?"
    r"(?:high performance web server|Apache HTTP Server|nginx HTTP and reverse proxy"
    r"|NGINX|nginx|Caddy|HAProxy|Traefik|LiteSpeed|OpenLiteSpeed|Lighttpd|Varnish)\b"
)


def web_server_unit(entry, causes):
    """A unit that fails is the backend, unless it is the web server itself."""
    unit = UNIT_NAME.search(entry)
    if (unit and unit.group("unit") in WEB_SERVER_UNITS) or WEB_SERVER_DESCRIPTION.search(entry):
        return promote(causes, "web-server-down", max(dict(causes).values()))
    return causes


# Whatever cannot bind port 80 or 443 is the web server or the proxy in front.
web_port = by_pattern(r"(?:0\.0\.0\.0|\[::\]|::|\*|[\d.]+)?:(?:80|443)\b(?!\d)", "web-server-down")


# WordPress's endpoints that bots and the pseudo-cron hammer: a worker slow or busy on
# one of them is a flood, not a slow page (content/articles/wordpress-floods.md).
wordpress_script = by_pattern(
    r"\b(?:wp-cron|xmlrpc|wp-login|admin-ajax)\.php\b", "wordpress-floods"
)

# A certificate that expired between the proxy and its backend is the upstream's TLS;
# anywhere else (a browser, curl, a client of the site) it is the site's own.
upstream_context = by_pattern(
    r"(?i)\bupstream\b|\bbackend\b|\bproxy(?:ing)?\b|\borigin\b", "upstream-tls"
)


RULES = {
    "wordpress-script": wordpress_script,
    "upstream-context": upstream_context,
    "container-loopback": container_loopback,
    "unspecified-address": unspecified_address,
    "ipv6-loopback": ipv6_loopback,
    "socket-version": socket_version,
    "queue-wait": queue_wait,
    "delayed-connect-error": delayed_connect_error,
    "winhttp-error": winhttp_error,
    "squid-error": squid_error,
    "cloud-lb-detail": cloud_lb_detail,
    "vcl-compile": vcl_compile,
    "signal-nine": signal_nine,
    "docker-dns": docker_dns,
    "jk-detail": jk_detail,
    "exec-status": exec_status,
    "wsgi-detail": wsgi_detail,
    "web-server-unit": web_server_unit,
    "web-port": web_port,
    "probe-detail": probe_detail,
    "proxy-to-itself": proxy_to_itself,
    "cloud-lb-page": cloud_lb_page,
    "apache-reason": apache_reason,
    "log-file-denied": log_file_denied,
    "platform-start": platform_start,
    "tunnel-detail": tunnel_detail,
    "header-parse": header_parse,
    "proxy-container": proxy_container,
    "container-refused": container_refused,
    "node-errno": node_errno,
    "apache-errno": apache_errno,
    "htc-status": htc_status,
}


def weigh(rules, entry, causes):
    for rule in rules:
        causes = rule(entry, causes)
    return causes
