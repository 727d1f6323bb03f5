"""The whole flowchart drawn as an SVG picture, generated from the same data, and the
same chart as a list for screens too narrow for the picture.

Questions flow from left to right in columns by depth (the longest way from the
start), outcomes sit one column after their deepest question, and the order inside
each column is chosen to keep edges short (a few barycentre sweeps). Each edge carries
its answer's label where it leaves its question.
"""

import textwrap
from html import escape
from urllib.parse import urlencode

from django.utils.safestring import mark_safe

NODE_W, NODE_H = 214, 64
# Wide enough for an answer's label on the edges between two columns.
COL_GAP, ROW_GAP = 150, 18
LABEL_CHARS = 22
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


def _route(place, columns, depth, source, target, port=0.5):
    """The points of a way from `source` to `target` that crosses the columns in between
    through the gaps between their boxes, so no edge seems to pass through another
    question. `port`: where on the source's right side it leaves (0 top, 1 bottom), so
    the edges of one question, and their labels, start apart."""
    x1, y1 = place[source]
    x2, y2 = place[target]
    points = [(x1 + NODE_W, y1 + NODE_H * port)]
    first, last = depth[source] + 1, depth[target]
    for column in range(first, last):
        x = MARGIN + column * (NODE_W + COL_GAP)
        share = (column - first + 1) / (last - first + 1)
        y = _gap_near(place, columns[column], y1 + (y2 - y1) * share + NODE_H / 2)
        points += [(x, y), (x + NODE_W, y)]
    points.append((x2, y2 + NODE_H / 2))
    return points


def _path(points):
    path = [f"M{points[0][0]:.0f},{points[0][1]:.0f}"]
    for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
        if ay == by and bx - ax == NODE_W:
            path.append(f"L{bx:.0f},{by:.0f}")  # straight through a gap
            continue
        bend = (bx - ax) / 2
        path.append(f"C{ax + bend:.0f},{ay:.0f} {bx - bend:.0f},{by:.0f} {bx:.0f},{by:.0f}")
    return " ".join(path)


def _label(points, text):
    """The answer's label, shortened, just after the edge leaves its question (each
    answer leaves from its own point on the box's side)."""
    x, y = points[0]
    short = textwrap.shorten(text, LABEL_CHARS, placeholder="…")
    return f'<text class="edge-label" x="{x + 6:.0f}" y="{y - 2:.0f}">{escape(short)}</text>'


def _where_they_lead(chart, walk):
    """The address of each question and outcome on the map: a question on the walk's way
    opens with the answers given before it, others with the shortest way to them."""
    hrefs = {}
    steps = [step.question.id for step in walk.steps] if walk is not None else []
    for qid in chart.questions:
        if walk is not None and qid in steps and qid != _here(walk):
            hrefs[qid] = f"/troubleshoot/?{walk.query(walk.steps[: steps.index(qid)])}"
        else:
            hrefs[qid] = f"/troubleshoot/?{urlencode(chart.path_to(qid) or [])}"
    for slug, outcome in chart.outcomes.items():
        reached = walk is not None and walk.outcome is outcome
        hrefs[slug] = walk.outcome_url if reached else outcome.get_absolute_url()
    return hrefs


def _here(walk):
    if walk is None:
        return None
    return walk.outcome.slug if walk.outcome else walk.question.id if walk.question else None


def _walked(walk):
    """The questions on the walk's way (with where it is now), and the answers chosen."""
    if walk is None:
        return set(), set()
    on_path = {step.question.id for step in walk.steps}
    chosen = {(step.question.id, step.answer.key) for step in walk.steps}
    here = _here(walk)
    if here:
        on_path.add(here)
    return on_path, chosen


def outline(chart, walk=None):
    """The chart as a list, for the map on a phone: each question in the order a walk
    meets them, with each answer and where it leads; then the outcomes."""
    hrefs = _where_they_lead(chart, walk)
    on_path, chosen = _walked(walk)
    here = _here(walk)
    titles = {qid: q.question for qid, q in chart.questions.items()}
    titles.update({slug: o.title for slug, o in chart.outcomes.items()})
    questions = [
        {
            "id": qid,
            "text": chart.questions[qid].question,
            "href": hrefs[qid],
            "on_path": qid in on_path,
            "here": qid == here,
            "answers": [
                {
                    "label": answer.label,
                    "to": titles[answer.next or answer.cause],
                    "href": hrefs[answer.next or answer.cause],
                    "is_outcome": bool(answer.cause),
                    "chosen": (qid, answer.key) in chosen,
                }
                for answer in chart.questions[qid].answers
            ],
        }
        for qid in _topological(chart)
    ]
    outcomes = [
        {"id": slug, "text": outcome.title, "href": hrefs[slug], "here": slug == here}
        for slug, outcome in chart.outcomes.items()
    ]
    return {"questions": questions, "outcomes": outcomes}


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

    on_path, chosen = _walked(walk)
    here = _here(walk)
    hrefs = _where_they_lead(chart, walk)

    edges, nodes = [], []
    for qid, question in chart.questions.items():
        count = len(question.answers)
        for index, answer in enumerate(question.answers):
            target = answer.next or answer.cause
            css = "edge on-path" if (qid, answer.key) in chosen else "edge"
            port = (index + 1) / (count + 1)
            points = _route(place, columns, depth, qid, target, port)
            edges.append(
                f'<g class="{css}"><title>{escape(answer.label)}</title>'
                f'<path d="{_path(points)}"/>{_label(points, answer.label)}</g>'
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
        node(qid, question.question, "question", hrefs[qid])
    for slug, outcome in chart.outcomes.items():
        node(slug, outcome.title, "outcome" + (" cause" if outcome.is_cause else ""), hrefs[slug])

    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flowchart-map" width="{width}" '
        f'height="{height:.0f}" viewBox="0 0 {width} {height:.0f}" role="group" '
        f'aria-labelledby="map-title"><title id="map-title">The troubleshooting flowchart: '
        f"{len(chart.questions)} questions leading to {len(chart.outcomes)} outcomes</title>"
        f'<g class="edges">{"".join(edges)}</g><g class="nodes">{"".join(nodes)}</g></svg>'
    )
