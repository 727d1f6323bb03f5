"""Load content/ into the database: one transaction, new versions only for changes."""

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from kb import pages, search
from kb.content import anchors_of, broken_links, read_articles, read_categories
from kb.models import Article, Category, Tag
from lib import generation, markdown
from lib.content import ContentError, display


@dataclass
class Report:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    archived: list = field(default_factory=list)
    restored: list = field(default_factory=list)

    def lines(self):
        for label, versions in (("new article", self.created), ("new version", self.updated)):
            for version in versions:
                yield f"{label}: {version.article.slug} v{version.number} ({version.change_note})"
        for slug in self.restored:
            yield f"restored: {slug}"
        for slug in self.archived:
            yield f"archived: {slug} (its file is gone; its versions stay readable)"
        yield (
            f"{len(self.created)} new, {len(self.updated)} changed, "
            f"{len(self.unchanged)} unchanged, {len(self.archived)} archived"
        )


def load(content_dir):
    """Bring the database in line with `content_dir`; raise ContentError and change nothing
    when any file is malformed or any link between articles is broken."""
    categories = read_categories(content_dir)
    sources = read_articles(content_dir, {category.slug for category in categories})
    report = Report()
    with transaction.atomic(), _renderer() as rendered:
        by_slug = _sync_categories(categories)
        articles = {a.slug: a for a in Article.objects.select_related("current_version")}
        tags = {tag.slug: tag for tag in Tag.objects.all()}
        # Rendered ahead, in the order the loop below publishes them.
        renderings = iter(
            rendered(s.body for s in sources if not _unchanged(articles.get(s.slug), s))
        )
        seen = set()
        for source in sources:
            seen.add(source.slug)
            article = articles.get(source.slug)
            if article is None:
                article = Article.objects.create(
                    slug=source.slug, category=by_slug[source.category]
                )
                articles[source.slug] = article
            current = article.current_version
            if _unchanged(article, source):
                if article.is_archived:
                    article.archived_at = None
                    article.save(update_fields=["archived_at"])
                    report.restored.append(source.slug)
                else:
                    report.unchanged.append(source.slug)
                continue
            version = article.publish_version(source, next(renderings))
            (report.updated if current else report.created).append(version)
            if article.category_id != by_slug[source.category].pk:
                article.category = by_slug[source.category]
                article.save(update_fields=["category"])
            for slug in source.tags:
                if slug not in tags:
                    tags[slug] = Tag.objects.create(slug=slug)
            article.tags.set([tags[slug] for slug in source.tags])

        now = timezone.now()
        for slug, article in articles.items():
            if slug not in seen and not article.is_archived:
                article.archived_at = now
                article.save(update_fields=["archived_at"])
                report.archived.append(slug)

        _check_links(content_dir, sources, articles)
        Tag.objects.filter(articles=None).delete()
        # Any article's tags, category or retirement can change every other one's list.
        Article.objects.refresh_related()
        # Each current version's article as its page shows it (kb.pages).
        pages.refresh()
        # Rebuilt whole each time: a few dozen rows, and it can never drift.
        search.backend().rebuild()
    # Pages in the page cache were rendered from the old content (and the flowchart and
    # outcomes, which a deploy changes alongside the articles).
    generation.bump()
    return report


def _unchanged(article, source):
    current = article and article.current_version
    return bool(current) and current.content_hash == source.content_hash


# Below this many changed articles, starting worker processes costs more than it saves.
PARALLEL_FROM = 64


@contextmanager
def _renderer():
    """A function rendering Markdown bodies in order, on every core when there are many
    (a first load of a large knowledge base). The workers come from a fresh server
    process (forkserver), so none inherits this one's database connection."""
    pool = None

    def rendered(bodies):
        nonlocal pool
        bodies = list(bodies)
        cores = os.cpu_count() or 1
        if len(bodies) < PARALLEL_FROM or cores < 2:
            return [markdown.render(body) for body in bodies]
        context = multiprocessing.get_context("forkserver")
        pool = ProcessPoolExecutor(max_workers=cores, mp_context=context)
        return pool.map(markdown.render, bodies, chunksize=16)

    try:
        yield rendered
    except BaseException:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        raise
    if pool is not None:
        pool.shutdown()


def _sync_categories(categories):
    by_slug = {}
    for source in categories:
        by_slug[source.slug], _ = Category.objects.update_or_create(
            slug=source.slug,
            defaults={
                "title": source.title,
                "description": source.description,
                "position": source.position,
            },
        )
    Category.objects.exclude(slug__in=by_slug).filter(articles=None).delete()
    return by_slug


def _check_links(content_dir, sources, articles):
    anchors = {
        slug: anchors_of(article.current_version.html)
        for slug, article in articles.items()
        if not article.is_archived
    }
    problems = []
    for source in sources:
        html = articles[source.slug].current_version.html
        problems += broken_links(display(source.path, content_dir), html, anchors)
    if problems:
        raise ContentError(problems)
