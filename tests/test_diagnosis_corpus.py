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


def test_the_third_held_out_set_keeps_its_figure():
    # 60.6 % and 64.8 % on its 71 lines when it was added, before any of it was read;
    # 63.4 % and 66.2 % after the patterns written since (README, The log diagnosis).
    # Its misses are not printed.
    top1, top3, _ = score(rows("heldout_third.jsonl"), causes)
    assert top1 >= 0.63
    assert top3 >= 0.66


def test_the_fourth_held_out_set_keeps_its_figure():
    # 45.5 % and 49.5 % on its 101 lines when it was added, before any of it was read;
    # 55.4 % and 59.4 % after the patterns written since, from the programs' own
    # messages (README, The log diagnosis). Its misses are not printed.
    top1, top3, _ = score(rows("heldout_fourth.jsonl"), causes)
    assert top1 >= 0.55
    assert top3 >= 0.59


def test_the_fifth_held_out_set_keeps_its_figure():
    # 57.3 % and 62.7 % on its 75 lines when it was added, before any of its gathering
    # was read; 60.0 % and 65.3 % after later rounds (README, The log diagnosis). Its
    # misses are not printed.
    top1, top3, _ = score(rows("heldout_fifth.jsonl"), causes)
    assert top1 >= 0.59
    assert top3 >= 0.65


def test_the_sixth_held_out_set_keeps_its_figure():
    # 60.3 % and 66.7 % on its 63 lines when it was added, before any of it was read
    # (README, The log diagnosis). Its misses are not printed.
    top1, top3, _ = score(rows("heldout_sixth.jsonl"), causes)
    assert top1 >= 0.60
    assert top3 >= 0.66


def test_the_seventh_held_out_set_keeps_its_figure():
    # 74.0 % and 82.0 % on its 50 lines when it was added, before any of its gathering
    # was read (README, The log diagnosis). Its misses are not printed.
    top1, top3, _ = score(rows("heldout_seventh.jsonl"), causes)
    assert top1 >= 0.74
    assert top3 >= 0.82


def test_the_eighth_held_out_set_keeps_its_figure():
    # 74.0 % and 84.0 % on its 50 lines when it was added, before any of its gathering
    # was read; 76.0 % and 86.0 % after the patterns written from the other half (README,
    # The log diagnosis). Its misses are not printed.
    top1, top3, _ = score(rows("heldout_eighth.jsonl"), causes)
    assert top1 >= 0.76
    assert top3 >= 0.86


def test_the_ninth_held_out_set_keeps_its_figure():
    # 66.7 % and 77.3 % on its 66 lines when it was added, before any of its gathering
    # was read; 69.7 % and 78.8 % after the patterns written from the other half (README,
    # The log diagnosis). Its misses are not printed.
    top1, top3, _ = score(rows("heldout_ninth.jsonl"), causes)
    assert top1 >= 0.69
    assert top3 >= 0.78


def test_the_tenth_held_out_set_keeps_its_figure():
    # 63.6 % and 63.6 % on its 33 lines when it was added, before any of its gathering
    # was read; 72.7 % and 72.7 % after the patterns written from the other half (README,
    # The log diagnosis). Its misses are not printed.
    top1, top3, _ = score(rows("heldout_tenth.jsonl"), causes)
    assert top1 >= 0.72
    assert top3 >= 0.72


def test_the_eleventh_held_out_set_keeps_its_figure():
    # 66.7 % and 76.2 % on its 63 lines when it was added, before any of its gathering
    # was read; 68.3 % and 76.2 % after the patterns written from the other half
    # (README, The log diagnosis). Its misses are not printed.
    top1, top3, _ = score(rows("heldout_eleventh.jsonl"), causes)
    assert top1 >= 0.68
    assert top3 >= 0.76


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
