"""What the output of a few commands, pasted with the log, says about the causes.

Customers paste `systemctl status`, `ss -tlnp`, `ls -l`, `df -h`, `free -m`,
`docker ps`, `docker network inspect`, `curl -I` and the like next to the log
lines. Such output often answers the very question that would tell two causes
apart (is the backend running? does anything listen on the port or socket the
proxy uses? is the app container on the proxy's network?), so it counts as
evidence: each observation raises or lowers causes already found, or, for a full
disk, a machine out of memory or a container the kernel killed, names one.

Each reader looks at one pasted line; the comparisons with what the log lines name
(ports, sockets, container names) are made once every line has been read.
"""

import re
from dataclasses import dataclass, field

from troubleshooter.diagnosis.commands import values_for
from troubleshooter.diagnosis.evidence import WEB_SERVER_UNITS as WEB_SERVERS
from troubleshooter.diagnosis.facts import extract_facts
from troubleshooter.diagnosis.text import PROMPT

ACTIVE = re.compile(
    r"^Active: (?P<state>active \(running\)|active \(exited\)|inactive \(dead\)|failed"
    r"|activating \(auto-restart\))(?: \(Result: (?P<result>[\w-]+)\))?"
)
# The first line of `systemctl status`: ● nginx.service - A high performance web server…
# (× for a failed unit since systemd 250, ○ for an inactive one).
UNIT = re.compile(r"^(?:[●×○↻*] ?)?(?P<unit>[\w@.-]+)\.service(?: - |$)")
LISTENING = re.compile(
    r"^(?:tcp6?\s+\d+\s+\d+\s+|(?:tcp\s+)?LISTEN\s+\d+\s+\d+\s+)(?P<address>\S+?):(?P<port>\d+)\s+\S+"
    r"(?:\s+LISTEN)?",
)
# `ss -xlp`: u_str LISTEN 0 511 /run/php/php8.2-fpm.sock 21630 * 0 users:(("php-fpm8.2",…))
UNIX_LISTENING = re.compile(r"^u_(?:str|seq)\s+LISTEN\s+\d+\s+\d+\s+(?P<path>/\S+)")
# `ls -l` of a socket: srw-rw---- 1 www-data www-data 0 Nov 21 01:00 /run/php/php8.2-fpm.sock
LS_SOCKET = re.compile(
    r"^s(?P<mode>[rwx-]{9})[.+@]?\s+\d+\s+(?P<owner>\S+)\s+(?P<group>\S+)\s+\d+\s+.*?"
    r"(?P<path>/\S+\.sock|\S+\.sock)$"
)
# The command itself, for the folder it lists: `ls -l /run/php/`, `sudo ls /var/run`.
LS_COMMAND = re.compile(r"^(?:sudo )?ls(?: -[\w-]+)* (?P<dir>/[^\s*?]*)$")
# Plain `ls` output: names side by side, one of them a socket (php8.2-fpm.sock).
LS_NAMES = re.compile(r"^(?:[\w@.+-]+ +)*[\w@.+-]+\.sock(?: +[\w@.+-]+)*$")
LS_MISSING = re.compile(r"^ls: cannot access '?(?P<path>/[^':]+?)'?: No such file or directory")
# A snap's squashfs (on a loop device) is always 100 % full, and means nothing.
DF_FULL = re.compile(r"^(?!/dev/loop)\S+\s+(?:\S+\s+){3,4}100%\s+(/(?!snap/)\S*)$")
# free -m / free -h: Mem: total used free shared buff/cache available
FREE_MEM = re.compile(
    r"^Mem:\s+(?P<total>[\d.,]+)(?P<unit>[KMGT]i?)?\s+(?:[\d.,]+[KMGTB]?i?\s+){4}"
    r"(?P<available>[\d.,]+)(?P<aunit>[KMGTB]i?)?\s*$"
)
FREE_SWAP = re.compile(
    r"^Swap:\s+(?P<total>[\d.,]+)(?P<unit>[KMGTB]i?)?\s+(?P<used>[\d.,]+)(?P<uunit>[KMGTB]i?)?"
)
ENFORCING = re.compile(r"^Enforcing$")
# A row of the task table the kernel prints when memory runs out, under
# "[ pid ]   uid  tgid total_vm      rss … oom_score_adj name" (6 to 10 numbers, by
# kernel version), with or without dmesg's or journald's prefix.
OOM_TASK_ROW = re.compile(r"\[ *\d+\] +(?:-?\d+ +){6,10}[\w./:@~+-]+$")
# docker ps: … Exited (137) 5 minutes ago … / Restarting (1) 3 seconds ago / Up 2 hours (unhealthy)
DOCKER_STATUS = re.compile(
    r"\s(?:(?P<exited>Exited) \((?P<code>\d+)\)|(?P<restarting>Restarting) \(\d+\)"
    r"|Up [\w ]+? \((?P<unhealthy>unhealthy)\)|(?P<up>Up) (?:About )?(?:an? |\d+ )\w+)"
    r"(?: ago)?\s"
)
DOCKER_PORTS = re.compile(r"(?P<address>127\.0\.0\.1|0\.0\.0\.0|\[::\]|::):(?P<port>\d+)->\d+/tcp")
# docker network inspect: "Containers": { "…": { "Name": "app-1", … } }
INSPECT_NAME = re.compile(r'^"Name": "(?P<name>[\w.-]+)",?$')
INSPECT_CONTAINERS = re.compile(r'^"Containers": \{')
# An app's own start-up line saying where it listens: "Listening on port 3000",
# "Uvicorn running on http://0.0.0.0:8000", gunicorn's "Listening at: http://…",
# Kestrel's "Now listening on: http://[::]:80", Tomcat's "started on port(s): 8080".
APP_LISTENING = re.compile(
    r"(?i)\b(?:listening|running|started|serving|bound)\b[^\n]{0,40}?"
    r"\bon port:? (?P<port>\d{2,5})\b"
    r"|\b(?:listening|running|started server|server started|serving|bound|ready)\b[^\n]{0,30}?"
    r" (?:on|at):? (?:https?://|tcp://)?(?P<address>\[[0-9a-f:]*\]|[\w.*-]+):(?P<port2>\d{2,5})\b"
    r"|started on port\(s\): (?P<port3>\d{2,5})\b"
)
# A word every such line holds, in any case: most log entries hold none, and looking for
# these is quicker than the expression (exact for ASCII; other text gets the expression).
APP_LISTENING_WORDS = ("listening", "running", "started", "serving", "bound", "ready")
# A backend's master saying it stops, and a later start-up line of the same or another
# program: a restart, after which the stop no longer says the backend is down.
STOPPED = re.compile(r"\bShutting down: Master\b")
STARTED = re.compile(
    r"\bStarting gunicorn\b|\bListening at: |\bBooting worker with pid\b"
    r"|\bStarted [\w@.-]+\.service\b"
)
CURL_STATUS = re.compile(r"^HTTP/[\d.]+ (?P<code>\d{3})\b")
# curl got a connection and then nothing: what a port Docker publishes gives when the
# app in the container listens on the container's own 127.0.0.1 only.
CURL_NOTHING = re.compile(
    r"^curl: \((?:52|56)\) (?:Empty reply from server|Recv failure: Connection reset by peer)"
)
# The curl command before it, for the port it asked: curl -I http://127.0.0.1:3000/
CURL_COMMAND = re.compile(
    r"^(?:sudo )?curl\b.*?\s(?:'|\")?(?:https?://)?(?P<host>127\.0\.0\.1|localhost|\[::1\]|[\w.-]+)"
    r":(?P<port>\d{2,5})\b"
)
# wget says where it connected before it says what it got: a reset or nothing at all.
WGET_CONNECTED = re.compile(
    r"\bConnecting to (?P<host>[\w.-]+|\[[\w:]+\])(?:\|[^|]*\|)?:(?P<port>\d{2,5})"
    r"\.\.\. connected\."
)
WGET_NOTHING = re.compile(
    r"\b(?:Read error \(Connection reset by peer\) in headers|No data received)\."
)
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]"}
# A command the customer ran (its prompt already removed) and the lines of output that
# are only headers or framing: read, but not log lines that "matched nothing".
COMMAND = re.compile(
    r"^(?:sudo )?(?:systemctl|service|ls|ss|netstat|df|free|docker(?:-compose)?|kubectl"
    r"|curl|getenforce|sestatus|journalctl|ps|cat|tail|grep|nginx -[tT]|apachectl|apache2ctl"
    r"|php-fpm[\d.]* -t|ip|ping|dig|nslookup|uptime|top|lsof)(?: |$)"
)
FRAMING = re.compile(
    r"^(?:total \d+$|Filesystem\s|CONTAINER ID\s|total\s+used\s+free|Netid\s|State\s+Recv-Q"
    r"|Proto\s+Recv-Q|Active Internet connections|Loaded: |Docs: |Main PID: |Tasks: |Memory: "
    r"|CPU: |CGroup: |Process: |Invocation: |TriggeredBy: |[└├│]─|[\[\]{}],?$|NAME\s+READY\s)"
)
MEMORY_UNITS = {"": 1, "B": 1 / 1024**2, "K": 1 / 1024, "Ki": 1 / 1024, "M": 1, "Mi": 1}
MEMORY_UNITS |= {"G": 1024, "Gi": 1024, "T": 1024**2, "Ti": 1024**2}


