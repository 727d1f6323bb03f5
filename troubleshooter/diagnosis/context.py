"""What the output of a few commands, pasted with the log, says about the causes.

Customers paste `systemctl status`, `ss -tlnp`, `df -h` and the like next to the log
lines. Such output often answers the very question that would tell two causes
apart (is the backend running? does anything listen on the port the proxy uses?),
so it counts as evidence: each observation raises or lowers causes already found,
or, for a full disk, names one.
"""

import re
from dataclasses import dataclass, field

ACTIVE = re.compile(
    r"^Active: (active \(running\)|inactive \(dead\)|failed|activating \(auto-restart\))"
)
LISTENING = re.compile(
    r"^(?:tcp6?\s+\d+\s+\d+\s+|LISTEN\s+\d+\s+\d+\s+)(?P<address>\S+?):(?P<port>\d+)\s+\S+"
    r"(?:\s+LISTEN)?",
)
# A snap's squashfs (on a loop device) is always 100 % full, and means nothing.
DF_FULL = re.compile(r"^(?!/dev/loop)\S+\s+(?:\S+\s+){3,4}100%\s+(/(?!snap/)\S*)$")
ENFORCING = re.compile(r"^Enforcing$")
UPSTREAM_PORT = re.compile(r'upstream: "[a-z]+://[^"/]*?:(\d+)')


@dataclass
class Observation:
    line: str
    says: str
    effects: dict = field(default_factory=dict)  # slug -> change of confidence
    names: dict = field(default_factory=dict)  # slug -> confidence of a cause it shows


def observe(lines):
    """The observations in pasted command output, in the order they appear."""
    entries = [line.strip() for line in lines if line.strip()]
    observations, listening = [], {}
    upstream_ports = {m.group(1) for entry in entries for m in UPSTREAM_PORT.finditer(entry)}
    for entry in entries:
        active = ACTIVE.search(entry)
        if active:
            state = active.group(1)
            if state.startswith("active"):
                observations.append(
                    Observation(
                        entry,
                        "the service is running, so it did not simply stop",
                        {"backend-down": -0.35, "wrong-upstream-address": 0.25},
                    )
                )
            elif state.startswith("activating"):
                observations.append(
                    Observation(
                        entry,
                        "the service keeps restarting",
                        {"backend-crash": 0.2, "backend-down": 0.1, "oom-killed": 0.1},
                    )
                )
            else:
                observations.append(
                    Observation(
                        entry,
                        "the service is not running",
                        {"backend-down": 0.3, "wrong-upstream-address": -0.2},
                    )
                )
            continue
        listen = LISTENING.search(entry)
        if listen:
            listening.setdefault(listen.group("port"), entry)
            continue
        full = DF_FULL.search(entry)
        if full:
            observations.append(
                Observation(
                    entry, f"the filesystem {full.group(1)} is full", names={"disk-full": 0.85}
                )
            )
            continue
        if ENFORCING.search(entry):
            observations.append(
                Observation(
                    entry,
                    "SELinux is enforcing",
                    {"security-module": 0.2, "socket-permission": -0.1},
                )
            )
    if listening and upstream_ports:
        missing = sorted(upstream_ports - set(listening))
        if missing:
            ports = ", ".join(sorted(listening))
            observations.append(
                Observation(
                    next(iter(listening.values())),
                    f"nothing listens on port {', '.join(missing)}, which the proxy uses "
                    f"(listening: {ports})",
                    {"wrong-upstream-address": 0.35, "backend-down": 0.1},
                )
            )
        else:
            port = sorted(upstream_ports)[0]
            observations.append(
                Observation(
                    listening[port],
                    f"something listens on port {port}, which the proxy uses",
                    {"backend-down": -0.3, "docker-network": 0.1, "firewall-block": 0.1},
                )
            )
    return observations
