"""Diagnosing: every entry of a paste or a file matched, causes ranked, facts taken.

Nothing here stores what was pasted.
"""

import itertools
import multiprocessing
import os
from dataclasses import dataclass, field
from itertools import islice

from troubleshooter.diagnosis.commands import suggest
from troubleshooter.diagnosis.context import is_command_output, observe
from troubleshooter.diagnosis.facts import extract_facts
from troubleshooter.diagnosis.library import Library, library
from troubleshooter.diagnosis.text import normalise

MAX_EVIDENCE = 3
MAX_LINES = 20  # entries kept per cause (and unmatched ones per paste) to show
SETTLED_BY = 0.3  # how far ahead the best cause must be for no question to be needed
MOST_COMBINED = 0.95  # what several messages naming one cause can add up to at most
RULED_OUT = 0.15  # a cause pasted command output pushed this low is no longer offered


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
    lines: list = field(default_factory=list)  # the distinct entries that showed it
    # pattern id -> the best confidence it gave this cause; see `combined`
    support: dict = field(default_factory=dict)

    @property
    def generic(self):
        """Recognised only from what the error means, by no message of a known program."""
        return bool(self.patterns) and all(pattern.generic for pattern in self.patterns)

    @property
    def program(self):
        """The program whose message named this cause, when one did."""
        return next((p.program for p in self.patterns if not p.generic), None)

    def add(self, pattern, text, entry, confidence):
        self.count += 1
        _keep(self.evidence, text, MAX_EVIDENCE)
        if not self.first_line:
            self.first_line = entry
        self.last_line = entry
        _keep(self.lines, entry, MAX_LINES)
        _keep(self.patterns, pattern)
        if confidence > self.support.get(pattern.id, 0):
            self.support[pattern.id] = confidence
            self.confidence = combined(self.support, self._symptoms())

    def again(self, entry):
        """`add` once more of an entry already added: its text, the entry itself and the
        pattern are kept (or there was no room for them then, nor is there now), the
        confidence is the same, so only the count and the last line change."""
        self.count += 1
        self.last_line = entry

    def join(self, later):
        """Add what the same cause showed in a later stretch of the same log: the result
        is what reading both stretches in turn would have given."""
        self.count += later.count
        for text in later.evidence:
            _keep(self.evidence, text, MAX_EVIDENCE)
        self.first_line = self.first_line or later.first_line
        self.last_line = later.last_line or self.last_line
        for entry in later.lines:
            _keep(self.lines, entry, MAX_LINES)
        for pattern in later.patterns:
            _keep(self.patterns, pattern)
        for pattern_id, confidence in later.support.items():
            self.support[pattern_id] = max(confidence, self.support.get(pattern_id, 0))
        self.confidence = combined(self.support, self._symptoms())

    def _symptoms(self):
        return {pattern.id for pattern in self.patterns if pattern.symptom}


def _keep(items, item, room=None):
    """Add `item` to `items` unless it is there already or they have no more room."""
    if item not in items and (room is None or len(items) < room):
        items.append(item)


def combined(support, symptoms=()):
    """How sure a cause is, from the best confidence each pattern gave it (`support`).

    One cause named by several different messages is more likely than by any one of
    them: each is taken as independent evidence (1 - the product of the chances that
    each is wrong), up to MOST_COMBINED. The same message read again adds nothing, so a
    log that repeats one line a thousand times is as sure as the line; nor does a bare
    status page (`symptoms`), which every cause behind it shows alike."""
    best = max(support.values(), default=0)
    evidence = [confidence for pid, confidence in support.items() if pid not in symptoms]
    if len(evidence) < 2:
        return best
    doubt = 1.0
    for confidence in evidence:
        doubt *= 1 - confidence
    return round(max(best, min(MOST_COMBINED, 1 - doubt)), 2)


@dataclass
class Diagnosis:
    findings: list
    facts: dict
    lines: int
    library: Library | None = None
    observations: list = field(default_factory=list)  # pasted command output that counted
    unmatched: list = field(default_factory=list)  # entries that matched nothing (a few)
    ruled_out: list = field(default_factory=list)  # causes pasted command output ruled out

    @property
    def settled(self):
        """Whether pasted command output already answered what the log alone could not:
        the best cause is then clearly ahead of the next."""
        if not self.observations or not self.findings:
            return False
        if len(self.findings) == 1:
            return True
        return self.findings[0].confidence - self.findings[1].confidence >= SETTLED_BY

    @property
    def continue_query(self):
        """Where to pick up in the flowchart: the best finding's step that separates causes."""
        for finding in self.findings[:1]:
            for pattern in finding.patterns:
                if pattern.continue_query:
                    return pattern.continue_query
        return ""

    def commands(self, limit=2):
        """The suggested commands for the best causes, filled with the facts found."""
        return suggest(self.findings, self.facts, self.library.commands, limit)


