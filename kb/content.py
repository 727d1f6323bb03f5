"""Reading and validating the files under content/, with no database involved.

Errors name the file and the field, and every error in the tree is reported at
once, so an author fixes everything in one pass.
"""

import datetime
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from lib.content import (
    SLUG,
    ContentError,
    display,
    load_yaml,
    read_quick_steps,
    split_front_matter,
)

# Article slugs share /kb/<slug>/ with these pages.
RESERVED_SLUGS = {"categories", "tags", "feed", "search"}
ARTICLE_KEYS = {
    "title", "slug", "summary", "category", "tags", "reviewed", "applies_to", "change_note",
    "sources", "confirm", "fix",
}  # fmt: skip
# Articles of this category each explain one cause, and open with its confirm-and-fix box.
CAUSE_CATEGORY = "causes"
# Where an article's facts come from: documentation, source code, public threads.
SOURCE_URL = re.compile(r"https?://[^\s<>\"']{3,}\Z")
CATEGORY_KEYS = {"slug", "title", "description"}
MAX_TITLE = 200
# The longest article is about 15 KB; a file far beyond that is a mistake (a log pasted
# into it, a generated file), and loading, rendering and indexing it would stall.
MAX_ARTICLE_BYTES = 512 * 1024
MAX_SUMMARY = 300


@dataclass(frozen=True)
class CategorySource:
    slug: str
    title: str
    description: str
    position: int


@dataclass(frozen=True)
class ArticleSource:
    path: Path
    text: str
    slug: str
    title: str
    summary: str
    category: str
    tags: list
    reviewed: datetime.date
    applies_to: list
    change_note: str
    body: str
    sources: list = ()
    quick_steps: tuple = ()  # lib.content.QuickStep: confirm, then fix

    @property
    def content_hash(self):
        return hashlib.sha256(self.text.encode()).hexdigest()


def read_categories(content_dir):
    path = content_dir / "categories.yaml"
    where = display(path, content_dir)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContentError([f"{where}: file is missing"]) from None
    except yaml.YAMLError as exc:
        raise ContentError([f"{where}: not valid YAML: {exc}"]) from None
    if not isinstance(data, list) or not data:
        raise ContentError([f"{where}: must be a list of categories"])
    problems, categories, seen = [], [], set()
    for position, entry in enumerate(data):
        if not isinstance(entry, dict):
            problems.append(f"{where}: entry {position + 1} must be a mapping")
            continue
        label = f"{where}: category {entry.get('slug', position + 1)!s}"
        for key in sorted(set(entry) - CATEGORY_KEYS):
            problems.append(f"{label}: unknown key '{key}'")
        slug, title = entry.get("slug"), entry.get("title")
        if not isinstance(slug, str) or not SLUG.match(slug):
            problems.append(f"{label}: 'slug' must be lowercase words joined by hyphens")
        elif slug in seen:
            problems.append(f"{label}: 'slug' is used twice")
        if not isinstance(title, str) or not title.strip():
            problems.append(f"{label}: 'title' is required")
        if not problems:
            seen.add(slug)
            categories.append(
                CategorySource(slug, title.strip(), str(entry.get("description", "")), position)
            )
    if problems:
        raise ContentError(problems)
    return categories


def _string(meta, key, problems, limit=None):
    value = meta.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"'{key}' is required and must be text")
        return ""
    value = value.strip()
    if limit and len(value) > limit:
        problems.append(f"'{key}' is {len(value)} characters long; the limit is {limit}")
    return value


def _string_list(meta, key, problems, pattern=None, required=False):
    value = meta.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list) or (required and not value):
        problems.append(f"'{key}' must be a list{' with at least one entry' if required else ''}")
        return []
    items = []
    for item in value:
        if isinstance(item, int) and not isinstance(item, bool):
            item = str(item)  # an unquoted 502 in YAML is a number, but meant as text
        if not isinstance(item, str) or not item.strip():
            problems.append(f"'{key}' entries must be text, got {item!r}")
        elif pattern and not pattern.match(item):
            problems.append(f"'{key}' entry {item!r} must be lowercase words joined by hyphens")
        else:
            items.append(item.strip())
    return items


