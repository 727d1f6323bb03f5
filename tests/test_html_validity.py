"""The pages as the Nu HTML Checker reads them (vnu.jar, from npm, run on Debian's
Java): no errors on any kind of page, in the states a visitor sees them."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[1]
VNU = BASE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LOG = (
    "2026/11/21 03:12:45 [error] 2211#2211: *4183 connect() failed (111: Connection refused) "
    'while connecting to upstream, client: 203.0.113.7, server: example.com, request: "GET / '
    'HTTP/1.1", upstream: "http://127.0.0.1:3000/", host: "example.com"'
)


def pages(client):
    """(name, html) of one page of each kind, the way a visitor meets it."""
    from troubleshooter import flowchart

    chart = flowchart.get()
    gets = [
        "/", "/kb/", "/kb/backend-down/", "/kb/rate-limited/", "/kb/backend-down/history/",
        "/kb/tags/nginx/", "/kb/categories/causes/", "/kb/categories/causes/?page=2",
        "/search/?q=php+socket", "/search/?q=zzzz", "/troubleshoot/",
        "/troubleshoot/?code=502", "/troubleshoot/?code=502&log-502=refused",
        "/troubleshoot/map/", "/troubleshoot/diagnose/", "/tickets/new/", "/no-such-page/",
    ]  # fmt: skip
    gets += [outcome.get_absolute_url() for outcome in chart.outcomes.values()]
    for url in gets:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        yield url, response.content.decode()
    posts = [
        ("/troubleshoot/diagnose/", {"log": LOG}),
        ("/tickets/new/", {"description": "<b>502</b>", "email": "not an address"}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        yield f"POST {url}", response.content.decode()


def test_every_kind_of_page_passes_the_nu_html_checker(client, real_content, tmp_path, monkeypatch):
    monkeypatch.setattr("kb.views.PER_PAGE", 10)  # a category in pages, with their links
    java = shutil.which("java")
    if not java:
        pytest.fail("Java is not installed: apt-get install default-jre-headless")
    if not VNU.exists():
        pytest.fail("vnu.jar is missing: npm ci")
    names = {}
    for n, (name, html) in enumerate(pages(client)):
        path = tmp_path / f"page{n}.html"
        path.write_text(html)
        names[f"file:{path}"] = name
    checked = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, sorted(tmp_path.glob("*.html")))],
        capture_output=True, text=True,
    )  # fmt: skip
    messages = json.loads(checked.stderr or checked.stdout or '{"messages": []}')["messages"]
    errors = [
        f"{names.get(m.get('url'), m.get('url'))}: line {m.get('lastLine')}: {m['message']} "
        f"[{m.get('extract', '').strip()[:100]}]"
        for m in messages
        if m.get("type") == "error"
    ]
    assert len(names) > 30
    assert not errors, "\n".join(errors)
