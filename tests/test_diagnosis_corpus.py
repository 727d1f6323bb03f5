"""The diagnosis on real lines: the ones it was tuned on, the held-out ones, lines that
are not errors, and the fragments of every pattern example. The floors are the
figures measured when they were set (README, The log diagnosis); a change that
lowers one fails here."""

import pytest
from django.conf import settings

from tests.diagnosis.corpus import fragment_score, rows, score
from troubleshooter import diagnosis

LIBRARY = diagnosis.read(settings.CONTENT_DIR)


def causes(text):
    return [f.slug for f in diagnosis.diagnose(text, LIBRARY).findings]


# The tuning files and their floors: the figure reached on each once its lines were
# read. Each gathered file's figure before any of it was read is in its docstring in
# tests/diagnosis/corpus.py (more_lines 71.1 / 79.4 %, later_lines 70.5 / 75.0 %,
# app_lines 83.3 / 88.9 %, source_messages 80.4 / 81.6 %).
TUNING = [
    ("real_lines.jsonl", 0.895, 0.955),
    ("new_causes.jsonl", 0.79, 0.93),
    ("more_lines.jsonl", 0.92, 0.97),
    ("later_lines.jsonl", 0.93, 0.97),
    ("app_lines.jsonl", 0.97, 0.97),
    ("stack_lines.jsonl", 0.90, 0.94),
    ("varied_lines.jsonl", 0.80, 0.90),
    ("wider_lines.jsonl", 0.89, 0.94),
    ("client_lines.jsonl", 0.95, 0.99),
    ("stacks_lines.jsonl", 0.90, 0.96),
    ("server_lines.jsonl", 0.76, 0.84),
    ("edge_lines.jsonl", 0.87, 0.92),
    ("source_messages.jsonl", 0.98, 0.98),
]


@pytest.mark.parametrize(("name", "top1_floor", "top3_floor"), TUNING)
def test_the_lines_it_was_tuned_on_get_the_cause_their_thread_or_source_names(
    name, top1_floor, top3_floor
):
    top1, top3, misses = score(rows(name), causes)
    assert top1 >= top1_floor, misses
    assert top3 >= top3_floor, misses


def test_the_held_out_lines_keep_the_figure_first_measured_on_them():
    # 77.1 % and 84.1 % on the 558 lines (README, The log diagnosis); each batch was
    # measured when it was added, before any pattern was written after it. Raise the
    # floors as the figure rises.
    top1, top3, misses = score(rows("heldout.jsonl"), causes)
    assert top1 >= 0.77, misses
    assert top3 >= 0.84, misses


def test_the_second_held_out_set_keeps_its_figure():
    # 73.6 % and 75.5 % on its 106 lines, measured once when it was added and again
    # after the patterns written since; 75.5 % and 77.4 % now (README, The log diagnosis). Its misses are not
    # printed: nothing is to be written from them.
    top1, top3, _ = score(rows("heldout_fresh.jsonl"), causes)
    assert top1 >= 0.75
    assert top3 >= 0.77


# The later held-out sets: each was committed and measured before any of its gathering
# was read, and no pattern is written from it; its misses are not printed. The floors
# are the figures now (README, The log diagnosis); in the comments, first sight.
HELD_OUT = [
    # 60.6 / 64.8 % on first sight; 63.4 / 66.2 % after the patterns written since.
    ("heldout_third.jsonl", 0.66, 0.69),
    # 45.5 / 49.5 %; 55.4 / 59.4 % after the patterns from the programs' own messages.
    ("heldout_fourth.jsonl", 0.56, 0.60),
    # 57.3 / 62.7 %, split from the gathering of varied_lines.jsonl.
    ("heldout_fifth.jsonl", 0.59, 0.65),
    # 60.3 / 66.7 %, gathered after the patterns from varied_lines.jsonl.
    ("heldout_sixth.jsonl", 0.60, 0.66),
    # The held-out halves of the gatherings of wider_lines, client_lines, stacks_lines,
    # server_lines and edge_lines: 74.0 / 82.0, 74.0 / 84.0, 66.7 / 77.3, 63.6 / 63.6
    # and 66.7 / 76.2 % on first sight.
    ("heldout_seventh.jsonl", 0.74, 0.82),
    ("heldout_eighth.jsonl", 0.76, 0.86),
    ("heldout_ninth.jsonl", 0.69, 0.78),
    ("heldout_tenth.jsonl", 0.72, 0.72),
    ("heldout_eleventh.jsonl", 0.68, 0.76),
]


@pytest.mark.parametrize(("name", "top1_floor", "top3_floor"), HELD_OUT)
def test_each_later_held_out_set_keeps_its_figure(name, top1_floor, top3_floor):
    top1, top3, _ = score(rows(name), causes)
    assert top1 >= top1_floor
    assert top3 >= top3_floor


@pytest.mark.parametrize("row", rows("not_errors.jsonl"), ids=lambda row: row["log"][:40])
def test_normal_operation_gives_no_cause(row):
    assert causes(row["log"]) == []


def test_fragments_of_every_example_keep_its_top_cause():
    share, total, misses = fragment_score(LIBRARY, diagnosis.diagnose)
    assert total > 400
    assert share >= 0.965, misses


def test_no_pattern_wakes_on_many_lines_of_normal_operation():
    # The prefilter tries a pattern only on lines holding one of its plain texts; a text
    # as common as "failed" would make a whole log slow to read. None may wake on more
    # than one normal line in twenty.
    lines = [line for row in rows("not_errors.jsonl") for line in row["log"].splitlines()]
    busy = {pid: count for pid, count in woken(lines).items() if count > len(lines) / 20}
    assert not busy


def test_most_lines_of_normal_operation_wake_no_pattern_at_all():
    # A line holding none of the patterns' texts costs no Python when a log is read
    # (library.lines_to_read). 117 of the 466 normal lines held one when this was set,
    # 25.1 %; words as common as "worker" or "ERROR" as a pattern's only text raised it.
    quiet = [row["log"] for row in rows("not_errors.jsonl")]
    woken = [line for line in quiet if LIBRARY.automaton.find_matches_as_indexes(line)]
    assert len(woken) / len(quiet) <= 0.26, woken


def test_no_pattern_wakes_on_many_lines_of_other_errors():
    # The same on error lines: in a log written during an outage most lines are errors,
    # and a pattern whose text is a word of many programs' messages ("connect",
    # "upstream", "process") is tried on all of them. The example lines of every pattern
    # stand for such a log; none may wake a pattern on more than one in eight.
    lines = [line for _, line, _ in LIBRARY.examples]
    busy = {pid: count for pid, count in woken(lines).items() if count > len(lines) / 8}
    assert not busy


def woken(lines):
    """How many of `lines` each pattern is tried on: those holding one of its texts."""
    counts = {}
    for line in lines:
        found = set()
        for index, _, _ in LIBRARY.automaton.find_matches_as_indexes(line, overlapping=True):
            specific, any_program = LIBRARY.groups[index]
            found.update(pattern.id for pattern in specific + any_program)
        for pattern_id in found:
            counts[pattern_id] = counts.get(pattern_id, 0) + 1
    return counts
