"""A readable comparison of two texts: changed lines, with the changed words marked.

Article versions and flowchart versions are compared with it."""

import difflib
import html
import re
from dataclasses import dataclass

from django.utils.safestring import mark_safe

WORDS = re.compile(r"\s+|\w+|[^\w\s]")
CONTEXT = 3


@dataclass(frozen=True)
class Line:
    kind: str  # "same", "removed", "added" or "skip"
    old: int | None
    new: int | None
    html: str


def _escaped(text):
    return mark_safe(html.escape(text))


def _words(old, new):
    """Both lines as HTML, the words that differ wrapped in <del> and <ins>."""
    a, b = WORDS.findall(old), WORDS.findall(new)
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        old_part, new_part = html.escape("".join(a[i1:i2])), html.escape("".join(b[j1:j2]))
        if op == "equal":
            left.append(old_part)
            right.append(new_part)
            continue
        if old_part:
            left.append(f"<del>{old_part}</del>")
        if new_part:
            right.append(f"<ins>{new_part}</ins>")
    return mark_safe("".join(left)), mark_safe("".join(right))


def compare(old_text, new_text, context=CONTEXT):
    """Lines of a unified comparison; long unchanged stretches become one "skip" line."""
    old, new = old_text.splitlines(), new_text.splitlines()
    lines = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            # Keep a few lines of context around changes; none before the first change
            # or after the last one.
            span = i2 - i1
            head = context if lines else 0
            tail = context if i2 < len(old) else 0
            if span <= head + tail + 1:
                shown = list(range(span))
            else:
                shown = [*range(head), *range(span - tail, span)]
            for k in shown:
                if k == span - tail and len(shown) < span:
                    lines.append(
                        Line("skip", None, None, _escaped(f"{span - head - tail} unchanged lines"))
                    )
                lines.append(Line("same", i1 + k + 1, j1 + k + 1, _escaped(old[i1 + k])))
            if len(shown) < span and tail == 0:
                lines.append(Line("skip", None, None, _escaped(f"{span - head} unchanged lines")))
            continue
        removed, added = old[i1:i2], new[j1:j2]
        pairs = min(len(removed), len(added)) if op == "replace" else 0
        for k in range(pairs):
            left, right = _words(removed[k], added[k])
            lines.append(Line("removed", i1 + k + 1, None, left))
            lines.append(Line("added", None, j1 + k + 1, right))
        for k in range(pairs, len(removed)):
            lines.append(Line("removed", i1 + k + 1, None, _escaped(removed[k])))
        for k in range(pairs, len(added)):
            lines.append(Line("added", None, j1 + k + 1, _escaped(added[k])))
    return lines