def is_command_output(entry):
    """Whether a pasted entry is a command or its output rather than a log line."""
    return bool(
        COMMAND.match(entry)
        or FRAMING.match(entry)
        or UNIT.match(entry)
        or ACTIVE.match(entry)
        or LISTENING.match(entry)
        or UNIX_LISTENING.match(entry)
        or LS_SOCKET.match(entry)
        or entry.startswith(("-rw", "drw", "lrw", "srw", "Mem:", "Swap:", '"'))
        or DF_FULL.match(entry)
        or OOM_TASK_ROW.search(entry)
        or DOCKER_STATUS.search(f" {entry} ")
        or CURL_STATUS.match(entry)
        or ENFORCING.match(entry)
        or LS_NAMES.match(entry)
    )


@dataclass
class Observation:
    line: str
    says: str
    effects: dict = field(default_factory=dict)  # slug -> change of confidence
    names: dict = field(default_factory=dict)  # slug -> confidence of a cause it shows


# How a log entry starts (a date, a bracketed time, a compose prefix, JSON or logfmt),
# which no command's output here does.
LOG_ENTRY = re.compile(
    r"^(?:\d{4}[/-]\d{2}[/-]\d{2}|\[\w{3} |\[\d|[A-Z][a-z]{2} +\d{1,2} \d{2}:"
    r"|[\w.-]+ *\| |\d{1,2}-[A-Z][a-z]{2}-\d{4}|\{\"|(?:time|level)=)"
)
# Words a log line that names where the proxy connects holds ("connection" alone, as
# in "closed keepalive connection", is not one).
TARGET_WORDS = ("upstream", "connect(", "connect ", "connect:", "dial ", "lookup ", "ECONN")


