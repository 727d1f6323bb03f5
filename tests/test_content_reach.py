"""Each article written for a cause customers hit most (those that name their sources)
is found the four ways a customer looks: from the home page, through the flowchart,
by searching its title, and by the diagnosis of a typical log line of its cause."""

import re

import pytest

from kb.models import Article
from troubleshooter import diagnosis, flowchart

pytestmark = pytest.mark.django_db


def sourced_articles():
    return [
        article
        for article in Article.objects.published().with_current()
        if article.current_version.sources
    ]


def test_each_sourced_article_is_reachable_four_ways(client, real_content):
    chart = flowchart.get()
    library = diagnosis.library()
    linking = {}  # article slug: the outcomes that link it
    for outcome in chart.outcomes.values():
        for link in outcome.articles:
            linking.setdefault(link.slug, set()).add(outcome.slug)
    diagnosed = {
        found.findings[0].slug
        for _, line, _ in library.examples
        if (found := diagnosis.diagnose(line, library)).findings
    }
    home = client.get("/").content.decode()
    categories = set(re.findall(r'href="(/kb/categories/[\w-]+/)"', home))
    listed = set()
    for url in categories:
        page = 1
        while True:
            html = client.get(url, {"page": page} if page > 1 else {}).content.decode()
            listed.update(re.findall(r'href="/kb/([\w-]+)/"', html))
            if 'rel="next"' not in html:
                break
            page += 1

    articles = sourced_articles()
    assert len(articles) >= 13
    problems = []
    for article in articles:
        slug = article.slug
        if slug not in listed:
            problems.append(f"{slug}: not in any category page linked from the home page")
        outcomes = linking.get(slug, set())
        if not outcomes:
            problems.append(f"{slug}: no outcome of the flowchart links it")
        elif not outcomes & diagnosed:
            problems.append(f"{slug}: no pattern's example line is diagnosed as {outcomes}")
        found = client.get("/search/", {"q": article.current_version.title}).context["results"]
        if [result.article.slug for result in found][:1] != [slug]:
            problems.append(f"{slug}: searching its title does not find it first")
    assert problems == [], "\n".join(problems)
