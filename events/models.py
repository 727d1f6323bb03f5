"""Anonymous usage events, and the patterns of log lines the diagnosis could not read.

Neither table holds anything about a visitor: no address, user agent, session,
cookie or account, and what a visitor typed only as a masked pattern
(events.masking). Both are pruned after `EVENT_RETENTION_DAYS` (`prune_events`).
"""

from collections import Counter
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Count, Max
from django.utils import timezone

from events import masking
from lib.days import LocalDay


class Kind(models.TextChoices):
    # Sent by the page once it is shown (static/js/portal.js), as the pages are cached.
    QUESTION_REACHED = "question_reached", "Flowchart question reached"
    QUESTION_ANSWERED = "question_answered", "Flowchart question answered"
    OUTCOME_REACHED = "outcome_reached", "Outcome reached"
    ARTICLE_READ = "article_read", "Article read"
    SEARCH_TICKET = "search_ticket", "Search followed by a ticket"
    # Written by the view that takes the action.
    OUTCOME_FIXED = "outcome_fixed", "“Did this fix it?” answered"
    ARTICLE_HELPFUL = "article_helpful", "“Was this helpful?” answered"
    SEARCH_EMPTY = "search_empty", "Search with no result"


# What a page may send: the rest are written only by the view that takes the action,
# so a vote is never counted from a beacon.
BEACON_KINDS = {
    Kind.QUESTION_REACHED,
    Kind.QUESTION_ANSWERED,
    Kind.OUTCOME_REACHED,
    Kind.ARTICLE_READ,
    Kind.SEARCH_TICKET,
}
# Kinds whose detail is text a visitor typed: masked again whoever sends it.
TYPED_KINDS = {Kind.SEARCH_TICKET, Kind.SEARCH_EMPTY}

SUBJECT_LENGTH = 100
DETAIL_LENGTH = masking.MAX_MASKED


def retention_cutoff(now=None):
    return (now or timezone.now()) - timedelta(days=settings.EVENT_RETENTION_DAYS)


class EventQuerySet(models.QuerySet):
    def record(self, kind, subject="", detail="", version=None):
        """Write one event; typed text is masked here, whatever the caller passed."""
        return self.create(**_fields(kind, subject, detail, version))

    def record_many(self, events):
        """Write events given as dicts (kind, subject, detail, version) in one insert."""
        return self.bulk_create([Event(**_fields(**event)) for event in events])

    def older_than_retention(self, now=None):
        return self.filter(created_at__lt=retention_cutoff(now))


def _fields(kind, subject="", detail="", version=None):
    detail = masking.mask(detail) if kind in TYPED_KINDS else str(detail)[:DETAIL_LENGTH]
    return {
        "kind": kind,
        "subject": str(subject)[:SUBJECT_LENGTH],
        "detail": detail,
        "version": version,
    }


class Event(models.Model):
    """One thing a visitor did, counted without knowing who did it."""

    kind = models.CharField(max_length=32, choices=Kind.choices)
    subject = models.SlugField(
        max_length=SUBJECT_LENGTH,
        blank=True,
        db_index=False,
        help_text="The question id, outcome slug or article slug; empty for searches.",
    )
    detail = models.CharField(
        max_length=DETAIL_LENGTH,
        blank=True,
        help_text="The answer chosen, “yes” or “no”, “walked”, or the masked search text.",
    )
    version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The article's or the flowchart's version number."
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["kind", "created_at"], name="event_kind_created"),
            models.Index(
                fields=["kind", "subject", "version", "created_at"], name="event_kind_subject"
            ),
            models.Index(fields=["created_at"], name="event_created"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.subject or self.detail}"


