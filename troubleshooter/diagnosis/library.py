"""The pattern library: content/diagnosis/patterns.md and commands.yaml, read and validated.

Which message means what is content: each pattern with example lines, all of them
tested, and the commands to suggest per cause. This module reads them, checks them
and builds the prefilter that finds the patterns worth trying on a line.
"""

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import ahocorasick_rs
import yaml
from django.conf import settings
from django.http import QueryDict

from lib.content import SLUG, ContentError, display, load_yaml, read_once
from troubleshooter import flowchart
from troubleshooter.diagnosis import evidence
from troubleshooter.diagnosis.literals import MIN_ANCHOR, anchors_of
from troubleshooter.diagnosis.text import normalise, unescape

PATTERN_KEYS = {
    "id", "program", "match", "causes", "continue", "replaces", "weigh", "symptom",
    "examples", "note",
}  # fmt: skip
EXAMPLE_KEYS = {"line", "origin"}
COMMAND_KEYS = {"run", "why", "for"}
# Programs the patterns may name (the "program" fact).
PROGRAMS = {
    "nginx", "apache", "php-fpm", "php", "gunicorn", "uwsgi", "node", "pm2", "traefik",
    "caddy", "haproxy", "kernel", "systemd", "selinux", "apparmor", "docker", "cloudflare",
    "mysql", "application", "heroku", "envoy", "kong", "apisix", "varnish", "supervisord",
    "upstart", "passenger", "puma", "unicorn", "litespeed", "postgresql", "redis",
    "kubernetes", "go", "iis", "squid", "tomcat", "cloudfront", "azure", "gcp", "vercel",
    "fly", "cloudflared", "gitlab", "daphne", "certbot", "fail2ban", "aws", "fastly", "lighttpd",
    "any",
}  # fmt: skip
# `program: any` marks the layer that reads the meaning of an error wherever it appears;
# it counts only on a line that no program's own pattern matched.
ANY = "any"
# What a proxy logs about its own clients (a browser's old TLS version, a closed tab, a
# visitor who hung up), and the docker command refused its daemon's socket (the user is
# not in the docker group, so `docker ps` needs sudo): noise for a 5xx, so the layer
# that reads any error leaves such lines alone.
CLIENT_SIDE = re.compile(
    # "while SSL handshaking to upstream" is the proxy's own TLS to its backend.
    r"while (?:SSL handshaking(?! to upstream)|reading client request|reading PROXY protocol"
    r"|sending to client)"
    r"|client (?:closed|prematurely closed) (?:the )?connection|client intended to send too large"
    r"|client sent (?:invalid|too long|plain HTTP|duplicate)"
    # Heroku's router: the visitor hung up (H27, status 499), not the dyno.
    r"|\bsock=client\b|Client Request Interrupted"
    r"|permission denied while trying to connect to the Docker daemon socket"
)


MAX_CANDIDATE_SETS = 4096
DFA = ahocorasick_rs.Implementation.DFA
COMPACT = ahocorasick_rs.Implementation.ContiguousNFA


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
    rules: tuple = ()  # evidence rules that reorder the causes from the rest of the line
    # Says only what the visitor saw (a bare status page), not why: it adds nothing to a
    # cause that other messages name (engine.combined).
    symptom: bool = False

    @property
    def generic(self):
        return self.program == ANY

    def causes_for(self, entry):
        """The causes this pattern names for one entry, reordered by its evidence rules."""
        return evidence.weigh(self.rules, entry, self.causes) if self.rules else self.causes


