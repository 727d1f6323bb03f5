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


def test_the_sitemap_lists_published_articles_with_dates(client, articles):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locations = [url.find(f"{ns}loc").text for url in root.iter(f"{ns}url")]
    assert "http://testserver/kb/backend-down/" in locations
    assert "http://testserver/kb/gone/" not in locations
    assert "http://testserver/" in locations
    assert "http://testserver/kb/tags/nginx/" in locations
    # Outcome pages are stable addresses for a cause, and searched for as such.
    assert "http://testserver/troubleshoot/cause/backend-down/" in locations
    assert not any("/troubleshoot/?" in location for location in locations)


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