@dataclass
class Targets:
    """What the log lines of the paste say the proxy connects to."""

    ports: set = field(default_factory=set)
    sockets: set = field(default_factory=set)
    hosts: set = field(default_factory=set)

    @classmethod
    def of(cls, entries):
        targets = cls()
        for entry in entries:
            if not any(word in entry for word in TARGET_WORDS):
                continue
            values = values_for(extract_facts(entry))
            if "socket" in values:
                targets.sockets.add(values["socket"])
            if "upstream_port" in values:
                targets.ports.add(values["upstream_port"])
            host = values.get("upstream_host", "")
            if host and not re.fullmatch(r"[\d.]+|[0-9a-f:]+|localhost", host):
                targets.hosts.add(host)
        return targets


def _web_server(unit, state):
    if state.startswith("active"):
        return (
            f"{unit} itself is running",
            {"web-server-down": -0.5, "proxy-config-error": -0.2},
            {},
        )
    return (
        f"{unit} itself is not running, so nothing answers on ports 80 and 443",
        {"backend-down": -0.4, "backend-crash": -0.2, "wrong-upstream-address": -0.3},
        {"web-server-down": 0.7, "proxy-config-error": 0.5},
    )


def _service(match, unit):
    state, result = match.group("state"), match.group("result")
    if unit in WEB_SERVERS and result != "oom-kill":
        return _web_server(unit, state)
    if result == "oom-kill":
        return "the service was killed for lack of memory", {}, {"oom-killed": 0.8}
    if result == "start-limit-hit":
        return (
            "the service failed so often that systemd stopped restarting it",
            {"backend-crash": 0.2, "backend-down": 0.2},
            {},
        )
    if state == "active (exited)":
        return (
            "the service's start command ran and exited: nothing of it keeps running",
            {"wrong-upstream-address": -0.1},
            {"backend-down": 0.5},
        )
    if state.startswith("active"):
        return (
            "the service is running, so it did not simply stop",
            {"backend-down": -0.35, "wrong-upstream-address": 0.25},
            {},
        )
    if state.startswith("activating"):
        return (
            "the service keeps restarting",
            {"oom-killed": 0.1},
            {"backend-down": 0.55, "backend-crash": 0.5},
        )
    return (
        "the service is not running",
        {"backend-down": 0.3, "wrong-upstream-address": -0.2},
        {},
    )


