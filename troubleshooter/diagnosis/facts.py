"""The facts in a log entry: program, time, level, upstream, socket, PHP version, port…"""

import re

MONTHS = {
    m: i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}
TIMESTAMPS = [
    (re.compile(r"(\d{4})[/-](\d{2})[/-](\d{2})[T ](\d{2}:\d{2}:\d{2})"), "ymd"),
    (re.compile(r"\[\w{3} (\w{3}) (\d{2}) (\d{2}:\d{2}:\d{2})(?:\.\d+)? (\d{4})\]"), "apache"),
    (re.compile(r"(\d{2})-(\w{3})-(\d{4}) (\d{2}:\d{2}:\d{2})"), "fpm"),
    (re.compile(r"\[(\d{2})/(\w{3})/(\d{4}):(\d{2}:\d{2}:\d{2})"), "access"),
    (re.compile(r"^(?:[\w.-]+ *\| *)?(\w{3}) +(\d{1,2}) (\d{2}:\d{2}:\d{2})"), "syslog"),
]


def parse_time(line):
    for regex, kind in TIMESTAMPS:
        match = regex.search(line)
        if not match:
            continue
        g = match.groups()
        if kind == "ymd":
            return f"{g[0]}-{g[1]}-{g[2]} {g[3]}"
        if kind == "apache" and g[0] in MONTHS:
            return f"{g[3]}-{MONTHS[g[0]]:02d}-{int(g[1]):02d} {g[2]}"
        if kind in ("fpm", "access") and g[1] in MONTHS:
            return f"{g[2]}-{MONTHS[g[1]]:02d}-{int(g[0]):02d} {g[3]}"
        if kind == "syslog" and g[0] in MONTHS:
            return f"{g[0]} {int(g[1])} {g[2]}"  # syslog lines carry no year
    return None


LEVEL = re.compile(
    r"\[(emerg|alert|crit|error|warn|notice|info|debug)\]"
    r"|\[[\w_]+:(emerg|alert|crit|error|warn|notice|info|debug)\]"
    r"|\b(WARNING|ERROR|NOTICE|ALERT|CRITICAL|FATAL)\b"
    r"|level=(\w+)"
    r'|"level":"(\w+)"'
)
FACTS = {
    "upstream": re.compile(
        r'upstream: "(?P<v>[^"]+)"'
        r"|attempt to connect to (?:Unix domain socket )?(?P<v2>\S+?)(?: \(|$|\s)"
        r"|dial tcp (?P<v3>[\w.:\[\]-]+?):? (?:connect|i/o|lookup)"
        r"|connect\(\) to (?P<v4>unix:\S+|[\d.]+:\d+|\[[0-9a-f:]+\]:\d+) failed"
    ),
    "socket": re.compile(r"(?P<v>/[\w./-]+\.sock)\b"),
    "server": re.compile(r"\bserver: (?P<v>[^,\s]+)"),
    "host": re.compile(r'\bhost: "(?P<v>[^"]+)"|"host":"(?P<v2>[^"]+)"|Host: (?P<v3>[\w.-]+)'),
    "request": re.compile(
        r'\brequest: "(?P<v>[^"]+)"|"(?P<v2>(?:GET|POST|PUT|DELETE|HEAD|PATCH) [^"]+ HTTP/[\d.]+)"'
    ),
    "client": re.compile(r"\bclient:? (?P<v>[0-9a-f.:]+[0-9a-f])(?=[,:\]\s])"),
    "container": re.compile(r"^(?P<v>[\w.-]+?)[-_]\d+ *\| "),
    "pid": re.compile(
        r"\b(?:pid[ =:]+|\[pid )(?P<v>\d+)|^\d{4}/\d{2}/\d{2} [\d:]+ \[\w+\] (?P<v2>\d+)#"
    ),
}
FACT_LABELS = {
    "program": "Program", "time": "Time", "level": "Level", "upstream": "Upstream",
    "socket": "Socket", "server": "Server name", "host": "Host", "request": "Request",
    "client": "Client", "container": "Container", "pid": "Process id",
    "php_version": "PHP version", "port": "Port",
}  # fmt: skip
PHP_VERSION = re.compile(r"php(?:-fpm)?(\d\.\d)|php(\d)(\d)-php-fpm|PHP[ /](\d\.\d)")
PORT = re.compile(r"(?:127\.0\.0\.1|localhost|\]|[\w.-]+):(\d{2,5})\b")


def extract_facts(entry, program=None):
    """The facts in one log entry, as a dict of strings (only those found)."""
    facts = {}
    if program:
        facts["program"] = program
    time = parse_time(entry)
    if time:
        facts["time"] = time
    level = LEVEL.search(entry)
    if level:
        facts["level"] = next(g for g in level.groups() if g).lower()
    for name, regex in FACTS.items():
        match = regex.search(entry)
        if match:
            value = next((v for v in match.groups() if v), None)
            if value:
                facts[name] = value.rstrip("/,") if name != "request" else value
    upstream = facts.get("upstream", "")
    if "socket" not in facts and upstream.startswith("unix:"):
        facts["socket"] = upstream[5:].split(":")[0]
    source = facts.get("socket", "") or upstream or entry
    version = PHP_VERSION.search(source) or PHP_VERSION.search(entry)
    if version:
        groups = version.groups()
        facts["php_version"] = groups[0] or groups[3] or f"{groups[1]}.{groups[2]}"
    if upstream and not upstream.startswith("unix:"):
        port = PORT.search(upstream)
        if port:
            facts["port"] = port.group(1)
    return facts


# The shape of a line says which program wrote it, when no pattern has: the first that
# matches names it (a name in library.PROGRAMS).
PROGRAM_SHAPES = [
    ("nginx", re.compile(r"^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} \[\w+\] \d+#\d+:|\bnginx\b", re.I)),
    ("php-fpm", re.compile(r"php-fpm|\bfpm\b|\[pool [\w.-]+\]", re.I)),
    ("apache", re.compile(r"\[[\w_]+:(?:emerg|alert|crit|error|warn)\]|AH\d{5}|httpd", re.I)),
    ("gunicorn", re.compile(r"gunicorn|\[CRITICAL\] WORKER|\[\d+\] \[(?:ERROR|CRITICAL)\]", re.I)),
    ("uwsgi", re.compile(r"uwsgi", re.I)),
    ("pm2", re.compile(r"\bpm2\b", re.I)),
    ("node", re.compile(r"\bnode(?:js)?\b|Error: .* at .*\.js:\d+|ECONN\w+", re.I)),
    ("docker", re.compile(r"\bdocker\b|containerd", re.I)),
    ("systemd", re.compile(r"\bsystemd\b|\.service\b", re.I)),
    ("kernel", re.compile(r"\bkernel:|oom[-_ ]kill", re.I)),
    ("traefik", re.compile(r"traefik", re.I)),
    ("caddy", re.compile(r"\bcaddy\b", re.I)),
    ("haproxy", re.compile(r"haproxy", re.I)),
    ("mysql", re.compile(r"mysql|mariadb", re.I)),
    ("postgresql", re.compile(r"postgres|psql", re.I)),
    ("redis", re.compile(r"\bredis\b", re.I)),
]  # fmt: skip


def guess_program(entry):
    """The program a log entry looks like it came from, or "" when nothing says."""
    return next((name for name, shape in PROGRAM_SHAPES if shape.search(entry)), "")
