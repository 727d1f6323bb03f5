"""Diagnosis from log text: which cause a line (or a whole log) shows, and the facts in it.

The knowledge of which message means what is content: content/diagnosis/patterns.md
(each pattern with example lines, all of them tested) and content/diagnosis/commands.yaml
(the commands to suggest per cause, filled with the facts found). This module is the
engine: normalising pasted text, a fast literal prefilter, the patterns, ranking and
fact extraction. The web page, the JSON API and `manage.py diagnose` all call it.

Nothing here stores what was pasted.
"""

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick_rs
import yaml
from django.conf import settings
from django.http import QueryDict
from django.utils.safestring import mark_safe

from lib.content import SLUG, ContentError, display, load_yaml, read_once
from troubleshooter import flowchart
from troubleshooter.literals import MIN_ANCHOR, anchors_of

PATTERN_KEYS = {"id", "program", "match", "causes", "continue", "replaces", "examples", "note"}
EXAMPLE_KEYS = {"line", "origin"}
COMMAND_KEYS = {"run", "why"}
# Pasted text and API bodies: enough for a few thousand log lines. Whole files go
# through the upload on the web page or `manage.py diagnose --file`.
MAX_PASTE_BYTES = 256 * 1024
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_EVIDENCE = 3
# Programs the patterns may name (the "program" fact).
PROGRAMS = {
    "nginx", "apache", "php-fpm", "php", "gunicorn", "uwsgi", "node", "pm2", "traefik",
    "caddy", "haproxy", "kernel", "systemd", "selinux", "apparmor", "docker", "cloudflare",
    "mysql", "application",
}  # fmt: skip


class DiagnosisError(ContentError):
    """Problems in content/diagnosis/."""


# Compared by identity: there is one object per pattern, and comparing every field
# in the hot loop of a million-line log showed up in profiles.
@dataclass(frozen=True, eq=False)
class Pattern:
    id: str
    program: str
    regex: re.Pattern
    causes: tuple  # ((slug, confidence), ...), best first
    continue_query: str
    anchors: tuple
    replaces: frozenset = frozenset()


# Normalising pasted text ------------------------------------------------------------

# Where a log entry starts. A line that starts otherwise continues the previous entry
# (a long line wrapped by a terminal, an email or a chat window).
ENTRY_START = re.compile(
    r"""^(?:
        \d{4}[/-]\d{2}[/-]\d{2}             # nginx 2026/11/21, ISO 2026-11-21
      | \[                                  # Apache, PHP-FPM, Gunicorn, dmesg
      | [A-Z][a-z]{2}\ +\d{1,2}\ \d{2}:     # syslog and journald: Nov 21 03:12:45
      | [\w.-]+\ *\|                        # docker compose: web-1  | ...
      | \d{1,2}-[A-Z][a-z]{2}-\d{4}         # PHP-FPM without brackets
      | \d+\.\d+\.\d+\.\d+\                 # access logs
      | (?:time|level|type|msg)=            # logfmt (Traefik), audit (type=AVC)
      | \{                                  # JSON (Caddy)
      | (?:PHP|nginx|Error|WARNING|ERROR|NOTICE|FATAL|CRITICAL|Warning|Fatal|Out\ of|Killed)\b
      | \w[\w.-]*(?:\[\d+\])?:\             # "nginx: [emerg]", "php-fpm[12]: ..."
    )""",
    re.X,
)
# Terminals wrap at these widths mid-word; other wrapping happens at spaces.
HARD_WRAP_WIDTHS = {80, 100, 120, 132, 160, 200}
QUOTES = "\"'`“”‘’"
# A comma or semicolon left from a list, or the "$" that `cat -A` shows at line ends.
TRAILING_JUNK = re.compile(r"(?:[\s,;]|(?<=\S)\$)+$")