def start_of(day):
    """Midnight at the start of `day` in the site's time zone."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


class EventDayQuerySet(models.QuerySet):
    def counted_until(self):
        """The first day not counted yet (days are counted in one run, oldest to
        newest, and only once over), or None when none is."""
        last = self.aggregate(last=Max("day"))["last"]
        return last + timedelta(days=1) if last else None

    def refresh(self, today=None):
        """Count the events of every day before `today` not counted yet, in one grouped
        query; returns how many rows of counts were written."""
        today = today or timezone.localdate()
        since = self.counted_until()
        events = Event.objects.filter(created_at__lt=start_of(today))
        if since is not None:
            events = events.filter(created_at__gte=start_of(since))
        grouped = (
            events.annotate(day=LocalDay("created_at"))
            .order_by()
            .values_list("day", "kind", "subject", "detail", "version")
            .annotate(n=Count("id"))
        )
        rows = [
            EventDay(day=day, kind=kind, subject=subject, detail=detail, version=version, count=n)
            for day, kind, subject, detail, version, n in grouped.iterator(chunk_size=10_000)
        ]
        with transaction.atomic():
            self.bulk_create(rows, batch_size=2_000)
        return len(rows)

    def older_than_retention(self, now=None):
        return self.filter(day__lt=timezone.localdate(retention_cutoff(now)))


class EventDay(models.Model):
    """The events of one day that is over, counted by kind, subject, detail and version:
    what the staff dashboard reads for past days, so a range of three months is tens of
    thousands of rows rather than millions. `prune_events` (daily) adds the days since
    it last ran; the dashboard counts the days after that from Event itself."""

    day = models.DateField()
    kind = models.CharField(max_length=32, choices=Kind.choices)
    subject = models.CharField(max_length=SUBJECT_LENGTH, blank=True)
    detail = models.CharField(max_length=DETAIL_LENGTH, blank=True)
    version = models.PositiveIntegerField(null=True, blank=True)
    count = models.PositiveIntegerField()

    objects = EventDayQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["kind", "day"], name="eventday_kind_day"),
            models.Index(fields=["day"], name="eventday_day"),
        ]

    def __str__(self):
        return f"{self.day} {self.kind} {self.subject or self.detail}: {self.count}"


# Lines of one paste kept as templates: a whole log with no cause adds no more.
MAX_LINES_PER_PASTE = 20

# One statement per paste, adding to the rows that exist. The same on SQLite (3.24+)
# and PostgreSQL; the rows are sorted so two pastes never wait on each other in turn.
UPSERT = """
INSERT INTO {table} (template, program, count, first_seen, last_seen) VALUES {rows}
ON CONFLICT (template) DO UPDATE SET
    count = {table}.count + excluded.count,
    last_seen = excluded.last_seen,
    program = CASE WHEN {table}.program = '' THEN excluded.program ELSE {table}.program END
"""


class UnreadTemplateQuerySet(models.QuerySet):
    def learn(self, lines):
        """Count the templates of log lines the diagnosis gave no cause for. `lines` are
        (line, program guessed or "") pairs; only the masked template of each is kept,
        for at most MAX_LINES_PER_PASTE lines. The number of templates counted."""
        counts, programs, read = Counter(), {}, 0
        for line, program in lines:
            if read >= MAX_LINES_PER_PASTE:
                break
            if not str(line).strip():
                continue
            read += 1
            text = masking.template(line)
            if not text:
                continue
            counts[text] += 1
            programs.setdefault(text, (program or "")[:32])
        if not counts:
            return 0
        now = timezone.now()
        rows, params = [], []
        for text in sorted(counts):
            rows.append("(%s, %s, %s, %s, %s)")
            params += [text, programs[text], counts[text], now, now]
        sql = UPSERT.format(table=self.model._meta.db_table, rows=", ".join(rows))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
        return len(counts)

    def older_than_retention(self, now=None):
        return self.filter(last_seen__lt=retention_cutoff(now))


class UnreadTemplate(models.Model):
    """The masked pattern of a log line the diagnosis read no cause in, and how often it
    was pasted: what the pattern library should learn next.

    The template is the line through masking.template, the same in every worker and
    every day, so it can be the row's key. A template miner (Drain3) was not used: the
    template it gives a line depends on the lines its own process saw before, so each
    Gunicorn worker, and each restart, would count one message under different keys."""

    template = models.CharField(max_length=masking.MAX_TEMPLATE, unique=True)
    program = models.CharField(
        max_length=32, blank=True, help_text="The program the line looks like it came from."
    )
    count = models.PositiveBigIntegerField(default=0)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)

    objects = UnreadTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["-count", "template"]
        indexes = [
            models.Index(fields=["-count"], name="unread_count"),
            models.Index(fields=["last_seen"], name="unread_last_seen"),
        ]

    def __str__(self):
        return self.template
