"""Charts drawn on the server as SVG: a template lays out the shapes computed here.

Positions across are percentages of the chart's width and heights are pixels, so a
chart fills a phone's screen or a desktop column with its text at the page's own size,
without scaling and without any inline style (the Content-Security-Policy allows
none): colours come from classes in static/css/insight.css, which follow the light
and dark schemes.
"""

from datetime import timedelta

BAR_ROW = 54  # px per bar: its label, the bar, its figures
LABEL = 48  # characters of a label that fit a phone's width
COLUMNS_HEIGHT = 170
PLOT_TOP, PLOT_BOTTOM = 24, 136  # px: where the columns stand


def _percent(value, maximum):
    return round(100 * value / maximum, 2) if maximum else 0


def bars(items, maximum=None):
    """Horizontal bars for `items` of (label, value, part, text): the bar is `value`
    long against `maximum` (the largest value if None), `part` of it (if not None) is
    drawn over it in the second colour, and `text` is written under it."""
    top = maximum or max((value or 0 for _, value, _, _ in items), default=0)
    rows = []
    for index, (label, value, part, text) in enumerate(items):
        y = index * BAR_ROW
        rows.append(
            {
                "label": label if len(label) <= LABEL else label[: LABEL - 1] + "…",
                "text": text,
                "label_y": y + 15,
                "bar_y": y + 21,
                "text_y": y + 48,
                "width": _percent(value or 0, top),
                "part": None if part is None else _percent(part, top),
            }
        )
    return {"rows": rows, "height": len(items) * BAR_ROW}


def columns(points, first, last):
    """One column per day from `first` to `last` (dates), for `points` of (day, value);
    days without a point stand at zero."""
    values = dict(points)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    top = max(values.values(), default=0)
    span = PLOT_BOTTOM - PLOT_TOP
    step = 100 / len(days)
    shapes = []
    for index, day in enumerate(days):
        value = values.get(day, 0)
        height = round(span * value / top, 1) if top else 0
        shapes.append(
            {
                "day": day,
                "value": value,
                "x": round(index * step + step * 0.15, 3),
                "width": round(step * 0.7, 3),
                "y": PLOT_BOTTOM - height,
                "height": height,
            }
        )
    return {
        "columns": shapes,
        "top": top,
        "first": first,
        "last": last,
        "height": COLUMNS_HEIGHT,
        "plot_top": PLOT_TOP,
        "baseline": PLOT_BOTTOM,
        "label_y": PLOT_BOTTOM + 20,
    }
