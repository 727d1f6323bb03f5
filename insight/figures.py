"""What the dashboard counts: each figure is a grouped query over indexed tables (the
daily counts of events for the days that are over, the events of the days since, the
tickets), merged in Python into tables.

Every function takes the range as [start, end) datetimes and returns a Section: its
tables (each one a CSV export as well) and the numbers its chart draws. A table's rows
hold plain values: numbers stay numbers, so the CSV can tell them from typed text.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from events.models import Event, EventDay, Kind, UnreadTemplate, start_of
from kb.models import Article, Version
from lib.days import LocalDay
from tickets.models import Ticket
from troubleshooter.models import ChartVersion

SHOWN = 50  # rows of a table on the page; its CSV has them all
CHARTED = 12  # bars in a chart


@dataclass
class Table:
    slug: str
    title: str
    columns: list
    rows: list
    note: str = ""
    link: str = ""  # the URL name the first column's value leads to

    @property
    def shown(self):
        """The rows on the page, each with the address its first value links to."""
        return [
            (reverse(self.link, args=[row[0]]) if self.link and row[0] else "", row)
            for row in self.rows[:SHOWN]
        ]


@dataclass
class Section:
    tables: list
    chart: list = field(default_factory=list)  # (label, value, part, text) for bars
    figures: dict = field(default_factory=dict)


def rate(part, whole):
    """A share as a percentage with one decimal, or None when there is nothing to divide."""
    return round(100 * part / whole, 1) if whole else None


def _counts(kinds, start, end, until, group, counted):
    """Events of `kinds` in [start, end) grouped by the fields in `group`, with a count
    per entry of `counted` (name: the condition an event meets to be counted there), as
    {group values: [counts]}. Days before `until` come from the daily counts, the rest
    from the events themselves (today, and any day the timer has not counted yet)."""
    found = {}

    def add(rows):
        for row in rows:
            key, numbers = row[: len(group)], row[len(group) :]
            total = found.setdefault(key, [0] * len(counted))
            for index, number in enumerate(numbers):
                total[index] += number or 0

    split = start if until is None else min(max(start, start_of(until)), end)
    if split > start:
        days = EventDay.objects.filter(
            kind__in=kinds, day__gte=timezone.localdate(start), day__lt=timezone.localdate(split)
        )
        sums = {name: Sum("count", filter=condition) for name, condition in counted.items()}
        # order_by() drops Meta.ordering, which would otherwise join the GROUP BY.
        add(days.order_by().values_list(*group).annotate(**sums))
    events = Event.objects.filter(kind__in=kinds, created_at__gte=split, created_at__lt=end)
    counts = {name: Count("id", filter=condition) for name, condition in counted.items()}
    add(events.order_by().values_list(*group).annotate(**counts))
    return found


def _latest_chart():
    latest = ChartVersion.objects.order_by("-number").only("chart").first()
    return latest.chart if latest else {"questions": [], "outcomes": {}}


def funnel(start, end, until, chart):
    """Per question of the flowchart: how many reached it, and how many left there
    (reached it and answered nothing)."""
    counted = {"reached": Q(kind=Kind.QUESTION_REACHED), "answered": Q(kind=Kind.QUESTION_ANSWERED)}
    found = {
        subject: numbers
        for (subject,), numbers in _counts(
            [Kind.QUESTION_REACHED, Kind.QUESTION_ANSWERED], start, end, until, ["subject"], counted
        ).items()
    }
    texts = {q["id"]: q["question"] for q in chart["questions"]}
    order = [q["id"] for q in chart["questions"]] + sorted(set(found) - set(texts))
    table = []
    for qid in order:
        reached, answered = found.get(qid, (0, 0))
        left = max(reached - answered, 0)
        table.append([qid, texts.get(qid, "(no longer in the flowchart)"), reached, answered,
                      left, rate(left, reached)])  # fmt: skip
    busiest = sorted((row for row in table if row[2]), key=lambda row: -row[2])[:CHARTED]
    return Section(
        tables=[
            Table(
                "funnel",
                "Flowchart questions: reached and left",
                ["Question id", "Question", "Reached", "Answered", "Left there", "Left %"],
                table,
                "In the flowchart's order. “Left there” is reached minus answered.",
            )
        ],
        chart=[(row[0], row[2], row[4], f"{row[2]:,} reached, {row[4]:,} left") for row in busiest],
    )


def _with_votes(shown, vote, start, end, until):
    """Per (subject, version): the events of kind `shown`, the yes and the no answers of
    kind `vote`, and a place for the tickets opened from it."""
    counted = {
        "shown": Q(kind=shown),
        "yes": Q(kind=vote, detail="yes"),
        "no": Q(kind=vote, detail="no"),
    }
    found = _counts([shown, vote], start, end, until, ["subject", "version"], counted)
    return {key: [*numbers, 0] for key, numbers in found.items()}


def outcomes(start, end, until, chart):
    """Per outcome and flowchart version: reached, “did this fix it?” answers, the share
    of yes, and tickets opened from it."""
    merged = _with_votes(Kind.OUTCOME_REACHED, Kind.OUTCOME_FIXED, start, end, until)
    tickets = (
        Ticket.objects.filter(created_at__gte=start, created_at__lt=end)
        .exclude(outcome="")
        .order_by()
        .values_list("outcome", "chart_version__number")
        .annotate(n=Count("id"))
    )
    for slug, version, n in tickets:
        merged.setdefault((slug, version), [0, 0, 0, 0])[3] = n
    titles = {slug: outcome["title"] for slug, outcome in chart["outcomes"].items()}
    rows = []
    for (slug, version), (reached, yes, no, opened) in merged.items():
        rows.append([slug, titles.get(slug, ""), version, reached, yes, no, rate(yes, yes + no),
                     opened])  # fmt: skip
    rows.sort(key=lambda row: (-row[3], -(row[4] + row[5]), row[0], row[2] or 0))
    voted = sorted((r for r in rows if r[4] + r[5]), key=lambda r: (-(r[4] + r[5]), r[0]))
    total_yes, total_no = sum(r[4] for r in rows), sum(r[5] for r in rows)
    return Section(
        tables=[
            Table(
                "outcomes",
                "Outcomes per flowchart version",
                [
                    "Outcome",
                    "Title",
                    "Chart version",
                    "Reached",
                    "Fixed it",
                    "Not fixed",
                    "Fixed-it %",
                    "Tickets opened",
                ],  # fmt: skip
                rows,
                "A blank version is a visit or a ticket from before the chart had a number.",
                link="troubleshooter:outcome",
            )
        ],
        chart=[
            (_versioned(r[0], r[2]), r[6], None, f"{r[6]}% of {r[4] + r[5]:,}, {r[7]:,} tickets")
            for r in voted[:CHARTED]
        ],
        figures={
            "fixed_rate": rate(total_yes, total_yes + total_no),
            "votes": total_yes + total_no,
        },  # fmt: skip
    )


def _versioned(slug, version):
    return f"{slug} v{version}" if version else slug


def articles(start, end, until):
    """Per article version: reads, “was this helpful?” answers, the share of yes, the
    change from the version before, tickets opened from it, and its change note."""
    found = _with_votes(Kind.ARTICLE_READ, Kind.ARTICLE_HELPFUL, start, end, until)
    merged = {key: numbers for key, numbers in found.items() if key[1] is not None}
    tickets = (
        Ticket.objects.filter(
            created_at__gte=start, created_at__lt=end, article_version__isnull=False
        )
        .order_by()
        .values_list("article_version__article__slug", "article_version__number")
        .annotate(n=Count("id"))
    )
    for slug, number, n in tickets:
        merged.setdefault((slug, number), [0, 0, 0, 0])[3] = n
    notes = {}
    slugs = sorted({slug for slug, _ in merged})
    # Only the columns before the stored text: SQLite then reads no overflow page.
    versions = Version.objects.filter(article__slug__in=slugs).order_by().values_list(
        "article__slug", "number", "title", "change_note"
    )  # fmt: skip
    for slug, number, title, note in versions:
        notes[(slug, number)] = (title, note)
    rows = []
    for (slug, number), (reads, yes, no, opened) in merged.items():
        title, note = notes.get((slug, number), ("", ""))
        rows.append([slug, title, number, note, reads, yes, no, rate(yes, yes + no), None, opened])
    rows.sort(key=lambda row: (row[0], row[2]))
    previous = {}
    for row in rows:
        before = previous.get(row[0])
        if before is not None and row[7] is not None:
            row[8] = round(row[7] - before, 1)
        if row[7] is not None:
            previous[row[0]] = row[7]
    rows.sort(key=lambda row: (-row[4], row[0], row[2]))
    voted = sorted((r for r in rows if r[5] + r[6]), key=lambda r: (-(r[5] + r[6]), r[0], r[2]))
    return Section(
        tables=[
            Table(
                "articles",
                "Articles per version",
                [
                    "Article",
                    "Title",
                    "Version",
                    "Change note",
                    "Reads",
                    "Helpful",
                    "Not helpful",
                    "Helpful %",
                    "Change in points",
                    "Tickets opened",
                ],  # fmt: skip
                rows,
                "“Change in points” compares the helpful share with the article's previous "
                "version that had answers in the range.",
                link="kb:article",
            )
        ],
        chart=[
            (f"{r[0]} v{r[2]}", r[7], None, f"{r[7]}% of {r[5] + r[6]:,}, {r[9]:,} tickets")
            for r in voted[:CHARTED]
        ],
    )


def unfound(start, end, until):
    """Searches that found nothing, and log templates no cause was read in, commonest
    first."""
    counted = _counts([Kind.SEARCH_EMPTY], start, end, until, ["detail"], {"n": None})
    searches = sorted(((text, n) for (text,), (n,) in counted.items()), key=lambda s: (-s[1], s[0]))
    templates = UnreadTemplate.objects.filter(last_seen__gte=start, first_seen__lt=end).values_list(
        "template", "program", "count", "first_seen", "last_seen"
    )  # fmt: skip
    return Section(
        tables=[
            Table(
                "searches",
                "Searches that found nothing",
                ["Search (masked)", "Times"],
                [list(row) for row in searches],
            ),  # fmt: skip
            Table(
                "templates",
                "Log lines no cause was read in",
                ["Template", "Program", "Times pasted", "First seen", "Last seen"],
                [[t, p, c, _day(first), _day(last)] for t, p, c, first, last in templates],
                "Templates pasted in the range; “Times pasted” counts since first seen.",
            ),
        ],
        chart=[(text or "(blank)", n, None, f"{n:,}") for text, n in searches[:CHARTED]],
    )


def _day(moment):
    return timezone.localtime(moment).date()


def tickets(start, end):
    """Tickets per day, per diagnosed cause and per outcome, and how often the cause the
    log was diagnosed with differs from the outcome the customer reached."""
    grouped = (
        Ticket.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(day=LocalDay("created_at"))
        .order_by()
        .values_list("day", "diagnosed_cause", "outcome")
        .annotate(n=Count("id"))
    )
    days, causes, daily = {}, {}, []
    both = disagree = 0
    for day, cause, outcome, n in grouped:
        daily.append([day, cause, outcome, n])
        counted = days.setdefault(day, [0, 0, 0])
        counted[0] += n
        for slug, column in ((cause, 0), (outcome, 1)):
            if slug:
                causes.setdefault(slug, [0, 0, 0])[column] += n
        if cause and outcome:
            counted[1] += n
            both += n
            if cause != outcome:
                counted[2] += n
                disagree += n
                causes[outcome][2] += n
    daily.sort()
    by_day = [
        [day, *counted, rate(counted[2], counted[1])] for day, counted in sorted(days.items())
    ]
    by_cause = sorted(
        ([slug, *counted] for slug, counted in causes.items()),
        key=lambda row: (-(row[1] + row[2]), row[0]),
    )
    return Section(
        tables=[
            Table(
                "tickets-by-day",
                "Tickets per day",
                [
                    "Day",
                    "Tickets",
                    "With a cause and an outcome",
                    "Cause and outcome differ",
                    "Differ %",
                ],  # fmt: skip
                by_day,
            ),
            Table(
                "tickets-by-cause",
                "Tickets per cause",
                [
                    "Cause",
                    "Diagnosed from the log",
                    "Reached as the outcome",
                    "Outcome, with another diagnosis",
                ],  # fmt: skip
                by_cause,
            ),
            Table(
                "tickets-daily",
                "Tickets per day, cause and outcome",
                ["Day", "Diagnosed cause", "Outcome", "Tickets"],
                daily,
            ),
        ],
        chart=[(day, counted[0]) for day, counted in sorted(days.items())],
        figures={
            "tickets": sum(counted[0] for counted in days.values()),
            "both": both,
            "disagree": disagree,
            "disagree_rate": rate(disagree, both),
        },
    )


def overdue():
    """Published articles whose last review is older than REVIEW_AFTER_MONTHS."""
    found = (
        Article.objects.review_overdue()
        .order_by("current_version__reviewed", "slug")
        .values_list(
            "slug", "current_version__title", "current_version__number", "current_version__reviewed"
        )  # fmt: skip
    )
    today = timezone.localdate()
    rows = [
        [
            slug,
            title,
            number,
            reviewed,
            (today.year - reviewed.year) * 12 + today.month - reviewed.month,
        ]
        for slug, title, number, reviewed in found
    ]
    return Section(
        tables=[
            Table(
                "overdue",
                "Past the review period",
                ["Article", "Title", "Version", "Last reviewed", "Months ago"],
                rows,
                link="kb:article",
            )
        ]
    )


def sections(start, end, only=None):
    """Every section of the dashboard by name, or only the one holding table `only`."""
    chart = _latest_chart() if only in (None, "funnel", "outcomes") else None
    until = EventDay.objects.counted_until()
    makers = {
        "funnel": lambda: funnel(start, end, until, chart),
        "outcomes": lambda: outcomes(start, end, until, chart),
        "articles": lambda: articles(start, end, until),
        "unfound": lambda: unfound(start, end, until),
        "tickets": lambda: tickets(start, end),
        "overdue": overdue,
    }
    if only is not None:
        name = next(name for name, tables in TABLES.items() if only in tables)
        return {name: makers[name]()}
    return {name: make() for name, make in makers.items()}


# Which section makes each table, for a CSV of one table.
TABLES = {
    "funnel": ("funnel",),
    "outcomes": ("outcomes",),
    "articles": ("articles",),
    "unfound": ("searches", "templates"),
    "tickets": ("tickets-by-day", "tickets-by-cause", "tickets-daily"),
    "overdue": ("overdue",),
}
TABLE_SLUGS = [slug for slugs in TABLES.values() for slug in slugs]
