import xml.etree.ElementTree as ET

import pytest

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def articles(content):
    content.write("backend-down", title="The backend is down", tags=["nginx"])
    content.write("gone", title="Gone")
    content.load()
    content.write(
        "backend-down",
        title="The backend is down",
        body="New.\n",
        change_note="Shorter.",
        tags=["nginx"],
    )
    content.remove("gone")
    content.load()


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_files(client):
    """The files /sitemap.xml points at, each with its lastmod, as paths."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.tag == f"{SITEMAP}sitemapindex"
    files = {}
    for entry in root.iter(f"{SITEMAP}sitemap"):
        location = entry.find(f"{SITEMAP}loc").text
        lastmod = entry.find(f"{SITEMAP}lastmod")
        files[location.removeprefix("http://testserver")] = (
            lastmod.text if lastmod is not None else None
        )
    return files


def sitemap_urls(client, path):
    """The addresses one sitemap file lists, with their lastmod."""
    response = client.get(path)
    assert response.status_code == 200, path
    root = ET.fromstring(response.content)
    return {
        url.find(f"{SITEMAP}loc").text: getattr(url.find(f"{SITEMAP}lastmod"), "text", None)
        for url in root.iter(f"{SITEMAP}url")
    }


def test_the_sitemap_lists_published_articles_with_dates(client, articles):
    locations = {}
    for path in sitemap_files(client):
        locations.update(sitemap_urls(client, path))
    assert "http://testserver/kb/backend-down/" in locations
    assert locations["http://testserver/kb/backend-down/"]  # its lastmod
    assert "http://testserver/kb/gone/" not in locations
    assert "http://testserver/" in locations
    assert "http://testserver/kb/tags/nginx/" in locations
    assert "http://testserver/kb/categories/causes/" in locations
    assert "http://testserver/kb/categories/basics/" not in locations  # nothing published
    # Outcome pages are stable addresses for a cause, and searched for as such.
    assert "http://testserver/troubleshoot/cause/backend-down/" in locations
    assert not any("/troubleshoot/?" in location for location in locations)


def test_the_sitemap_index_splits_a_long_section_into_pages(client, content, monkeypatch):
    from kb.models import Version
    from kb.sitemaps import ArticleSitemap

    for number in range(5):
        content.write(f"case-{number}", title=f"Case {number}")
    content.load()
    monkeypatch.setattr(ArticleSitemap, "limit", 2)

    files = sitemap_files(client)
    pages = [path for path in files if path.startswith("/sitemap-articles.xml")]
    assert pages == [
        "/sitemap-articles.xml",
        "/sitemap-articles.xml?p=2",
        "/sitemap-articles.xml?p=3",
    ]
    # The index says when each file last changed, so a crawler reads only those.
    assert files["/sitemap-articles.xml"] and files["/sitemap-articles.xml?p=3"]
    listed = {}
    for path in pages:
        listed.update(sitemap_urls(client, path))
    assert sorted(listed) == [f"http://testserver/kb/case-{number}/" for number in range(5)]
    newest = Version.objects.latest("created_at").created_at
    assert files["/sitemap-articles.xml"] == newest.isoformat()
    assert max(listed.values()) == newest.date().isoformat()
    assert client.get("/sitemap-articles.xml?p=4").status_code == 404
    assert client.get("/sitemap-articles.xml?p=abc").status_code == 404
    assert client.get("/sitemap-nonsense.xml").status_code == 404


def test_a_sitemap_file_lists_what_the_last_content_load_published(client, content, monkeypatch):
    """A file is kept between requests, so it must be written again after a load."""
    from kb.sitemaps import ArticleSitemap

    monkeypatch.setattr(ArticleSitemap, "limit", 3)

    def listed(path):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Type"] == "application/xml"
        root = ET.fromstring(response.content)  # well-formed XML, or this raises
        assert root.tag == f"{SITEMAP}urlset"
        urls = list(root.iter(f"{SITEMAP}url"))
        assert all(url.find(f"{SITEMAP}lastmod") is not None for url in urls)
        return [url.find(f"{SITEMAP}loc").text.removeprefix("http://testserver") for url in urls]

    for number in range(4):
        content.write(f"case-{number}", title=f"Case {number}")
    content.load()
    assert listed("/sitemap-articles.xml?p=2") == ["/kb/case-3/"]
    assert listed("/sitemap-articles.xml?p=2") == ["/kb/case-3/"]  # as kept

    content.write("case-4", title="Case 4")
    content.load()
    assert listed("/sitemap-articles.xml?p=2") == ["/kb/case-3/", "/kb/case-4/"]

    content.remove("case-0")
    content.load()
    assert listed("/sitemap-articles.xml") == ["/kb/case-1/", "/kb/case-2/", "/kb/case-3/"]
    assert listed("/sitemap-articles.xml?p=2") == ["/kb/case-4/"]


def test_the_sitemap_index_counts_rather_than_reads_the_articles(client, content):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from incidents import known

    for number in range(30):
        content.write(f"case-{number}", title=f"Case {number}", tags=["nginx", f"t{number}"])
    content.load()
    known.open_now()  # the known-problem notice reads the incidents once per process
    with CaptureQueriesContext(connection) as queries:
        sitemap_files(client)
    # Each section's size and newest change: counts and single rows, whatever the size.
    assert len(queries) <= 8
    for query in queries:
        assert "COUNT(" in query["sql"] or query["sql"].endswith("LIMIT 1"), query["sql"]


def test_robots_txt_keeps_crawlers_out_of_tickets_and_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Disallow: /tickets/" in lines and "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "public" in response["Cache-Control"]


@pytest.mark.parametrize(
    "url",
    ["/", "/kb/", "/kb/backend-down/", "/troubleshoot/", "/troubleshoot/cause/backend-down/",
     "/troubleshoot/map/", "/troubleshoot/diagnose/", "/search/?q=php", "/tickets/new/"],
)  # fmt: skip
def test_every_page_describes_itself_to_search_engines(client, real_content, url):
    import re

    html = client.get(url).content.decode()
    descriptions = re.findall(r'<meta name="description" content="([^"]+)">', html)
    assert len(descriptions) == 1 and len(descriptions[0]) > 40, descriptions


def test_times_carry_machine_readable_values_without_microseconds(client, real_content):
    import re

    html = client.get("/kb/backend-down/").content.decode()
    values = re.findall(r'<time datetime="([^"]+)"', html)
    assert values
    for value in values:
        assert re.fullmatch(r"\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d[+-]\d{4})?", value), value


def test_the_atom_feed_lists_each_new_version_with_its_change_note(client, articles):
    response = client.get("/kb/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    entries = root.findall(f"{ATOM}entry")
    titles = [entry.find(f"{ATOM}title").text for entry in entries]
    assert "The backend is down (version 2)" in titles
    assert "The backend is down (version 1)" in titles
    newest = entries[0]
    assert newest.find(f"{ATOM}link").get("href") == "http://testserver/kb/backend-down/v2/"
    assert "Shorter." in newest.find(f"{ATOM}summary").text
