import re

import pytest

from troubleshooter.diagnosis.literals import anchors_of


@pytest.mark.parametrize(
    ("regex", "anchors"),
    [
        (
            r"connect\(\) failed \(111: Connection refused\)",
            ("connect() failed (111: Connection refused)",),
        ),
        (r"upstream timed out \(\d+: ", ("upstream timed out (",)),
        # Either branch may match, so the prefilter looks for both (Python's parser has
        # taken their common "no " out in front).
        (r"(?:no live upstreams|no server available)", ("live upstreams", "server available")),
        (r"AH0(?:1102|0898)", ("1102", "0898")),
        (r"\d+\.\d+", ()),  # nothing plain that every match contains
        (r"ab|cdef", ()),  # one branch has no text long enough
    ],
)
def test_it_finds_the_text_every_match_contains(regex, anchors):
    assert anchors_of(regex) == anchors


def test_every_match_really_contains_one_of_them():
    regex = r"(?:upstream prematurely closed|recv\(\) failed \(104: Connection reset)"
    anchors = anchors_of(regex)
    for line in [
        "upstream prematurely closed connection",
        "recv() failed (104: Connection reset by peer)",
    ]:
        assert re.search(regex, line)
        assert any(anchor in line for anchor in anchors)