def normalise(text):
    """Pasted text as log entries: HTML entities decoded, quotes and chat artefacts
    stripped, wrapped lines joined back. Returns (entries, number of non-empty lines)."""
    if "&" in text:
        text = html.unescape(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    entries, lines = [], 0
    previous_length = 0
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            previous_length = 0
            continue
        lines += 1
        while len(line) > 1 and line[0] in QUOTES and line[-1] in QUOTES:
            line = line[1:-1].strip()  # quoted or marked as code in a chat or forum
        if line.startswith(("> ", "$ ", "# ")) and len(line) > 2:
            line = line[2:]  # quoted in a forum post, or a shell prompt
        line = TRAILING_JUNK.sub("", line)
        if entries and previous_length and not ENTRY_START.match(line):
            joiner = "" if previous_length in HARD_WRAP_WIDTHS else " "
            entries[-1] += joiner + line
        else:
            entries.append(line)
        previous_length = len(raw.rstrip("\n"))
    return entries, lines


# Facts --------------------------------------------------------------------------------

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


def derived(facts):
    """Facts for the suggested commands, worked out from the ones in the log."""
    values = dict(facts)
    if "php_version" in facts:
        values["service"] = f"php{facts['php_version']}-fpm"
    elif "php-fpm" in facts.get("socket", "") or facts.get("program") == "php-fpm":
        values["service"] = "php-fpm"
    if "socket" in facts:
        values["socket_dir"] = facts["socket"].rsplit("/", 1)[0] + "/"
    upstream = facts.get("upstream", "")
    if upstream.startswith("http"):
        values["upstream_url"] = upstream
    elif upstream and not upstream.startswith("unix:"):
        values["upstream_url"] = f"http://{upstream}/"
    return values


PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(template, values):
    """A command with the facts filled in; unknown ones stay as <name> to replace."""
    missing = []

    def value(match):
        name = match.group(1)
        if name in values:
            return values[name]
        missing.append(name)
        return f"<{name}>"

    return PLACEHOLDER.sub(value, template), missing


# Patterns -----------------------------------------------------------------------------


@dataclass
class Library:
    patterns: list
    commands: dict
    automaton: ahocorasick_rs.AhoCorasick  # finds every pattern's plain text at once
    groups: list  # for each text the automaton knows, the patterns that need it
    examples: list = field(default_factory=list)

    def match_entry(self, entry):
        """Patterns matching one entry, each with the text it matched.

        The automaton finds every anchor in the line in one pass, so a line holding none
        costs one scan; only the patterns of the anchors found are tried.
        """
        matches, tried = [], set()
        for index, _, _ in self.automaton.find_matches_as_indexes(entry, overlapping=True):
            for pattern in self.groups[index]:
                if pattern.id in tried:
                    continue
                tried.add(pattern.id)
                match = pattern.regex.search(entry)
                if match:
                    matches.append((pattern, match.group(0)))
        return matches


YAML_BLOCK = re.compile(r"^```ya?ml\n(.*?)^```", re.M | re.S)


def _read_patterns(path, content_dir, outcomes, chart, problems):
    where = display(path, content_dir)
    try:
        block = YAML_BLOCK.search(path.read_text(encoding="utf-8"))
        data = load_yaml(block.group(1)) if block else None
    except (OSError, yaml.YAMLError) as exc:
        problems.append(f"{where}: cannot be read: {exc}")
        return [], []
    entries = data.get("patterns") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        problems.append(f"{where}: must hold a ```yaml block with a list of 'patterns'")
        return [], []
    patterns, examples, ids = [], [], set()
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            problems.append(f"{where}: pattern {number} must be a mapping")
            continue
        pid = entry.get("id")
        label = f"{where}: pattern '{pid or number}'"
        for key in sorted(set(entry) - PATTERN_KEYS, key=str):
            problems.append(f"{label}: unknown key '{key}'")
        if not isinstance(pid, str) or not SLUG.match(pid):
            problems.append(f"{label}: 'id' must be a slug")
            continue
        if pid in ids:
            problems.append(f"{label}: the id is used twice")
        ids.add(pid)
        program = entry.get("program")
        if program not in PROGRAMS:
            problems.append(f"{label}: 'program' must be one of {', '.join(sorted(PROGRAMS))}")
        try:
            regex = re.compile(str(entry.get("match", "")))
        except re.error as exc:
            problems.append(f"{label}: 'match' is not a valid regular expression: {exc}")
            continue
        if not entry.get("match"):
            problems.append(f"{label}: 'match' is required")
            continue
        causes = entry.get("causes")
        if not isinstance(causes, dict) or not causes:
            problems.append(f"{label}: 'causes' must map cause slugs to confidences")
            causes = {}
        ranked = []
        for slug, confidence in causes.items():
            if slug not in outcomes:
                problems.append(f"{label}: cause '{slug}' has no outcome in content/outcomes/")
            if not isinstance(confidence, int | float) or not 0 < confidence <= 1:
                problems.append(f"{label}: confidence of '{slug}' must be above 0 and at most 1")
                continue
            ranked.append((slug, round(float(confidence), 2)))
        ranked.sort(key=lambda item: -item[1])
        query = str(entry.get("continue") or "")
        if query and chart is not None:
            walk = chart.walk(QueryDict(query))
            if walk.dropped:
                problems.append(f"{label}: 'continue' is not a path of the flowchart: {query}")
            elif walk.outcome and walk.outcome.slug not in causes:
                problems.append(
                    f"{label}: 'continue' leads to outcome '{walk.outcome.slug}', "
                    "which is not one of its causes"
                )
        elif len(ranked) > 1:
            problems.append(
                f"{label}: names several causes, so it needs 'continue': the flowchart step "
                "that tells them apart"
            )
        anchors = anchors_of(regex.pattern)
        if not anchors:
            problems.append(
                f"{label}: 'match' needs some plain text of {MIN_ANCHOR} characters or more "
                "that every match contains (the diagnosis looks for it first)"
            )
        replaces = entry.get("replaces") or []
        if not isinstance(replaces, list):
            problems.append(f"{label}: 'replaces' must be a list of pattern ids")
            replaces = []
        pattern = Pattern(
            pid,
            program,
            regex,
            tuple(ranked),
            query,
            anchors,
            frozenset(replaces),
        )
        patterns.append(pattern)
        raw_examples = entry.get("examples")
        if not isinstance(raw_examples, list) or not raw_examples:
            problems.append(f"{label}: needs at least one example line")
            continue
        for example in raw_examples:
            if (
                not isinstance(example, dict)
                or not example.get("line")
                or not example.get("origin")
            ):
                problems.append(f"{label}: each example needs a 'line' and its 'origin'")
                continue
            for key in sorted(set(example) - EXAMPLE_KEYS, key=str):
                problems.append(f"{label}: example has unknown key '{key}'")
            examples.append((pattern, str(example["line"]), str(example["origin"])))
    for pattern in patterns:
        for other in sorted(pattern.replaces - ids):
            problems.append(
                f"{where}: pattern '{pattern.id}' replaces '{other}', which does not exist"
            )
    return patterns, examples


def _read_commands(path, content_dir, outcomes, problems):
    where = display(path, content_dir)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        problems.append(f"{where}: cannot be read: {exc}")
        return {}
    if not isinstance(data, dict):
        problems.append(f"{where}: must map cause slugs to lists of commands")
        return {}
    commands = {}
    for slug, entries in data.items():
        if slug not in outcomes:
            problems.append(f"{where}: '{slug}' is not an outcome")
            continue
        if not isinstance(entries, list) or not entries:
            problems.append(f"{where}: '{slug}' needs a list of commands")
            continue
        commands[slug] = []
        for entry in entries:
            if not isinstance(entry, dict) or not entry.get("run") or not entry.get("why"):
                problems.append(f"{where}: '{slug}': each command needs 'run' and 'why'")
                continue
            for key in sorted(set(entry) - COMMAND_KEYS, key=str):
                problems.append(f"{where}: '{slug}': unknown key '{key}'")
            commands[slug].append({"run": str(entry["run"]).strip(), "why": str(entry["why"])})
    for slug in flowchart.CAUSES:
        if slug not in commands:
            problems.append(f"{where}: cause '{slug}' has no commands")
    return commands


def read(content_dir=None):
    """Read and validate the pattern library; raise DiagnosisError listing every problem."""
    content_dir = Path(content_dir or settings.CONTENT_DIR)
    problems = []
    try:
        chart = flowchart.get(content_dir)
    except flowchart.FlowchartError:
        chart = None  # the flowchart check reports those problems itself
    outcomes = chart.outcomes if chart else {slug: None for slug in flowchart.CAUSES}
    folder = content_dir / "diagnosis"
    patterns, examples = _read_patterns(
        folder / "patterns.md", content_dir, outcomes, chart, problems
    )
    commands = _read_commands(folder / "commands.yaml", content_dir, outcomes, problems)
    library = _build(patterns, commands, examples)
    for pattern, line, _origin in examples:
        entries, _ = normalise(line)
        if not any(pattern in [p for p, _ in library.match_entry(e)] for e in entries):
            problems.append(
                f"{display(folder / 'patterns.md', content_dir)}: pattern '{pattern.id}' "
                f"does not match its example: {line[:120]}"
            )
    if problems:
        raise DiagnosisError(problems)
    return library


def _build(patterns, commands, examples):
    groups = {}
    for pattern in patterns:
        for anchor in pattern.anchors:
            groups.setdefault(anchor, []).append(pattern)
    # With no valid pattern (the check reports why) the automaton gets one text no log holds.
    groups = groups or {"\x00": []}
    automaton = ahocorasick_rs.AhoCorasick(list(groups))
    return Library(patterns, commands, automaton, list(groups.values()), examples)


def library(content_dir=None):
    """The pattern library (see read_once for when the files are read again)."""
    content_dir = Path(content_dir or settings.CONTENT_DIR)
    folder = content_dir / "diagnosis"
    sources = [folder / "patterns.md", folder / "commands.yaml", content_dir / "flowchart.yaml"]
    return read_once(read, content_dir, lambda: sources)


# Diagnosing ---------------------------------------------------------------------------


@dataclass
class Finding:
    """One cause across the input: how often, when, with which evidence."""

    slug: str
    confidence: float
    count: int = 0
    evidence: list = field(default_factory=list)
    first_line: str = ""
    last_line: str = ""
    patterns: list = field(default_factory=list)

    def add(self, pattern, text, entry, confidence):
        self.count += 1
        self.confidence = max(self.confidence, confidence)
        if len(self.evidence) < MAX_EVIDENCE and text not in self.evidence:
            self.evidence.append(text)
        if not self.first_line:
            self.first_line = entry
        self.last_line = entry
        if pattern not in self.patterns:
            self.patterns.append(pattern)


@dataclass
class Diagnosis:
    findings: list
    facts: dict
    lines: int
    library: Library | None = None

    @property
    def continue_query(self):
        """Where to pick up in the flowchart: the best finding's step that separates causes."""
        for finding in self.findings[:1]:
            for pattern in finding.patterns:
                if pattern.continue_query:
                    return pattern.continue_query
        return ""

    def commands(self, limit=2):
        """Commands for the best causes, filled with the facts found.

        A command about a TCP port is left out when the line named a unix socket, and
        the other way round; a command already suggested is not repeated.
        """
        values = derived(self.facts)
        irrelevant = set()
        if "socket" in values:
            irrelevant |= {"port", "upstream_url"}
        if "port" in values:
            irrelevant |= {"socket", "socket_dir"}
        suggestions, seen = [], set()
        for finding in self.findings[:limit]:
            for command in self.library.commands.get(finding.slug, []):
                text, missing = fill(command["run"], values)
                if text in seen or irrelevant & set(missing):
                    continue
                seen.add(text)
                suggestions.append(
                    {"cause": finding.slug, "run": text, "why": command["why"], "missing": missing}
                )
        return suggestions

    def as_json(self, summary=False):
        chart = flowchart.get()
        causes = []
        for finding in self.findings:
            outcome = chart.outcomes[finding.slug]
            item = {
                "slug": finding.slug,
                "title": outcome.title,
                "confidence": finding.confidence,
                "evidence": finding.evidence,
                "url": outcome.get_absolute_url(),
            }
            if summary:
                item.update(
                    count=finding.count,
                    first_seen=parse_time(finding.first_line),
                    last_seen=parse_time(finding.last_line),
                    example=finding.last_line,
                )
            causes.append(item)
        return {"causes": causes, "facts": self.facts, "lines": self.lines}


def _rank(findings):
    return sorted(findings.values(), key=lambda f: (-f.confidence, -f.count, f.slug))


def _add(findings, matches, entry):
    if len(matches) == 1:  # the usual case, kept short: it runs once per matching line
        pattern, text = matches[0]
        for slug, confidence in pattern.causes:
            finding = findings.get(slug) or findings.setdefault(slug, Finding(slug, confidence))
            finding.add(pattern, text, entry, confidence)
        return
    replaced = set()
    for pattern, _ in matches:
        replaced |= pattern.replaces
    best = {}
    for pattern, text in matches:
        if pattern.id in replaced:
            continue
        for slug, confidence in pattern.causes:
            if confidence > best.get(slug, (0, None, None))[0]:
                best[slug] = (confidence, pattern, text)
    for slug, (confidence, pattern, text) in best.items():
        finding = findings.setdefault(slug, Finding(slug, confidence))
        finding.add(pattern, text, entry, confidence)


def diagnose(text, lib=None):
    """Diagnose pasted text: one line, many lines, or a whole log."""
    lib = lib or library()
    entries, lines = normalise(text)
    findings, facts = {}, {}
    for entry in entries:
        matches = lib.match_entry(entry)
        if not matches:
            continue
        _add(findings, matches, entry)
    ranked = _rank(findings)
    if ranked:
        best = ranked[0]
        # Facts come from the newest line of the best cause: the one to act on.
        facts = extract_facts(best.last_line, best.patterns[0].program)
    return Diagnosis(ranked, facts, lines, lib)


def diagnose_lines(lines, lib=None):
    """Summarise a log read line by line (a file), without holding it in memory.

    Lines are complete log entries here, so they are matched as they come; only HTML
    entities are decoded, and only where there are any.
    """
    lib = lib or library()
    findings, count = {}, 0
    match_entry = lib.match_entry
    for raw in lines:
        count += 1
        if "&" in raw:
            raw = html.unescape(raw)
        matches = match_entry(raw)
        if matches:
            _add(findings, matches, raw.rstrip("\n"))
    ranked = _rank(findings)
    facts = {}
    if ranked:
        facts = extract_facts(ranked[0].last_line, ranked[0].patterns[0].program)
    return Diagnosis(ranked, facts, count, lib)


def highlight_evidence(line, evidence):
    """The line as HTML, escaped, with each piece of evidence marked."""
    spans = []
    for text in evidence:
        start = line.find(text)
        if start != -1:
            spans.append((start, start + len(text)))
    spans.sort()
    parts, position = [], 0
    for start, end in spans:
        if start < position:
            continue
        parts.append(html.escape(line[position:start]))
        parts.append(f"<mark>{html.escape(line[start:end])}</mark>")
        position = end
    parts.append(html.escape(line[position:]))
    return mark_safe("".join(parts))


def check_text(text):
    """Why `text` cannot be diagnosed, or None when it can."""
    if text is None or not text.strip():
        return "The log is empty. Paste one or more lines from the proxy's error log."
    if len(text.encode("utf-8", "replace")) > MAX_PASTE_BYTES:
        return (
            f"The text is longer than {MAX_PASTE_BYTES // 1024} KB. Paste the lines around "
            "the error, or upload the whole file."
        )
    if "\x00" in text or text.count("\ufffd") > len(text) / 20:
        return "This does not look like text from a log file (it holds binary data)."
    return None


# Besides a log entry's start and level: "(111: Connection refused)", Apache's AH codes.
LOG_SIGNS = (ENTRY_START, LEVEL, re.compile(r"\(\d+: [A-Z]"), re.compile(r"AH\d{5}"))


def looks_like_log(text):
    """Whether search text is more likely a pasted log line than words to search for."""
    text = text.strip()
    return len(text) >= 25 and any(regex.search(text) for regex in LOG_SIGNS)


def as_text(result, data, summary=False):
    """The diagnosis as a person reads it in a terminal."""
    lines = [f"Read {data['lines']} line{'s' if data['lines'] != 1 else ''}."]
    if not data["causes"]:
        lines.append(
            "No known cause in this text. Paste the proxy's error log line (for nginx: "
            "/var/log/nginx/error.log) from the moment of the error, or start the "
            "troubleshooter at /troubleshoot/."
        )
        return "\n".join(lines)
    lines.append("")
    for number, cause in enumerate(data["causes"], 1):
        lines.append(
            f"{number}. {cause['slug']}: {cause['title']} (confidence {cause['confidence']:.2f})"
        )
        if summary:
            lines.append(
                f"   {cause['count']} line(s), first seen {cause['first_seen'] or 'unknown'}, "
                f"last seen {cause['last_seen'] or 'unknown'}"
            )
            lines.append(f"   latest: {cause['example'][:300]}")
        for evidence in cause["evidence"]:
            lines.append(f"   evidence: {evidence}")
        lines.append(f"   more: {cause['url']}")
    if result.continue_query and len(result.findings) > 1:
        lines += [
            "",
            "The line alone cannot tell these causes apart; one more question can:",
            f"   /troubleshoot/?{result.continue_query}",
        ]
    if data["facts"]:
        lines += ["", "Facts: " + ", ".join(f"{k}={v}" for k, v in data["facts"].items())]
    commands = result.commands()
    if commands:
        lines += ["", "Commands to run:"]
        for command in commands:
            lines.append(f"   {command['run']}")
            lines.append(f"      # {command['why']}")
    return "\n".join(lines)