@dataclass
class Library:
    patterns: list
    commands: dict
    automaton: ahocorasick_rs.AhoCorasick  # finds every pattern's plain text at once
    # for each text the automaton knows, the patterns that need it: (program patterns,
    # any-program patterns), split once here rather than on every line
    groups: list
    texts: list  # the automaton's texts, in the order of `groups`
    examples: list = field(default_factory=list)
    candidates: dict = field(default_factory=dict, repr=False)  # see _candidates

    @cached_property
    def bytes_automaton(self):
        """The same texts as UTF-8, for the lines of a file read as bytes: searching bytes
        skips converting every offset to a character index, and only the lines found are
        decoded. A DFA: the fastest over megabytes, and some megabytes itself, so it is
        built only by a process that reads a file."""
        texts = [text.encode() for text in self.texts]
        return ahocorasick_rs.BytesAhoCorasick(texts, implementation=DFA)

    def match_entry(self, entry, every_layer=False):
        """Patterns matching one entry, each with the text it matched; the layer that
        reads any program's errors only when no program's own pattern matched (or with
        `every_layer`, for checking examples).

        The automaton finds every anchor in the line in one pass, so a line holding none
        costs one scan; only the patterns of the anchors found are tried.
        """
        found = self.automaton.find_matches_as_indexes(entry, overlapping=True)
        return self._matches(entry, [index for index, _, _ in found], every_layer)

    def _matches(self, entry, anchors, every_layer=False):
        """Patterns matching one entry, of those that need the anchors found in it."""
        specific, generic = self._candidates(tuple(anchors))
        matches = []
        for pattern in specific:
            match = pattern.regex.search(entry)
            if match:
                matches.append((pattern, match.group(0)))
        if generic and (every_layer or not (matches or CLIENT_SIDE.search(entry))):
            for pattern in generic:
                match = pattern.regex.search(entry)
                if match:
                    matches.append((pattern, match.group(0)))
        return matches

    def _candidates(self, anchors):
        """The program patterns and the any-program patterns to try for a set of anchors
        found, each once. Lines of one log share a few sets, so they are kept (a
        bounded number, whatever the input)."""
        found = self.candidates.get(anchors)
        if found is None:
            specific, generic = {}, {}
            for index in anchors:
                program_patterns, any_program = self.groups[index]
                specific.update(dict.fromkeys(program_patterns))
                generic.update(dict.fromkeys(any_program))
            found = (tuple(specific), tuple(generic))
            if len(self.candidates) < MAX_CANDIDATE_SETS:
                self.candidates[anchors] = found
        return found

    def lines_to_read(self, chunk):
        """The lines of a block of whole lines of bytes that may match, in order and
        without their line break, and the texts found on each: those holding some
        pattern's text, or an `&`. One pass of the automaton over the whole block finds
        them all, so the other lines cost no Python at all, and `match_lines` needs no
        second look for the texts.

        Each line is cut out as its first text is found: the loop runs once per text
        found, a million times in a large log, so it does no more than it must. The
        automaton reports texts in the order they end, and no text spans two lines, so
        a line's texts come together."""
        lines, anchors, starts = [], [], []
        end = 0  # where the line after the last one found starts
        find, rfind = chunk.find, chunk.rfind
        texts = None
        for index, start, _ in self.bytes_automaton.find_matches_as_indexes(
            chunk, overlapping=True
        ):
            if start >= end:
                begin = rfind(b"\n", 0, start) + 1
                end = find(b"\n", start)
                starts.append(begin)
                lines.append(chunk[begin:end])
                anchors.append(texts := [])
                end += 1
            texts.append(index)
        if b"&" in chunk:
            lines, anchors = self._with_entity_lines(chunk, starts, lines, anchors)
        if b"\r" in chunk:
            lines = [line.removesuffix(b"\r") for line in lines]
        return lines, anchors

    @staticmethod
    def _with_entity_lines(chunk, starts, lines, anchors):
        """`lines` and their `anchors` (found at `starts`) and every other line holding an
        `&` (its texts are looked for again once its entities are decoded), in order."""
        found = dict(zip(starts, zip(lines, anchors, strict=True), strict=True))
        position = chunk.find(b"&")
        while position != -1:
            start = chunk.rfind(b"\n", 0, position) + 1
            end = chunk.find(b"\n", position)
            if start not in found:
                found[start] = (chunk[start:end], [])
            position = chunk.find(b"&", end) if end != -1 else -1
        ordered = [found[start] for start in sorted(found)]
        return [line for line, _ in ordered], [texts for _, texts in ordered]

    def match_lines(self, lines):
        """(entry, matches) for each of some (line, texts found on it) of a file, the line
        as bytes without its break; a line with an `&` is read with its HTML entities
        decoded, as a paste would be."""
        read = []
        for line, anchors in lines:
            entry = line.decode("utf-8", "replace")
            if b"&" in line:
                entry = unescape(entry)
                read.append((entry, self.match_entry(entry)))
            else:
                read.append((entry, self._matches(entry, anchors)))
        return read


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
        rules = entry.get("weigh") or []
        if not isinstance(rules, list) or not all(rule in evidence.RULES for rule in rules):
            problems.append(
                f"{label}: 'weigh' must be a list of evidence rules, from: "
                f"{', '.join(evidence.RULES)}"
            )
            rules = []
        symptom = entry.get("symptom", False)
        if not isinstance(symptom, bool):
            problems.append(f"{label}: 'symptom' must be true or false")
            symptom = False
        pattern = Pattern(
            pid,
            program,
            regex,
            tuple(ranked),
            query,
            anchors,
            frozenset(replaces),
            tuple(evidence.RULES[rule] for rule in rules),
            symptom,
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
            if entry.get("for") not in (None, "php"):
                problems.append(f"{where}: '{slug}': 'for' can only be php")
            commands[slug].append(
                {
                    "run": str(entry["run"]).strip(),
                    "why": str(entry["why"]),
                    "for": entry.get("for"),
                }
            )
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
        if not any(pattern in [p for p, _ in library.match_entry(e, True)] for e in entries):
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
            # An entry is one line: a text that spans two is never in one.
            if "\n" not in anchor:
                groups.setdefault(anchor, []).append(pattern)
    # With no valid pattern (the check reports why) the automaton gets one text no log holds.
    groups = groups or {"\x00": []}
    texts = list(groups)
    # A paste is short: the compact automaton is as fast there, in a fraction of the memory.
    automaton = ahocorasick_rs.AhoCorasick(texts, implementation=COMPACT)
    split = [
        ([p for p in group if not p.generic], [p for p in group if p.generic])
        for group in groups.values()
    ]
    return Library(patterns, commands, automaton, split, texts, examples)


def library(content_dir=None):
    """The pattern library (see read_once for when the files are read again)."""
    content_dir = Path(content_dir or settings.CONTENT_DIR)
    folder = content_dir / "diagnosis"
    sources = [folder / "patterns.md", folder / "commands.yaml", content_dir / "flowchart.yaml"]
    return read_once(read, content_dir, lambda: sources)
