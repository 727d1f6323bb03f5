"""The plain texts that every match of a regular expression must contain.

The diagnosis looks for these with one Aho-Corasick pass over each line and tries a
pattern only where its text occurs, which is what makes a million-line log quick.

Python has no public interface that parses a regular expression into its parts, so
this module, and only this one, reads `re._parser` (the module behind `re.compile`
since 3.11, formerly `sre_parse`). Should a later Python change it, the tests of
this module fail, and so does the content check, which requires every pattern to
have such a text: loudly, never by matching less.
"""

from re import _parser

MIN_ANCHOR = 4  # shorter texts occur on too many lines to be worth looking for
# Words that nearly every log has: a text made of one of them is a last resort, ranked
# as if it were as short as MIN_ANCHOR, so that a rarer text of the same match is used.
COMMON = {
    "error", "rror", "failed", "ailed", "failing", "timed out", "invalid", "nvalid", "running",
    "started", "service", "ervice", "config", "onfig", "upstream", "server", "connect",
    "connecting to", "while", "available", "healthy", "live", "alive", "sock", ".sock", "eader",
    "worker", "orker", "(pid", "alert", "warn", "notice", "info",
}  # fmt: skip


def _weight(text):
    return MIN_ANCHOR if text.strip(" :.,").lower() in COMMON else len(text)


def _literal_runs(items):
    run = []
    for op, arg in items:
        if op is _parser.LITERAL:
            run.append(chr(arg))
            continue
        if run:
            yield "".join(run)
        run = []
    if run:
        yield "".join(run)


def _anchors(items):
    """Texts of which every match contains at least one: the longest literal run of the
    sequence, or the texts of a group or an alternation every match goes through;
    of these, the rarest set (see _rarity)."""
    items = list(items)
    candidates = []
    best = max(_literal_runs(items), key=_weight, default="")
    if len(best) >= MIN_ANCHOR:
        candidates.append((best,))
    for op, arg in items:
        if op is _parser.SUBPATTERN:
            inner = _anchors(arg[-1])
            if inner:
                candidates.append(inner)
        if op is _parser.BRANCH:
            branches = [_anchors(branch) for branch in arg[1]]
            if all(branches):
                candidates.append(tuple(dict.fromkeys(a for branch in branches for a in branch)))
    return max(candidates, key=_rarity, default=())


def _rarity(texts):
    """How seldom a set of texts occurs in a line: longer texts are rarer, and every
    further text in the set is one more chance to occur (a common word such as
    "failed" in one branch of an alternation wakes the pattern on many lines)."""
    return min(map(_weight, texts)) - 2 * (len(texts) - 1)


def anchors_of(regex_text):
    """The plain texts that any match must contain one of, for the prefilter; () if none."""
    return _anchors(_parser.parse(regex_text))
