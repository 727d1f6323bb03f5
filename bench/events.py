"""Usage events and tickets for the dashboard's row: as many as a busy site keeps over
its retention period, spread over the last `days` days, on the subjects the loaded
content really has, so every table of the dashboard has rows to group.

    python bench/events.py 1000000 [days]   (with the settings of the site to fill)

Rows are written as the database takes them fastest: COPY on PostgreSQL, executemany
in one transaction on SQLite.
"""

import os
import random
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Shares of the kinds, as a site where most visitors walk the flowchart would see them.
SHARES = [
    ("question_reached", 40),
    ("question_answered", 34),
    ("outcome_reached", 8),
    ("article_read", 14),
    ("outcome_fixed", 1.5),
    ("article_helpful", 1),
    ("search_empty", 1),
    ("search_ticket", 0.5),
]
SEARCHES = ["php8.3-fpm sock <num>", "wordpress white screen", "cloudflare <num>", "=cmd|' /C calc'!A0",
            "coolify", "traefik gateway", "k8s ingress <num>", "plesk", "fastcgi buffers"]  # fmt: skip
CAUSES = ["backend-down", "wrong-upstream-address", "backend-slow", "worker-pool-exhausted",
          "oom-killed", "cdn-origin", "disk-full", ""]  # fmt: skip
TICKETS = 20_000


def subjects():
    from kb.models import Article
    from troubleshooter.models import ChartVersion

    chart = ChartVersion.objects.order_by("-number").first()
    questions = [q["id"] for q in chart.chart["questions"]]
    outcomes = list(chart.chart["outcomes"])
    articles = list(Article.objects.published().values_list("slug", "current_version__number"))
    return chart.number, questions, outcomes, articles


def events(count, days, rng, known):
    """Rows of (kind, subject, detail, version, created_at); `known` is subjects(), read
    beforehand: no query may run on the connection while COPY holds it."""
    from django.utils import timezone

    chart, questions, outcomes, articles = known
    now = timezone.now()
    kinds = [kind for kind, _ in SHARES]
    weights = [share for _, share in SHARES]
    for kind in rng.choices(kinds, weights, k=count):
        created = now - timedelta(seconds=rng.random() * days * 86400)
        if kind.startswith("question"):
            yield (
                kind,
                rng.choice(questions),
                "yes" if kind.endswith("answered") else "",
                chart,
                created,
            )
        elif kind.startswith("outcome"):
            detail = rng.choice(["yes", "no"]) if kind == "outcome_fixed" else "walked"
            yield kind, rng.choice(outcomes), detail, chart, created
        elif kind.startswith("article"):
            slug, number = rng.choice(articles[:500])
            detail = rng.choice(["yes", "yes", "no"]) if kind == "article_helpful" else ""
            yield kind, slug, detail, number, created
        else:
            yield kind, "", rng.choice(SEARCHES), None, created


def tickets(days, rng):
    from django.utils import timezone

    from tickets.models import Ticket

    now = timezone.now()
    for n in range(TICKETS):
        yield Ticket(
            vps=f"vps-{n}", domain="example.com", error="502", docker="no",
            email="customer@example.com", description="Generated for the benchmark.",
            outcome=rng.choice(CAUSES), diagnosed_cause=rng.choice(CAUSES),
            submission=f"bench-{n}", created_at=now - timedelta(seconds=rng.random() * days * 86400),
        )  # fmt: skip


def write(count, days):
    from django.db import connection, transaction

    from events.models import Event
    from tickets.models import Ticket

    rng = random.Random(7)
    known = subjects()
    table = Event._meta.db_table
    columns = "kind, subject, detail, version, created_at"
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY {table} ({columns}) FROM STDIN"
            ) as copy:  # fmt: skip
                for row in events(count, days, rng, known):
                    copy.write_row(row)
        else:
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s)",
                    events(count, days, rng, known),
                )
        Ticket.objects.bulk_create(tickets(days, rng), batch_size=2000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    write(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 90)