def _mebibytes(number, unit):
    try:
        return float(number.replace(",", ".")) * MEMORY_UNITS.get(unit or "", 1)
    except ValueError:
        return None


def _low_memory(mem, swap):
    """Whether `free` shows memory all but gone (under 5 % available, swap full or none)."""
    total = _mebibytes(mem.group("total"), mem.group("unit"))
    available = _mebibytes(mem.group("available"), mem.group("aunit") or mem.group("unit"))
    if not total or available is None or available / total >= 0.05:
        return False
    if swap is None:
        return True
    swap_total = _mebibytes(swap.group("total"), swap.group("unit"))
    swap_used = _mebibytes(swap.group("used"), swap.group("uunit") or swap.group("unit"))
    return not swap_total or (swap_used or 0) / swap_total >= 0.9


def _docker(match, entry):
    if match.group("exited"):
        code = match.group("code")
        if code == "137":
            return Observation(
                entry,
                "a container exited with code 137: it was killed, most often for lack of memory",
                {"backend-down": 0.2},
                {"oom-killed": 0.6},
            )
        if code == "139":
            return Observation(
                entry,
                "a container exited with code 139: it crashed (a segmentation fault)",
                {"docker-network": -0.2},
                {"backend-crash": 0.6},
            )
        if code != "0":
            return Observation(
                entry,
                f"a container exited with code {code}",
                {"backend-crash": 0.2, "docker-network": -0.2},
                {"backend-down": 0.55},
            )
        return None
    if match.group("restarting"):
        return Observation(
            entry,
            "a container keeps restarting",
            {"backend-down": 0.1, "docker-network": -0.2},
            {"backend-crash": 0.6},
        )
    if match.group("unhealthy"):
        return Observation(
            entry,
            "a container is running but failing its health check",
            {"backend-slow": 0.15, "backend-crash": 0.15},
        )
    return None


