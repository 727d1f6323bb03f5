"""The articles in content/ as a reader meets them: loaded, linked and complete."""

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.http import QueryDict

from kb.models import Article
from troubleshooter import flowchart

pytestmark = pytest.mark.django_db

CAUSES = [
    "backend-down", "wrong-upstream-address", "socket-permission", "security-module",
    "firewall-block", "backend-slow", "worker-pool-exhausted", "backend-crash", "oom-killed",
    "disk-full", "header-too-big", "invalid-upstream-response", "upstream-tls", "stale-dns",
    "docker-network", "swarm-ipvs", "cdn-origin", "rate-limited", "maintenance-mode",
    "proxy-config-error",
]  # fmt: skip
CAUSE_SECTIONS = ["what-you-see", "confirm-it", "fix-it", "prevent-it"]


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def test_there_is_an_article_for_every_cause_with_the_four_sections(real_content):
    for slug in CAUSES:
        article = Article.objects.published().get(slug=slug)
        assert article.category.slug == "causes", slug
        headings = [entry["id"] for entry in article.current_version.toc if entry["level"] == 2]
        assert headings == CAUSE_SECTIONS, slug


def test_every_code_block_names_its_language(real_content):
    for article in Article.objects.published().with_current():
        body = re.sub(r"^(`{3,}|~{3,}).*?^\1", "", article.current_version.body, flags=re.S | re.M)
        assert "```" not in body, f"{article.slug}: unbalanced code fence"
        fences = re.findall(r"^```(.*)$", article.current_version.body, flags=re.M)
        openings = fences[0::2]
        assert all(lang.strip() for lang in openings), f"{article.slug}: a fence without language"


def test_every_internal_link_on_every_page_leads_somewhere(client, real_content):
    """Crawl the site from the home page; every link and #anchor must exist."""
    pages, queue, checked_anchors = {}, ["/"], []
    chart, seen_steps = flowchart.get(), set()

    def first_visit(target):
        # The walks through the troubleshooter multiply with every question; one walk to
        # each question and to each outcome shows every kind of page and link.
        path, _, query = target.partition("?")
        if not query or not path.startswith("/troubleshoot/"):
            return True
        walk = chart.walk(QueryDict(query))
        node = walk.outcome.slug if walk.outcome else walk.question.id
        if (path, node) in seen_steps:
            return False
        seen_steps.add((path, node))
        return True

    while queue:
        url = queue.pop()
        if url in pages:
            continue
        response = client.get(url, follow=True)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        parser = Links()
        if response["Content-Type"].startswith("text/html"):
            parser.feed(response.content.decode())
        pages[url] = parser.ids
        for href in parser.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "/admin/")):
                continue
            path, fragment = urldefrag(href)
            target = path or url
            if fragment:
                checked_anchors.append((url, target, fragment))
            # Comparisons, "change this answer" links and per-path maps multiply without
            # adding new kinds of page; one of each is reached anyway.
            skip = ("/compare/", "change=", "/troubleshoot/map/?", "fixed=")
            if (
                target not in pages
                and target.startswith("/")
                and not any(s in target for s in skip)
                and first_visit(target)
            ):
                queue.append(target)
    for source, target, fragment in checked_anchors:
        if target not in pages:
            pages[target] = Links()
            pages[target].feed(client.get(target, follow=True).content.decode())
            pages[target] = pages[target].ids
        assert fragment in pages[target], f"{source} links to {target}#{fragment}, which is missing"
    assert len(pages) > 40