def parse_article(path, content_dir, category_slugs, today=None):
    """Parse one article file; raise ContentError naming the file and each bad field."""
    where = display(path, content_dir)
    size = path.stat().st_size
    if size > MAX_ARTICLE_BYTES:
        raise ContentError(
            [
                f"{where}: is {size:,} bytes; the limit is {MAX_ARTICLE_BYTES:,}. "
                "Split it into several articles."
            ]
        )
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    front, body = split_front_matter(text)
    if front is None:
        raise ContentError([f"{where}: must start with front matter between two '---' lines"])
    try:
        meta = load_yaml(front)
    except yaml.YAMLError as exc:
        raise ContentError([f"{where}: front matter is not valid YAML: {exc}"]) from None
    if not isinstance(meta, dict):
        raise ContentError([f"{where}: front matter must be a mapping of fields"])

    problems = [f"unknown field '{key}'" for key in sorted(set(meta) - ARTICLE_KEYS, key=str)]
    title = _string(meta, "title", problems, MAX_TITLE)
    summary = _string(meta, "summary", problems, MAX_SUMMARY)
    change_note = _string(meta, "change_note", problems)
    slug = _string(meta, "slug", problems)
    if slug and not SLUG.match(slug):
        problems.append(f"'slug' {slug!r} must be lowercase words joined by hyphens")
    elif slug and slug != path.stem:
        problems.append(f"'slug' is {slug!r} but the file is named {path.name}; make them match")
    elif slug in RESERVED_SLUGS:
        problems.append(f"'slug' {slug!r} is reserved for a page of the site")
    category = _string(meta, "category", problems)
    if category and category not in category_slugs:
        known = ", ".join(sorted(category_slugs))
        problems.append(f"'category' {category!r} is not in categories.yaml ({known})")
    tags = _string_list(meta, "tags", problems, pattern=SLUG)
    applies_to = _string_list(meta, "applies_to", problems, required=True)
    sources = _string_list(meta, "sources", problems)
    for url in sources:
        if not SOURCE_URL.match(url):
            problems.append(f"'sources' entry {url!r} must be an http:// or https:// address")
    quick_steps = read_quick_steps(meta, problems, required=category == CAUSE_CATEGORY)
    reviewed = meta.get("reviewed")
    if not isinstance(reviewed, datetime.date) or isinstance(reviewed, datetime.datetime):
        problems.append(f"'reviewed' must be a date like 2026-11-21, got {reviewed!r}")
    elif reviewed > (today or datetime.date.today()):
        problems.append(f"'reviewed' is {reviewed.isoformat()}, which is in the future")
    if not body.strip():
        problems.append("the article has no text after its front matter")
    if problems:
        raise ContentError(f"{where}: {problem}" for problem in problems)
    return ArticleSource(
        path=path,
        text=text,
        slug=slug,
        title=title,
        summary=summary,
        category=category,
        tags=sorted(set(tags)),
        reviewed=reviewed,
        applies_to=applies_to,
        change_note=change_note,
        body=body.strip() + "\n",
        sources=list(dict.fromkeys(sources)),
        quick_steps=quick_steps,
    )


def read_articles(content_dir, category_slugs, today=None):
    problems, articles = [], []
    for path in sorted((content_dir / "articles").glob("*.md")):
        try:
            articles.append(parse_article(path, content_dir, category_slugs, today))
        except ContentError as exc:
            problems.extend(exc.problems)
        except UnicodeDecodeError:
            problems.append(f"{display(path, content_dir)}: is not UTF-8 text")
    if problems:
        raise ContentError(problems)
    return articles


KB_LINK = re.compile(r'href="/kb/([a-z0-9-]+)/(?:#([^"]+))?"')
HEADING_ID = re.compile(r'<h[1-6] id="([^"]+)"')


def anchors_of(html):
    return set(HEADING_ID.findall(html))


def broken_links(where, html, anchors_by_slug):
    """Problems with links from `html` to other articles: missing article or heading."""
    problems = []
    for slug, anchor in dict.fromkeys(KB_LINK.findall(html)):
        if slug not in anchors_by_slug:
            problems.append(f"{where}: links to /kb/{slug}/, but there is no article '{slug}'")
        elif anchor and anchor not in anchors_by_slug[slug]:
            problems.append(
                f"{where}: links to /kb/{slug}/#{anchor}, but '{slug}' has no heading "
                f"with that anchor"
            )
    return problems