def observe(lines):
    """The observations in pasted command output, in the order they appear."""
    entries = [line.strip() for line in lines if line.strip()]
    observations = []
    listening, unix_listening, sockets, missing_paths = {}, {}, {}, {}
    published, network_names, in_containers, announced = {}, [], False, {}
    mem = swap = None
    mem_line = unit = ""
    oom_table = False
    stopped = started = None  # the entry of the last stop, of the first start after it
    listed = ""  # the folder the last `ls` command listed, for the names it printed
    asked, answered = "", {}  # the port the last curl command asked; port -> its answer
    nothing = {}  # port -> the curl line that got a connection but no answer from it
    for entry in entries:
        if prompt := PROMPT.match(entry):
            entry = entry[prompt.end() :]
            command = LS_COMMAND.match(entry)
            listed = command.group("dir").rstrip("/") if command else ""
            curl = CURL_COMMAND.match(entry)
            asked, asked_host = (curl.group("port"), curl.group("host")) if curl else ("", "")
            continue
        if "... connected." in entry and (wget := WGET_CONNECTED.search(entry)):
            asked, asked_host = wget.group("port"), wget.group("host")
        if asked and (
            (entry.startswith("curl: (") and CURL_NOTHING.match(entry))
            or ("HTTP request sent" in entry and WGET_NOTHING.search(entry))
        ):
            nothing.setdefault(asked, (entry, asked_host))
            asked = ""
        if "Shutting down" in entry and STOPPED.search(entry):
            stopped, started = entry, None
        elif stopped and started is None and STARTED.search(entry):
            started = entry
        if not oom_table and OOM_TASK_ROW.search(entry):
            oom_table = True
            observations.append(
                Observation(
                    entry,
                    "the kernel listed its processes because memory ran out: its OOM killer "
                    "ended one of them",
                    {"backend-crash": 0.1},
                    {"oom-killed": 0.75},
                )
            )
            continue
        if LOG_ENTRY.match(entry):
            # A log entry, not command output; of the shapes below, only an app's own
            # start-up line can be one.
            _announce(entry, announced)
            continue
        if header := UNIT.search(entry):
            unit = header.group("unit")
        elif active := ACTIVE.search(entry):
            says, effects, names = _service(active, unit)
            observations.append(Observation(entry, says, effects, names))
        elif listen := LISTENING.search(entry):
            listening.setdefault(listen.group("port"), entry)
        elif unix := UNIX_LISTENING.search(entry):
            unix_listening.setdefault(unix.group("path"), entry)
        elif ls := LS_SOCKET.search(entry):
            sockets.setdefault(_in(listed, ls.group("path")), (ls, entry))
        elif listed and LS_NAMES.match(entry):
            for name in entry.split():
                if name.endswith(".sock"):
                    unix_listening.setdefault(_in(listed, name), entry)
        elif gone := LS_MISSING.search(entry):
            missing_paths.setdefault(gone.group("path"), entry)
        elif full := DF_FULL.search(entry):
            observations.append(
                Observation(
                    entry, f"the filesystem {full.group(1)} is full", names={"disk-full": 0.85}
                )
            )
        elif found := FREE_MEM.search(entry):
            mem, mem_line = found, entry
        elif found := FREE_SWAP.search(entry):
            swap = found
        elif ENFORCING.search(entry):
            observations.append(
                Observation(
                    entry,
                    "SELinux is enforcing",
                    {"security-module": 0.2, "socket-permission": -0.1},
                )
            )
        elif INSPECT_CONTAINERS.search(entry):
            in_containers = True
        elif in_containers and (name := INSPECT_NAME.search(entry)):
            network_names.append((name.group("name"), entry))
        elif status := DOCKER_STATUS.search(f" {entry} "):
            for port in DOCKER_PORTS.finditer(entry):
                published.setdefault(port.group("port"), (port.group("address"), entry))
            if observation := _docker(status, entry):
                observations.append(observation)
        elif curl := CURL_STATUS.search(entry):
            if asked:
                # compared with the proxy's port below, or read alone when it is another
                answered.setdefault(asked, (curl, entry))
                asked = ""
            else:
                observations.append(_curl(curl, entry))
        else:
            _announce(entry, announced)
    if started:
        observations.append(
            Observation(
                started,
                "the backend started again after it stopped",
                {"backend-down": -0.4},
            )
        )
    if mem and _low_memory(mem, swap):
        observations.append(
            Observation(
                mem_line,
                "almost no memory is available",
                # a worker that vanished on such a machine was most likely killed for it
                {"backend-crash": -0.1},
                {"oom-killed": 0.65},
            )
        )
    for port, (entry, host) in nothing.items():
        if port in published:
            observations.append(
                Observation(
                    entry,
                    f"a container publishes port {port} and accepts the connection but "
                    "answers nothing, as when the app in it listens on the container's own "
                    "127.0.0.1 only",
                    {"backend-crash": -0.25, "backend-down": -0.1},
                    {"docker-network": 0.7},
                )
            )
        elif host in LOOPBACK_HOSTS:
            # Without docker ps to say so: a port on this machine that takes the
            # connection and drops it at once is what Docker's proxy for a published port
            # does when nothing in the container answers; an app that crashes on each
            # request does the same, so it stays a possibility below the crash.
            observations.append(
                Observation(
                    entry,
                    f"port {port} on this machine accepts the connection and drops it without "
                    "an answer: Docker's proxy for a published port does that when the app in "
                    "the container listens only on its own 127.0.0.1 or on another port",
                    {},
                    {"docker-network": 0.35},
                )
            )
    # What the log lines name is compared with what the output shows, if it shows any.
    shown = (listening, published, announced, unix_listening, sockets, missing_paths, answered)
    targets = Targets.of(entries) if any(shown) or network_names else Targets()
    observations += _compare_ports(targets, listening, published)
    observations += _compare_answered(targets, answered)
    if not listening:  # `ss` output, where there is some, says it better
        observations += _compare_announced(targets, announced)
    observations += _compare_sockets(targets, unix_listening, sockets, missing_paths)
    observations += _compare_network(targets, network_names)
    return [o for o in observations if o is not None]


