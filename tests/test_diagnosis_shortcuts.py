"""The shortcuts that make the diagnosis quick change no result.

A file is searched a block at a time for the patterns' plain texts, and a line read
before is only counted again: both are checked against the plain way, every line
matched on its own, as a paste is. A paste skips expressions that cannot match by
looking for a character or a word first: checked against the expression itself.
"""

import io
import json
import random
from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from tests.diagnosis.fragments import fragments
from troubleshooter import diagnosis
from troubleshooter.diagnosis import context, engine
from troubleshooter.diagnosis.text import TRAILING_JUNK, unescape, without_trailing_junk

LIBRARY = diagnosis.read(settings.CONTENT_DIR)
CORPORA = Path(__file__).parent / "diagnosis"
REAL = [
    json.loads(line)["log"]
    for name in ("real_lines.jsonl", "new_causes.jsonl", "heldout.jsonl", "not_errors.jsonl")
    for line in (CORPORA / name).read_text().splitlines()
    if line.strip()
]
EXAMPLES = [line for _, line, _ in LIBRARY.examples]
# One line each: the file is read line by line, so a line break would make two.
LINES = [
    line
    for line in dict.fromkeys(REAL + EXAMPLES + [f for e in EXAMPLES for f in fragments(e)])
    if "\n" not in line and "\r" not in line
]
QUICK = examples(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def plainly(lines):
    """The findings of a file read the plain way: each line decoded and matched alone."""
    findings = {}
    for line in lines:
        entry = line.decode("utf-8", "replace")
        if "&" in entry:
            entry = unescape(entry)
        matches = LIBRARY.match_entry(entry)
        if matches:
            engine._add(findings, engine._additions(matches, entry), entry)
    return engine._rank(findings)


def summary(findings):
    return [
        (f.slug, f.confidence, f.count, f.evidence, f.first_line, f.last_line,
         [p.id for p in f.patterns], f.lines)
        for f in findings
    ]  # fmt: skip


def test_every_line_a_pattern_matches_holds_one_of_its_texts():
    """The prefilter skips a pattern on a line holding none of its texts: right only if
    no such line can match it."""
    missed = [
        (pattern.id, line)
        for pattern in LIBRARY.patterns
        for line in LINES
        if pattern.regex.search(line) and not any(text in line for text in pattern.anchors)
    ]
    assert missed == []


LINE = st.sampled_from(LINES)


def escaped(line):
    """The line as HTML numeric references only: no pattern's text is left in it."""
    return "".join(f"&#{ord(character)};" for character in line)


NOISE = st.text(st.characters(codec="utf-8", exclude_characters="\n\r"), max_size=40)


@QUICK
@given(st.tuples(NOISE, LINE, NOISE).map("".join))
def test_a_pattern_matching_inside_a_longer_line_still_has_its_text_there(line):
    for pattern in LIBRARY.patterns:
        if pattern.regex.search(line):
            assert any(text in line for text in pattern.anchors), pattern.id


@QUICK
@given(
    st.lists(
        st.one_of(LINE, LINE.map(escaped), NOISE, st.tuples(NOISE, LINE).map("".join)),
        max_size=40,
    )
)
def test_the_lines_read_from_a_block_are_all_those_that_can_match(lines):
    chunk = b"".join(line.encode() + b"\n" for line in lines)
    read, anchors = LIBRARY.lines_to_read(chunk)
    wanted = [
        line.encode()
        for line in lines
        if "&" in line or LIBRARY.match_entry(line, every_layer=True)
    ]
    assert [line for line in read if line in wanted] == wanted
    found = LIBRARY.match_lines(zip(read, anchors, strict=True))
    for line, (entry, matches) in zip(read, found, strict=True):
        assert entry == (unescape(line.decode()) if b"&" in line else line.decode())
        assert matches == LIBRARY.match_entry(entry)


def log(size, seed):
    """A log of `size` lines drawn from the real ones, repeating as logs do, with a few
    HTML-escaped, Windows and unterminated lines among them."""
    rng = random.Random(seed)
    pool = rng.sample(LINES, 300)
    lines = []
    for n in range(size):
        line = rng.choice(pool).encode()
        if n % 97 == 0:
            line = escaped(line.decode()).encode()
        lines.append(line + (b"\r\n" if n % 89 == 0 else b"\n"))
    lines[-1] = lines[-1].rstrip(b"\r\n")
    return lines


@pytest.mark.parametrize("as_file", [False, True], ids=["lines", "file"])
@pytest.mark.parametrize(("block", "known"), [(4096, 10_000), (64, 50)])
def test_a_file_gives_what_reading_each_line_alone_gives(monkeypatch, block, known, as_file):
    """Small blocks (of lines, or of bytes for a file, cutting lines in two) and a small
    memory of lines read make every boundary come up."""
    monkeypatch.setattr(engine, "BLOCK", block)
    monkeypatch.setattr(engine, "READ_SIZE", block * 11)
    monkeypatch.setattr(engine, "KNOWN_LINES", known)
    lines = log(3000, seed=block)
    source = io.BytesIO(b"".join(lines)) if as_file else iter(lines)
    result = diagnosis.diagnose_lines(source, LIBRARY)
    expected = plainly(line.removesuffix(b"\n").removesuffix(b"\r") for line in lines)
    assert result.lines == 3000
    assert summary(result.findings) == summary(expected)
    assert sum(f.count for f in result.findings) > 3000 // 2  # most lines name a cause


@pytest.mark.parametrize("jobs", [2, 3, 7])
def test_a_file_read_by_several_processes_gives_what_one_reader_gives(tmp_path, jobs):
    """Each process reads a stretch of whole lines; joined in the file's order, their
    findings are the single reader's: counts, first and last lines, evidence, lines."""
    lines = log(3000, seed=jobs)
    path = tmp_path / "error.log"
    path.write_bytes(b"".join(lines))
    with open(path, "rb") as file:
        alone = diagnosis.diagnose_lines(file, LIBRARY)
    together = diagnosis.diagnose_file(path, LIBRARY, jobs=jobs)
    assert together.lines == alone.lines == 3000
    assert summary(together.findings) == summary(alone.findings)
    assert together.facts == alone.facts


@pytest.mark.parametrize("text", [b"", b"one line without a break", b"\n\n\n"])
def test_a_file_too_short_to_share_is_read_by_one_process(tmp_path, text):
    path = tmp_path / "error.log"
    path.write_bytes(text)
    assert diagnosis.diagnose_file(path, LIBRARY, jobs=4).lines == text.count(b"\n") + (
        not text.endswith(b"\n") and bool(text)
    )


# A paste ---------------------------------------------------------------------------------


@QUICK
@given(st.text(st.sampled_from("ab $;,\t\n\u00a0\u2003\u3000\x1c\x85"), max_size=12))
def test_trailing_junk_is_looked_for_wherever_it_can_be(line):
    assert without_trailing_junk(line) == TRAILING_JUNK.sub("", line)


PIECES = [
    "Listening", "LISTENING on", "Running", "running on", "started", "Started server", "server started",
    "serving", "Serving", "bound", "BOUND", "ready", "Ready", "started on port(s): 8080", "on port 3000",
    " on port: 8000", " at http://0.0.0.0:8000", " on 127.0.0.1:5000", " at: [::]:80", " ", "app ",
    "ſerving", "K", "on tcp://localhost:9000",
]  # fmt: skip


@QUICK
@given(st.lists(st.sampled_from(PIECES), max_size=8).map("".join))
def test_an_apps_listening_line_is_looked_for_wherever_it_can_be(line):
    announced = {}
    context._announce(line, announced)
    match = context.APP_LISTENING.search(line)
    assert bool(announced) == bool(match)
