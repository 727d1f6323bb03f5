"""The pages as the Nu HTML Checker reads them (vnu.jar, from npm, run on Debian's
Java): no errors on any kind of page, in the states a visitor sees them."""

import copy
import datetime
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


def second_chart_version():
    """A version 2 of the flowchart with a change of every kind the comparison shows."""
    from troubleshooter.models import ChartVersion

    first = ChartVersion.objects.get(number=1)
    chart = copy.deepcopy(first.chart)
    questions = chart["questions"]
    questions[0]["question"] += " Now?"
    questions[0]["help"] += "\n\nOne more hint."
    questions[1]["answers"][0].update(next=questions[2]["id"], cause="")
    questions[1]["answers"][1]["label"] += " (or similar)"
    removed = questions[2]["answers"].pop()
    questions[3]["answers"].append({**removed, "key": "new-answer"})
    questions.append({**questions.pop(4), "id": "renamed-question"})
    outcomes = chart["outcomes"]
    slug, outcome = next(iter(outcomes.items()))
    outcomes[slug] = {
        **outcome,
        "title": outcome["title"] + " <b>",
        "text": outcome["text"] + "\nMore.",
    }
    outcomes["new-outcome"] = outcomes.pop(list(outcomes)[-1])
    ChartVersion.objects.create(
        number=2, content_hash="0" * 64, chart=chart, question_count=len(questions),
        outcome_count=len(outcomes), summary="Everything changed.", change_note="A <note>.",
    )  # fmt: skip


def pages(client):
    """(name, html) of one page of each kind, the way a visitor meets it."""
    from django.utils import timezone

    from incidents.models import Incident
    from troubleshooter import flowchart

    # A known problem is open, so every page carries its notice (and the first step its
    # box); a resolved one has a page of its own.
    now = timezone.now()
    opened = Incident.objects.create(
        title="Packet loss in Frankfurt", affected="VPSs in fra-2",
        description="A switch drops packets.\n\n- SSH is slow\n- sites time out",
    )  # fmt: skip
    resolved = Incident.objects.create(
        title="Slow disks", affected="VPSs in par-1", started=now - datetime.timedelta(days=2),
        resolved=now - datetime.timedelta(days=1),
    )  # fmt: skip
    chart = flowchart.get()
    second_chart_version()
    gets = [
        "/", "/kb/", "/kb/backend-down/", "/kb/rate-limited/", "/kb/backend-down/history/",
        "/kb/tags/nginx/", "/kb/categories/causes/", "/kb/categories/causes/?page=2",
        "/search/?q=php+socket", "/search/?q=nginx&page=2", "/search/?q=zzzz", "/troubleshoot/",
        "/troubleshoot/?code=502", "/troubleshoot/?code=502&log-502=refused",
        "/troubleshoot/map/", "/troubleshoot/diagnose/", "/tickets/new/", "/no-such-page/",
        "/troubleshoot/history/", "/troubleshoot/history/v1/", "/troubleshoot/history/v2/",
        "/troubleshoot/history/compare/?from=1&to=2", "/troubleshoot/history/compare/?from=x",
    ]  # fmt: skip
    gets += ["/incidents/", opened.get_absolute_url(), resolved.get_absolute_url()]
    gets += [outcome.get_absolute_url() for outcome in chart.outcomes.values()]
    for url in gets:
        response = client.get(url)
        assert response.status_code in (200, 400, 404), url
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