def _rank(findings):
    return sorted(findings.values(), key=lambda f: (-f.confidence, -f.count, f.slug))


def _additions(matches, entry):
    """What the matches of one entry add: (slug, confidence, pattern, matched text) for
    each cause, the best pattern's where several patterns name it."""
    if len(matches) == 1:  # the usual case, kept short: it runs once per matching line
        pattern, text = matches[0]
        return [(slug, confidence, pattern, text) for slug, confidence in pattern.causes_for(entry)]
    replaced = set()
    for pattern, _ in matches:
        replaced |= pattern.replaces
    best = {}
    for pattern, text in matches:
        if pattern.id in replaced:
            continue
        for slug, confidence in pattern.causes_for(entry):
            if confidence > best.get(slug, (0, None, None))[0]:
                best[slug] = (confidence, pattern, text)
    return [(slug, confidence, pattern, text) for slug, (confidence, pattern, text) in best.items()]


def _add(findings, additions, entry):
    for slug, confidence, pattern, text in additions:
        finding = findings.get(slug) or findings.setdefault(slug, Finding(slug, confidence))
        finding.add(pattern, text, entry, confidence)


def diagnose(text, lib=None):
    """Diagnose pasted text: one line, many lines, or a whole log."""
    lib = lib or library()
    entries, lines = normalise(text)
    findings, facts, unmatched = {}, {}, []
    for entry in entries:
        matches = lib.match_entry(entry)
        if not matches:
            if len(unmatched) < MAX_LINES and not is_command_output(entry):
                unmatched.append(entry)
            continue
        _add(findings, _additions(matches, entry), entry)
    # Command output is read line by line as pasted: its lines are not log entries.
    observations = _weigh(findings, observe(text.splitlines()))
    ranked = _rank(findings)
    ruled_out = []
    if observations:
        ruled_out = [f for f in ranked if f.confidence <= RULED_OUT]
        ranked = [f for f in ranked if f.confidence > RULED_OUT]
    if ranked:
        best = ranked[0]
        # Facts come from the newest line of the best cause: the one to act on.
        facts = extract_facts(best.last_line, best.program)
    return Diagnosis(
        ranked,
        facts,
        lines,
        lib,
        observations=observations,
        unmatched=unmatched,
        ruled_out=ruled_out,
    )


def _weigh(findings, observations):
    """Apply what pasted command output says; the observations that changed anything."""
    used = []
    for observation in observations:
        changed = False
        for slug, delta in observation.effects.items():
            finding = findings.get(slug)
            if finding is not None:
                finding.confidence = round(min(0.99, max(0.01, finding.confidence + delta)), 2)
                changed = True
        for slug, confidence in observation.names.items():
            finding = findings.setdefault(slug, Finding(slug, confidence))
            finding.confidence = max(finding.confidence, confidence)
            if observation.line not in finding.evidence:
                finding.evidence.append(observation.line)
            finding.first_line = finding.first_line or observation.line
            finding.last_line = finding.last_line or observation.line
            finding.count = max(finding.count, 1)
            changed = True
        if changed:
            used.append(observation)
    return used


BLOCK = 4096  # lines read by one pass of the automaton
READ_SIZE = 1 << 20  # bytes of a file read by one pass of the automaton
KNOWN_LINES = 10_000  # distinct lines remembered at once while reading a file


def _blocks(lines):
    """(whole lines of bytes, each ending in a line break; how many) of a log.

    A file is read a megabyte at a time, which spares making an object of every line;
    anything else that yields lines (an upload) is taken BLOCK lines at a time."""
    read = getattr(lines, "read", None)
    if read is None:
        lines = iter(lines)
        while block := list(islice(lines, BLOCK)):
            chunk = b"".join(block)
            if chunk.count(b"\n") != len(block):  # the last line, or lines ending in a bare \r
                chunk = b"".join(line if line.endswith(b"\n") else line + b"\n" for line in block)
            yield chunk, len(block)
        return
    rest = b""
    while piece := read(READ_SIZE):
        piece = rest + piece
        cut = piece.rfind(b"\n") + 1
        rest = piece[cut:]
        if cut:
            yield piece[:cut], piece.count(b"\n", 0, cut)
    if rest:
        yield rest + b"\n", 1


def diagnose_lines(lines, lib=None):
    """Summarise a log read line by line as bytes (a file opened in binary, an upload),
    without holding it in memory."""
    lib = lib or library()
    findings, count = _summarise(_blocks(lines), lib)
    return _summary(findings, count, lib)


