import calendar
import dataclasses
import hashlib
from collections import Counter, defaultdict
from itertools import chain

from django.conf import settings
from django.db import connections, models
from django.utils import timezone

from lib import markdown
from lib.urls import reverse


class CategoryQuerySet(models.QuerySet):
    def with_published_count(self):
        """The categories with a published article, each with `published_count`: each
        count read from the index of published articles by category (kb_article_newest),
        not by joining every article row to its category."""
        count = (
            Article.objects.published()
            .filter(category=models.OuterRef("pk"))
            .order_by()
            .values("category")
            .annotate(n=models.Count("*"))
            .values("n")
        )
        listed = self.filter(
            models.Exists(Article.objects.published().filter(category=models.OuterRef("pk")))
        )
        return listed.annotate(published_count=models.Subquery(count))


class Category(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("kb:category", args=[self.slug])


class Tag(models.Model):
    slug = models.SlugField(unique=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.slug

    def get_absolute_url(self):
        return reverse("kb:tag", args=[self.slug])


# A version's stored text, which lists and links never show.
HEAVY_FIELDS = tuple(
    f"current_version__{name}"
    for name in ("source", "body", "html", "plain_text", "prose_text", "headings_text", "toc")
)
# What a version keeps for search, comparison and its Markdown download: its page
# shows none of it.
UNSHOWN_FIELDS = ("source", "body", "plain_text", "prose_text", "headings_text")

# What the current version's article is rendered from, which a page reads only when
# the stored rendering (ArticlePage) is stale.
PAGE_FIELDS = (*UNSHOWN_FIELDS, "html", "toc", "applies_to", "sources")

RELATED = 5  # related articles stored for each article


def review_cutoff(today=None):
    """The reviewed date before which an article is due for review: REVIEW_AFTER_MONTHS
    before today (the 31st becomes the last day of a shorter month)."""
    today = today or timezone.localdate()
    year, month = divmod(today.year * 12 + today.month - 1 - settings.REVIEW_AFTER_MONTHS, 12)
    month += 1
    return today.replace(
        year=year, month=month, day=min(today.day, calendar.monthrange(year, month)[1])
    )


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(archived_at__isnull=True, current_version__isnull=False)

    def review_overdue(self):
        """Published articles whose current version was last reviewed before the cutoff."""
        return self.published().filter(current_version__reviewed__lt=review_cutoff())

    def with_current(self):
        return self.select_related("current_version", "category")

    def listed(self):
        """With the current version's title, summary and dates, for lists and links:
        not its stored text, which a list of thousands of articles cannot carry."""
        return self.with_current().defer(*HEAVY_FIELDS)

    def brief(self, *also):
        """With only what a list of links shows: the slug, title and summary (and the
        fields named in `also`). On SQLite a version's later columns sit behind its
        text, so reading its date for each of thousands of articles reads their text."""
        return self.select_related("current_version").only(
            "slug", "current_version__title", "current_version__summary", *also
        )

    def for_page(self):
        """With what the current version's page shows around its stored article
        (`ArticlePage`): not the HTML and text that article was rendered from, which a
        page whose stored copy is stale reads afterwards (`Version.objects.for_page`)."""
        return self.select_related("current_version", "category", "page").defer(
            *(f"current_version__{f}" for f in PAGE_FIELDS)
        )

    def refresh_related(self):
        """Store every article's related articles (`Article.related_links`): the published
        articles sharing the most tags with it, those in its category first, then by
        slug. Run after each content load, which is the only way tags, categories and
        what is published change; returns how many articles' lists changed.

        Published articles with the same tags and category rank alike for any reader,
        so they are ranked as one group, and each distinct reader (tags and category)
        once: a large knowledge base has far fewer of either than articles."""
        tags = defaultdict(set)
        for article_id, tag_id in Article.tags.through.objects.values_list("article_id", "tag_id"):
            tags[article_id].add(tag_id)
        articles = list(self.values_list("pk", "slug", "category_id", "related_links"))
        # What a page shows of each published article it links to as related.
        shown = {
            pk: {"slug": slug, "title": title, "summary": summary}
            for pk, slug, title, summary in self.published().values_list(
                "pk", "slug", "current_version__title", "current_version__summary"
            )
        }
        published = set(shown)

        members = defaultdict(list)  # (tags, category) -> [(slug, pk)] of published articles
        for pk, slug, category_id, _ in articles:
            if pk in published and tags[pk]:
                members[(frozenset(tags[pk]), category_id)].append((slug, pk))
        groups = list(members)
        for group in groups:
            members[group].sort()
        having = defaultdict(list)  # tag -> indexes of the groups carrying it
        for index, (group_tags, _) in enumerate(groups):
            for tag in group_tags:
                having[tag].append(index)

        ranked = {}

        def ranking(reader_tags, category_id):
            shared = Counter(chain.from_iterable(having[tag] for tag in reader_tags))
            by_rank = defaultdict(list)
            for index, count in shared.items():
                same = groups[index][1] == category_id
                # One more than kept, in case the reader is among them.
                by_rank[(-count, not same)].extend(members[groups[index]][: RELATED + 1])
            found = []
            for rank in sorted(by_rank):
                found += sorted(by_rank[rank])[: RELATED + 1 - len(found)]
                if len(found) > RELATED:
                    break
            return [pk for _, pk in found]

        changed = []
        for pk, _, category_id, stored in articles:
            reader = (frozenset(tags[pk]), category_id)
            if reader not in ranked:
                ranked[reader] = ranking(*reader) if tags[pk] else []
            related = [other for other in ranked[reader] if other != pk][:RELATED]
            # Slugs are unique, so the links say which articles as well as what they show:
            # a related article's new title or summary changes them too.
            links = [shown[other] for other in related]
            if links != stored:
                changed.append((pk, links))
        self._store_related(changed)
        return len(changed)

    def _store_related(self, changed):
        # One statement run for every row: a first load changes all 10,000 lists, which
        # bulk_update() took 13 s to write and this takes half a second.
        if not changed:
            return
        connection = connections[self.db]
        field = Article._meta.get_field("related_links")
        quote = connection.ops.quote_name
        sql = (
            f"UPDATE {quote(Article._meta.db_table)} SET {quote(field.column)} = %s "
            f"WHERE {quote(Article._meta.pk.column)} = %s"
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                sql, [(field.get_db_prep_save(links, connection), pk) for pk, links in changed]
            )


class Article(models.Model):
    """An article as a whole: its slug and where its current version is.

    The text lives in Version rows, which are never changed once written.
    """

    slug = models.SlugField(unique=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="articles")
    tags = models.ManyToManyField(Tag, related_name="articles", blank=True)
    current_version = models.OneToOneField(
        "Version", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    archived_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the article's file left content/."
    )
    created_at = models.DateTimeField(default=timezone.now)
    related_links = models.JSONField(
        default=list,
        blank=True,
        help_text="The related articles' slug, title and summary, best first, as their "
        "links show them; stored by each content load.",
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        indexes = [
            # /kb/ ranks each category's published articles by their newest version
            # (kb.views.index) from this index alone, without reading the rows, which
            # carry their related articles' links.
            # (The id is a key column, not an included one: SQLite has no included
            # columns, and keeps the rowid in every index anyway.)
            models.Index(
                fields=["category", "-current_version", "id"],
                condition=models.Q(archived_at__isnull=True, current_version__isnull=False),
                name="kb_article_newest",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("kb:article", args=[self.slug])

    @property
    def title(self):
        return self.current_version.title if self.current_version else self.slug

    @property
    def summary(self):
        return self.current_version.summary if self.current_version else ""

    @property
    def is_archived(self):
        return self.archived_at is not None

    def publish_version(self, source, rendered=None):
        """Record `source` (a parsed content file) as this article's next version;
        `rendered` is its Markdown already rendered, if the caller has it."""
        last = self.versions.order_by("-number").first()
        rendered = rendered or markdown.render(source.body)
        version = Version.objects.create(
            article=self,
            number=(last.number + 1) if last else 1,
            title=source.title,
            summary=source.summary,
            category_slug=source.category,
            tags=source.tags,
            reviewed=source.reviewed,
            applies_to=source.applies_to,
            change_note=source.change_note,
            sources=list(source.sources),
            quick_steps=[dataclasses.asdict(step) for step in source.quick_steps],
            source=source.text,
            body=source.body,
            html=rendered.html,
            toc=rendered.toc,
            headings_text=rendered.headings_text,
            plain_text=rendered.plain_text,
            prose_text=rendered.prose_text,
            content_hash=source.content_hash,
        )
        self.current_version = version
        self.archived_at = None
        self.save(update_fields=["current_version", "archived_at"])
        return version

    def related(self):
        """The related articles the last content load stored, as their links show them.
        Only a load publishes, retires or retitles an article, and each load stores
        every list again, so the page reads them with the article, not in a query."""
        return [RelatedLink(**link) for link in self.related_links]


@dataclasses.dataclass(frozen=True)
class RelatedLink:
    """A related article as its link shows it."""

    slug: str
    title: str
    summary: str

    def get_absolute_url(self):
        return reverse("kb:article", args=[self.slug])


class VersionQuerySet(models.QuerySet):
    def for_page(self):
        """With what its page shows: its rendered HTML, not the text it came from."""
        return self.defer(*UNSHOWN_FIELDS)

    def for_feed(self):
        return self.select_related("article").order_by("-created_at", "-pk")


class ImmutableVersion(Exception):
    pass


class Version(models.Model):
    """One immutable version of an article, rendered once when it is written."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.TextField()
    category_slug = models.SlugField()
    tags = models.JSONField(default=list)
    reviewed = models.DateField()
    applies_to = models.JSONField(default=list)
    change_note = models.TextField()
    sources = models.JSONField(
        default=list, blank=True, help_text="Where the facts come from: the addresses cited."
    )
    quick_steps = models.JSONField(
        default=list,
        blank=True,
        help_text="A cause's box at the top: the command that confirms it, the one that fixes it.",
    )
    source = models.TextField(help_text="The content file exactly as it was loaded.")
    body = models.TextField(help_text="The Markdown body, without front matter.")
    html = models.TextField(help_text="Sanitised HTML rendered from the body.")
    toc = models.JSONField(default=list, help_text="Headings: level, id and name.")
    headings_text = models.TextField(blank=True)
    plain_text = models.TextField(blank=True)
    prose_text = models.TextField(
        blank=True,
        help_text="The text without code blocks, tables and headings: what search snippets "
        "are cut from.",
    )
    content_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["article", "number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="unique_version_number")
        ]

    def __str__(self):
        return f"{self.article.slug} v{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableVersion("Versions are immutable; publish a new one instead.")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("kb:version", args=[self.article.slug, self.number])

    def get_raw_url(self):
        return reverse("kb:raw", args=[self.article.slug, self.number])

    @property
    def is_current(self):
        return self.article.current_version_id == self.pk

    @property
    def review_overdue(self):
        """Whether readers are told this version may be out of date. Worked out when the
        page is rendered, so it turns on the day the cutoff passes the reviewed date."""
        return self.reviewed < review_cutoff()

    @property
    def anchors(self):
        return {entry["id"] for entry in self.toc}

    # The long sections a cause's box links down to, when the article has them.
    JUMPS = (("confirm-it", "Confirm"), ("fix-it", "Fix"), ("prevent-it", "Prevent"))

    @property
    def jump_links(self):
        """(anchor, label) of this version's Confirm, Fix and Prevent sections."""
        anchors = self.anchors
        return [(anchor, label) for anchor, label in self.JUMPS if anchor in anchors]

    @property
    def etag(self):
        return hashlib.sha256(f"{self.pk}:{self.content_hash}".encode()).hexdigest()[:16]


class ArticlePage(models.Model):
    """The current version's article as its page shows it (templates/kb/_article_body
    .html), rendered by each content load so an uncached page reads it whole instead
    of rendering it (kb.pages). Kept apart from Article, whose rows lists read by the
    thousand."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="page"
    )
    key = models.CharField(
        max_length=200, help_text="What it was rendered from: release, version and flowchart."
    )
    html = models.TextField()

    def __str__(self):
        return f"{self.article_id}: {self.key}"


class Feedback(models.Model):
    """A reader's answer to "was this helpful?", kept against the version they read."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="feedback")
    helpful = models.BooleanField()
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "feedback"

    def __str__(self):
        return f"{'Helpful' if self.helpful else 'Not helpful'}: {self.version}"


class SearchWord(models.Model):
    """Every word of the published articles, rebuilt with the search index: the
    vocabulary that a mistyped search word is corrected against."""

    word = models.CharField(max_length=40, unique=True)

    def __str__(self):
        return self.word