def _in(folder, path):
    """A name `ls` printed, as a path: ls /run/php/ prints php8.2-fpm.sock."""
    return path if path.startswith("/") or not folder else f"{folder}/{path}"


def _curl(match, entry):
    code = match.group("code")
    if code.startswith(("2", "3", "4")):
        return Observation(
            entry,
            f"a request in the paste was answered with {code}",
            {"backend-down": -0.2, "web-server-down": -0.3},
        )
    return Observation(
        entry,
        f"a request in the paste was answered with {code}, so the web server itself runs",
        {"web-server-down": -0.4},
    )


def _compare_ports(targets, listening, published):
    if not targets.ports:
        return []
    observations = []
    if listening:
        missing = sorted(targets.ports - set(listening))
        if missing:
            ports = ", ".join(sorted(listening, key=int))
            observations.append(
                Observation(
                    next(iter(listening.values())),
                    f"nothing listens on port {', '.join(missing)}, which the proxy uses "
                    f"(listening: {ports})",
                    {"wrong-upstream-address": 0.35, "backend-down": 0.1},
                )
            )
        else:
            port = sorted(targets.ports)[0]
            loopback = re.match(
                r"(?:127\.\d+\.\d+\.\d+|\[::1\]|::1)$",
                LISTENING.search(listening[port]).group("address"),
            )
            effects = {"backend-down": -0.3, "docker-network": 0.1, "firewall-block": 0.1}
            if loopback and targets.hosts:
                effects["docker-network"] = 0.3
            observations.append(
                Observation(
                    listening[port],
                    f"something listens on port {port}, which the proxy uses",
                    effects,
                )
            )
    for port in sorted(targets.ports & set(published)):
        address, entry = published[port]
        if address == "127.0.0.1":
            observations.append(
                Observation(
                    entry,
                    f"the container publishes port {port} on 127.0.0.1 only",
                    {"docker-network": 0.15, "firewall-block": 0.1},
                )
            )
    return observations


def _compare_answered(targets, answered):
    """What curl got from each port it asked. An answer from the very port the proxy
    connects to says the backend runs and listens there now, though not that it did
    when the log line was written: it may have been restarted since."""
    observations = []
    for port, (curl, entry) in sorted(answered.items()):
        code = curl.group("code")
        if port in targets.ports and code.startswith(("2", "3", "4")):
            observations.append(
                Observation(
                    entry,
                    f"the backend answers curl on port {port}, the one the proxy uses, "
                    "so it runs now",
                    {"backend-down": -0.2, "wrong-upstream-address": -0.1, "docker-network": 0.1},
                )
            )
        else:
            observations.append(_curl(curl, entry))
    return observations


