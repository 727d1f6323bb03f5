"""The whole flowchart drawn as an SVG picture, generated from the same data.

Questions flow from left to right in columns by depth (the longest way from the
start), outcomes sit one column after their deepest question, and the order inside
each column is chosen to keep edges short (a few barycentre sweeps).
"""

import textwrap
from html import escape
from urllib.parse import urlencode

from django.utils.safestring import mark_safe

NODE_W, NODE_H = 214, 64
COL_GAP, ROW_GAP = 70, 18
MARGIN = 24
LINE_CHARS = 29
MAX_LINES = 3


def _depths(chart):
    """Longest distance from the start for each question; outcomes one past their parents."""
    depth = {chart.start: 0}
    order = _topological(chart)
    for qid in order:
        for answer in chart.questions[qid].answers:
            if answer.next:
                depth[answer.next] = max(depth.get(answer.next, 0), depth[qid] + 1)
    for qid in order:
        for answer in chart.questions[qid].answers:
            if answer.cause:
                depth[answer.cause] = max(depth.get(answer.cause, 0), depth[qid] + 1)
    return depth


def _topological(chart):
    seen, order = set(), []

    def visit(qid):
        if qid in seen:
            return
        seen.add(qid)
        for answer in chart.questions[qid].answers:
            if answer.next:
                visit(answer.next)
        order.append(qid)

    visit(chart.start)
    return order[::-1]


def _columns(chart, depth):
    columns = {}
    for node in depth:
        columns.setdefault(depth[node], []).append(node)
    parents = chart.parents
    for _ in range(4):
        for index in sorted(columns)[1:]:
            position = {n: i for col in columns.values() for i, n in enumerate(col)}

            def centre(node, position=position):
                ranks = [position[p] for p in parents.get(node, []) if p in position]
                return sum(ranks) / len(ranks) if ranks else 0

            columns[index].sort(key=centre)
    return columns


def _lines(text):
    lines = textwrap.wrap(text, LINE_CHARS)
    if len(lines) > MAX_LINES:
        lines = [
            *lines[: MAX_LINES - 1],
            textwrap.shorten(" ".join(lines[MAX_LINES - 1 :]), LINE_CHARS),
        ]
    return lines


def _gap_near(place, nodes, y):
    """The middle of the free space between a column's boxes that is closest to `y`."""
    tops = sorted(place[node][1] for node in nodes)
    gaps = [tops[0] - ROW_GAP / 2]
    gaps += [top + NODE_H + ROW_GAP / 2 for top in tops]
    return min(gaps, key=lambda gap: abs(gap - y))


def _route(place, columns, depth, source, target):
    """An SVG path from `source` to `target` that crosses the columns in between through
    the gaps between their boxes, so no edge seems to pass through another question."""
    x1, y1 = place[source]
    x2, y2 = place[target]
    points = [(x1 + NODE_W, y1 + NODE_H / 2)]
    first, last = depth[source] + 1, depth[target]
    for column in range(first, last):
        x = MARGIN + column * (NODE_W + COL_GAP)
        share = (column - first + 1) / (last - first + 1)
        y = _gap_near(place, columns[column], y1 + (y2 - y1) * share + NODE_H / 2)
        points += [(x, y), (x + NODE_W, y)]
    points.append((x2, y2 + NODE_H / 2))
    path = [f"M{points[0][0]:.0f},{points[0][1]:.0f}"]
    for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
        if ay == by and bx - ax == NODE_W:
            path.append(f"L{bx:.0f},{by:.0f}")  # straight through a gap
            continue
        bend = (bx - ax) / 2
        path.append(f"C{ax + bend:.0f},{ay:.0f} {bx - bend:.0f},{by:.0f} {bx:.0f},{by:.0f}")
    return " ".join(path)


def draw(chart, walk=None):
    depth = _depths(chart)
    columns = _columns(chart, depth)
    tallest = max(len(col) for col in columns.values())
    height = MARGIN * 2 + tallest * (NODE_H + ROW_GAP)
    width = MARGIN * 2 + len(columns) * (NODE_W + COL_GAP) - COL_GAP
    place = {}
    for index, nodes in columns.items():
        offset = (tallest - len(nodes)) * (NODE_H + ROW_GAP) / 2
        for row, node in enumerate(nodes):
            x = MARGIN + index * (NODE_W + COL_GAP)
            y = MARGIN + offset + row * (NODE_H + ROW_GAP)
            place[node] = (x, y)

    on_path, chosen = set(), set()
    here = None
    if walk is not None:
        for step in walk.steps:
            on_path.add(step.question.id)
            chosen.add((step.question.id, step.answer.key))
        here = walk.outcome.slug if walk.outcome else walk.question.id if walk.question else None
        if here:
            on_path.add(here)

    edges, nodes = [], []
    for qid, question in chart.questions.items():
        for answer in question.answers:
            target = answer.next or answer.cause
            css = "edge on-path" if (qid, answer.key) in chosen else "edge"
            route = _route(place, columns, depth, qid, target)
            edges.append(
                f'<path class="{css}" d="{route}"><title>{escape(answer.label)}</title></path>'
            )

    def node(slug, text, kind, href):
        x, y = place[slug]
        css = (
            f"node {kind}"
            + (" on-path" if slug in on_path else "")
            + (" here" if slug == here else "")
        )
        lines = _lines(text)
        first = y + NODE_H / 2 - (len(lines) - 1) * 8
        tspans = "".join(
            f'<tspan x="{x + 10}" y="{first + i * 16:.0f}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        current = ' aria-current="step"' if slug == here else ""
        nodes.append(
            f'<a href="{escape(href)}" class="{css}"{current}><title>{escape(text)}</title>'
            f'<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="8"/>'
            f'<text dominant-baseline="middle">{tspans}</text></a>'
        )

    for qid, question in chart.questions.items():
        if walk is not None and qid in on_path and qid != here:
            index = [s.question.id for s in walk.steps].index(qid)
            query = walk.query(walk.steps[:index])
        else:
            query = urlencode(chart.path_to(qid) or [])
        node(qid, question.question, "question", f"/troubleshoot/?{query}")
    for slug, outcome in chart.outcomes.items():
        href = outcome.get_absolute_url()
        if walk is not None and walk.outcome is outcome:
            href = walk.outcome_url
        node(slug, outcome.title, "outcome" + (" cause" if outcome.is_cause else ""), href)

    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flowchart-map" width="{width}" '
        f'height="{height:.0f}" viewBox="0 0 {width} {height:.0f}" role="group" '
        f'aria-labelledby="map-title"><title id="map-title">The troubleshooting flowchart: '
        f"{len(chart.questions)} questions leading to {len(chart.outcomes)} outcomes</title>"
        f'<g class="edges">{"".join(edges)}</g><g class="nodes">{"".join(nodes)}</g></svg>'
    )