def diagnose_file(path, lib=None, jobs=None):
    """Summarise a log file, read by `jobs` processes (one per processor this process
    may use, at most MAX_JOBS) when it is large enough to gain from them.

    Each process reads one stretch of whole lines; their findings are joined in the
    order of the file, so the answer is the one a single reader gives."""
    lib = lib or library()
    size = os.path.getsize(path)
    if jobs is None:
        jobs = min(MAX_JOBS, _processors(), max(1, size // PARALLEL_FROM))
    stretches = _stretches(path, size, jobs)
    if len(stretches) < 2:
        with open(path, "rb") as lines:
            return diagnose_lines(lines, lib)
    lib.bytes_automaton  # built once here, shared by every reader it forks  # noqa: B018
    context = multiprocessing.get_context("fork")
    with context.Pool(len(stretches), initializer=_reader_started, initargs=(lib,)) as pool:
        parts = pool.starmap(_read_stretch, [(path, start, end) for start, end in stretches])
    by_id = {pattern.id: pattern for pattern in lib.patterns}
    findings, count = {}, 0
    for part, lines in parts:
        count += lines
        for finding in part:
            finding.patterns = [by_id[pattern_id] for pattern_id in finding.patterns]
            earlier = findings.get(finding.slug)
            if earlier is None:
                findings[finding.slug] = finding
            else:
                earlier.join(finding)
    return _summary(findings, count, lib)


MAX_JOBS = 8
PARALLEL_FROM = 16 << 20  # bytes of log that make one more reader worth its start


def _processors():
    """The processors this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _stretches(path, size, jobs):
    """(start, end) byte offsets cutting a file into `jobs` stretches of whole lines."""
    cuts = [0]
    with open(path, "rb") as file:
        for n in range(1, jobs):
            file.seek(max(size * n // jobs, cuts[-1]))
            file.readline()  # on to the start of the next line
            if file.tell() >= size:
                break
            if file.tell() > cuts[-1]:
                cuts.append(file.tell())
    cuts.append(size)
    return [(start, end) for start, end in itertools.pairwise(cuts) if end > start]


_READER_LIBRARY = None


def _reader_started(lib):
    global _READER_LIBRARY
    _READER_LIBRARY = lib


class _Stretch:
    """A file read from its current offset up to `end`, for `_blocks`."""

    def __init__(self, file, end):
        self.file, self.left = file, end - file.tell()

    def read(self, size):
        data = self.file.read(min(size, self.left))
        self.left -= len(data)
        return data


def _read_stretch(path, start, end):
    """The findings of one stretch of a file, their patterns by id (a compiled pattern
    is not worth sending between processes), and its number of lines."""
    with open(path, "rb") as file:
        file.seek(start)
        findings, count = _summarise(_blocks(_Stretch(file, end)), _READER_LIBRARY)
    for finding in findings.values():
        finding.patterns = [pattern.id for pattern in finding.patterns]
    return list(findings.values()), count


def _summary(findings, count, lib):
    ranked = _rank(findings)
    facts = {}
    if ranked:
        facts = extract_facts(ranked[0].last_line, ranked[0].program)
    return Diagnosis(ranked, facts, count, lib)


def _summarise(blocks, lib):
    """The findings of some blocks of whole lines, and how many lines they held.

    Lines are complete log entries here, so they are matched as they come, a block at a
    time; only HTML entities are decoded, and only where there are any. A log repeats
    itself: a line read before is not matched again, it counts once more for the
    causes it showed. The last few thousand distinct lines are remembered; when there
    are more, those read only once are forgotten and those read again are kept.
    """
    findings, count = {}, 0
    known = {}  # line (bytes) -> (entry, the findings it adds to)
    repeated = set()  # the known lines read again since the last forgetting
    for chunk, size in blocks:
        count += size
        if len(known) > KNOWN_LINES:
            known = {line: seen for line, seen in known.items() if line in repeated}
            if len(known) > KNOWN_LINES // 2:
                known = {}
            repeated = set()
        found, anchors = lib.lines_to_read(chunk)
        texts = dict(zip(found, anchors, strict=True))
        fresh = [(line, found_on) for line, found_on in texts.items() if line not in known]
        read = dict(zip((line for line, _ in fresh), lib.match_lines(fresh), strict=True))
        for line in found:
            seen = known.get(line)
            if seen is None:
                entry, matches = read[line]
                additions = _additions(matches, entry) if matches else ()
                _add(findings, additions, entry)
                known[line] = (entry, [findings[slug] for slug, _, _, _ in additions])
            else:
                repeated.add(line)
                entry, adds_to = seen
                for finding in adds_to:
                    finding.again(entry)
    return findings, count