def _announce(entry, announced):
    """Note the port an app's start-up line says it listens on: port -> (address, line)."""
    if entry.isascii():
        lowered = entry.lower()
        if not any(word in lowered for word in APP_LISTENING_WORDS):
            return
    if app := APP_LISTENING.search(entry):
        port = app.group("port") or app.group("port2") or app.group("port3")
        announced.setdefault(port, (app.group("address") or "", entry))


def _compare_announced(targets, announced):
    """The port an app says it listens on, against the one the proxy connects to."""
    if not targets.ports or not announced:
        return []
    if not targets.ports & set(announced):
        port, (_, entry) = next(iter(announced.items()))
        return [
            Observation(
                entry,
                f"the app says it listens on port {port}, but the proxy connects to port "
                f"{', '.join(sorted(targets.ports))}",
                {"wrong-upstream-address": 0.4, "backend-down": -0.15},
            )
        ]
    port = sorted(targets.ports & set(announced))[0]
    address, entry = announced[port]
    effects = {"backend-down": -0.1}
    if re.match(r"(?:127\.\d+\.\d+\.\d+|localhost|\[::1\])$", address) and targets.hosts:
        # an app reached by a container name that listens on its own loopback only
        effects["docker-network"] = 0.3
    return [
        Observation(
            entry, f"the app says it listens on port {port}, the one the proxy uses", effects
        )
    ]


def _compare_sockets(targets, unix_listening, sockets, missing_paths):
    observations = []
    if not targets.sockets:
        # No log line names a socket: a socket only root may write to is still telling,
        # since the web server's user must write to it to connect.
        for path, (ls, entry) in sorted(sockets.items()):
            mode = ls.group("mode")
            if ls.group("owner") == "root" and mode[7] != "w":
                observations.append(
                    Observation(
                        entry,
                        f"the socket {path} belongs to root and others may not write to it",
                        {},
                        {"socket-permission": 0.45},
                    )
                )
    present = {**{path: entry for path, (_, entry) in sockets.items()}, **unix_listening}
    for wanted in sorted(targets.sockets):
        if wanted in present:
            entry = present[wanted]
            effects = {"backend-down": -0.35, "wrong-upstream-address": -0.3}
            if wanted in sockets:
                ls, _ = sockets[wanted]
                mode = ls.group("mode")
                if mode[6:8] != "rw":  # others may not read and write it
                    effects |= {"socket-permission": 0.25, "security-module": 0.1}
                    says = (
                        f"the socket {wanted} exists, owned by {ls.group('owner')}:"
                        f"{ls.group('group')} with mode {mode}"
                    )
                else:
                    effects |= {"security-module": 0.2}
                    says = f"the socket {wanted} exists and anyone may use it"
            else:
                says = f"a program listens on the socket {wanted}"
            observations.append(Observation(entry, says, effects))
        elif wanted in missing_paths or present:
            others = sorted(set(present) - {wanted})
            entry = missing_paths.get(wanted) or present[others[0]]
            if others:
                says = f"the socket {wanted} does not exist, but {others[0]} does"
                effects = {"wrong-upstream-address": 0.4, "backend-down": -0.2}
            else:
                says = f"the socket {wanted} does not exist"
                effects = {"backend-down": 0.2}
            observations.append(Observation(entry, says, effects))
    return observations


def _compare_network(targets, network_names):
    if not network_names or not targets.hosts:
        return []
    names = [name for name, _ in network_names]

    def on_network(host):
        return any(
            name == host
            or name.startswith((f"{host}-", f"{host}_"))
            or re.fullmatch(rf"[\w.-]+[-_]{re.escape(host)}[-_]\d+", name)
            for name in names
        )

    absent = sorted(host for host in targets.hosts if not on_network(host))
    entry = network_names[0][1]
    if absent:
        return [
            Observation(
                entry,
                f"the container {absent[0]} is not on the network shown "
                f"(on it: {', '.join(names[:5])})",
                {"backend-down": -0.2, "wrong-upstream-address": -0.1},
                {"docker-network": 0.8},
            )
        ]
    return [
        Observation(
            entry,
            f"the container {sorted(targets.hosts)[0]} is on the network shown",
            {"docker-network": -0.3},
        )
    ]
