"""The known-problem notice: staff open an incident, every page names it at once, and it
goes when the incident is resolved, whether staff resolve it or its resolved time passes."""

import datetime
import re
import time

import pytest
from django.test import Client
from django.utils import timezone

from incidents.models import Incident
from tests.test_tickets import submit
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

NOTICE = re.compile(
    r'<aside class="known-problem" aria-label="Known problems?">(.*?)</aside>', re.S
)


def open_incident(**fields):
    values = {"title": "Packet loss in Frankfurt", "affected": "VPSs in fra-2"}
    values.update(fields)
    return Incident.objects.create(**values)


def notice(response):
    """The text of the known-problem notice on a page, or None without one."""
    found = NOTICE.search(response.content.decode())
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else None


def clock(moment):
    return f"{timezone.localtime(moment):%H:%M}"


def admin_values(incident, **changes):
    started = timezone.localtime(incident.started)
    values = {
        "title": incident.title,
        "affected": incident.affected,
        "started_0": f"{started:%Y-%m-%d}",
        "started_1": f"{started:%H:%M:%S}",
        "resolved_0": "",
        "resolved_1": "",
        "description": incident.description,
    }
    values.update(changes)
    return values


@pytest.fixture
def visitor():
    """An anonymous visitor, apart from the signed-in agent (whose pages are never cached)."""
    return Client()


# The notice on every page ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/kb/",
        "/kb/backend-down/",
        "/troubleshoot/",
        "/troubleshoot/?code=502",
        "/troubleshoot/cause/backend-down/",
        "/search/?q=php+socket",
        "/tickets/new/",
        "/incidents/",
        "/kb/no-such-article/",
    ],
)
def test_it_names_an_open_incident_first_on_every_page(visitor, real_content, url):
    incident = open_incident()
    response = visitor.get(url)
    assert response.status_code in (200, 404)
    since = clock(incident.started)
    assert notice(response) == (
        f"Known problem: Packet loss in Frankfurt — VPSs in fra-2, since {since}. What we know"
    )
    html = response.content.decode()
    body = html[html.index(">", html.index("<body")) + 1 :].lstrip()
    # The skip link, then the notice, then everything else.
    assert body.startswith('<a class="skip-link" href="#main">Skip to content</a>')
    assert body.index('<aside class="known-problem"') < body.index('<header class="site-header">')
    assert f'<a href="/incidents/{incident.pk}/">What we know</a>' in html


def test_there_is_no_notice_without_an_open_incident(visitor, real_content):
    now = timezone.now()
    open_incident(title="Over", started=now - datetime.timedelta(hours=3), resolved=now)
    open_incident(title="Planned", started=now + datetime.timedelta(hours=1))
    for url in ("/", "/kb/backend-down/", "/troubleshoot/"):
        assert notice(visitor.get(url)) is None, url


def test_an_incident_from_an_earlier_day_gives_its_date(visitor):
    started = timezone.now() - datetime.timedelta(days=2)
    open_incident(started=started)
    local = timezone.localtime(started)
    assert f"since {local.day} {local:%b}, {local:%H:%M}." in notice(visitor.get("/"))


def test_several_open_incidents_are_all_named(visitor):
    open_incident(title="Packet loss in Frankfurt")
    open_incident(title="Slow disks in Paris", affected="VPSs in par-1")
    text = notice(visitor.get("/"))
    assert "Packet loss in Frankfurt" in text and "Slow disks in Paris" in text
    assert 'aria-label="Known problems"' in visitor.get("/troubleshoot/").content.decode()


def test_the_first_step_of_the_troubleshooter_asks_to_check_it_before_anything_else(visitor):
    incident = open_incident()
    html = visitor.get("/troubleshoot/").content.decode()
    step = html[html.index('<div id="step"') :]
    box = step.index('<div class="step-known-problem">')
    assert box < step.index('<h1 id="question-title"')
    assert "Before anything else: we know of a problem on our side right now." in step
    assert (
        f"<strong>Known problem: Packet loss in Frankfurt — VPSs in fra-2, since "
        f"{clock(incident.started)}</strong>"
    ) in step
    # The same step swapped in by htmx ("Start over") carries it too.
    fragment = visitor.get("/troubleshoot/", headers={"HX-Request": "true"}).content.decode()
    assert "step-known-problem" in fragment
    # Later steps leave it to the notice on top.
    assert "step-known-problem" not in visitor.get("/troubleshoot/?code=502").content.decode()


# Caching ----------------------------------------------------------------------------------


@pytest.mark.cache
def test_opening_an_incident_in_the_admin_shows_it_on_cached_pages_at_once(
    visitor, agent_client, real_content
):
    for url in ("/incidents/", "/kb/backend-down/", "/troubleshoot/"):
        visitor.get(url)
        cached = visitor.get(url)
        assert cached["X-Page-Cache"] == "hit", url
        assert notice(cached) is None
    started = timezone.now() - datetime.timedelta(minutes=5)
    new = Incident(title="Packet loss in Frankfurt", affected="VPSs in fra-2", started=started)
    response = agent_client.post("/admin/incidents/incident/add/", admin_values(new))
    assert response.status_code == 302
    for url in ("/incidents/", "/kb/backend-down/", "/troubleshoot/"):
        assert "Packet loss in Frankfurt" in notice(visitor.get(url)), url


@pytest.mark.cache
def test_editing_an_incident_shows_the_new_text_at_once(visitor, agent_client):
    incident = open_incident()
    visitor.get("/troubleshoot/")
    assert visitor.get("/troubleshoot/")["X-Page-Cache"] == "hit"
    changed = admin_values(incident, title="Packet loss in Frankfurt and Amsterdam")
    agent_client.post(f"/admin/incidents/incident/{incident.pk}/change/", changed)
    assert "Frankfurt and Amsterdam" in notice(visitor.get("/troubleshoot/"))


@pytest.mark.cache
def test_resolving_in_the_admin_form_hides_it_on_cached_pages_at_once(visitor, agent_client):
    incident = open_incident(started=timezone.now() - datetime.timedelta(hours=1))
    visitor.get("/troubleshoot/")
    cached = visitor.get("/troubleshoot/")
    assert cached["X-Page-Cache"] == "hit" and notice(cached) is not None
    now = timezone.localtime()
    resolved = admin_values(incident, resolved_0=f"{now:%Y-%m-%d}", resolved_1=f"{now:%H:%M:%S}")
    response = agent_client.post(f"/admin/incidents/incident/{incident.pk}/change/", resolved)
    assert response.status_code == 302
    assert notice(visitor.get("/troubleshoot/")) is None


@pytest.mark.cache
def test_the_mark_resolved_now_action_hides_it_on_cached_pages_at_once(visitor, agent_client):
    incident = open_incident()
    visitor.get("/troubleshoot/")
    cached = visitor.get("/troubleshoot/")
    assert cached["X-Page-Cache"] == "hit" and notice(cached) is not None
    response = agent_client.post(
        "/admin/incidents/incident/",
        {"action": "mark_resolved_now", "_selected_action": [incident.pk]},
        follow=True,
    )
    assert "Resolved 1 incident." in response.content.decode()
    incident.refresh_from_db()
    assert incident.resolved is not None
    assert notice(visitor.get("/troubleshoot/")) is None
    assert "step-known-problem" not in visitor.get("/troubleshoot/").content.decode()


@pytest.mark.cache
def test_deleting_an_incident_hides_it_at_once(visitor):
    incident = open_incident()
    visitor.get("/troubleshoot/")
    cached = visitor.get("/troubleshoot/")
    assert cached["X-Page-Cache"] == "hit" and notice(cached) is not None
    incident.delete()
    assert notice(visitor.get("/troubleshoot/")) is None


@pytest.mark.cache
def test_the_notice_goes_when_its_resolved_time_passes_without_anybody_saving(visitor):
    resolved = timezone.now() + datetime.timedelta(seconds=1.5)
    open_incident(started=timezone.now() - datetime.timedelta(hours=1), resolved=resolved)
    visitor.get("/troubleshoot/")
    cached = visitor.get("/troubleshoot/")
    assert cached["X-Page-Cache"] == "hit" and notice(cached) is not None
    time.sleep(max(0.0, (resolved - timezone.now()).total_seconds()) + 0.1)
    after = visitor.get("/troubleshoot/")
    assert notice(after) is None
    # The incident's own page now says it is resolved, too.
    assert "Resolved" in visitor.get(f"/incidents/{Incident.objects.get().pk}/").content.decode()


@pytest.mark.cache
def test_the_notice_comes_when_a_planned_start_arrives(visitor):
    open_incident(started=timezone.now() + datetime.timedelta(seconds=1))
    visitor.get("/troubleshoot/")
    cached = visitor.get("/troubleshoot/")
    assert cached["X-Page-Cache"] == "hit" and notice(cached) is None
    time.sleep(1.1)
    assert notice(visitor.get("/troubleshoot/")) is not None


@pytest.mark.cache
def test_an_article_revalidated_by_its_etag_gets_the_notice(visitor, real_content):
    first = visitor.get("/kb/backend-down/")
    etag = first["ETag"]
    assert visitor.get("/kb/backend-down/", headers={"If-None-Match": etag}).status_code == 304
    open_incident()
    again = visitor.get("/kb/backend-down/", headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert notice(again) is not None


@pytest.mark.cache
def test_a_cached_page_asks_the_database_nothing_while_an_incident_is_open(
    visitor, real_content, django_assert_num_queries
):
    open_incident()
    visitor.get("/kb/backend-down/")
    with django_assert_num_queries(0):
        cached = visitor.get("/kb/backend-down/")
    assert cached["X-Page-Cache"] == "hit"
    assert notice(cached) is not None


@pytest.mark.cache
def test_the_notice_asks_the_database_once_then_reads_the_cache(
    visitor, settings, django_assert_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0
    visitor.get("/troubleshoot/")  # the chart learns which stored version it is, once
    open_incident()
    with django_assert_num_queries(1):  # the incidents, read once into the cache
        assert notice(visitor.get("/troubleshoot/")) is not None
    with django_assert_num_queries(0):
        assert notice(visitor.get("/troubleshoot/")) is not None


# The incident's pages -----------------------------------------------------------------------


def test_the_incident_page_shows_what_we_know(visitor):
    incident = open_incident(
        started=timezone.now() - datetime.timedelta(hours=2),
        description="A switch in **fra-2** drops packets.\n\n- SSH is slow\n- sites time out",
    )
    response = visitor.get(f"/incidents/{incident.pk}/")
    html = response.content.decode()
    assert "<h1>Packet loss in Frankfurt</h1>" in html
    assert "<p>A switch in <strong>fra-2</strong> drops packets.</p>" in html
    assert "<li>SSH is slow</li>" in html
    started = timezone.localtime(incident.started)
    assert f"{started.day} {started:%B %Y, %H:%M}" in html
    assert "<strong>Open:</strong> we are working on it." in html
    assert "Resolved" not in html


def test_the_incident_page_says_when_it_was_resolved(visitor):
    now = timezone.now()
    incident = open_incident(started=now - datetime.timedelta(hours=2), resolved=now)
    html = visitor.get(f"/incidents/{incident.pk}/").content.decode()
    resolved = timezone.localtime(now)
    assert f'Resolved <time datetime="{resolved:%Y-%m-%dT%H:%M:%S%z}">' in html
    assert f"{resolved.day} {resolved:%B %Y, %H:%M}" in html
    assert "we are working on it" not in html


@pytest.mark.parametrize("path", ["/incidents/999/", "/incidents/99999999999999999999999/"])
def test_an_unknown_incident_is_not_found(visitor, path):
    assert visitor.get(path).status_code == 404


def test_a_planned_incident_has_no_page_before_it_starts(visitor):
    incident = open_incident(started=timezone.now() + datetime.timedelta(hours=1))
    assert visitor.get(f"/incidents/{incident.pk}/").status_code == 404
    assert "Packet loss" not in visitor.get("/incidents/").content.decode()


def test_the_list_shows_open_incidents_first(visitor):
    now = timezone.now()
    open_incident(title="Old and open", started=now - datetime.timedelta(days=3))
    open_incident(
        title="Recent and resolved",
        started=now - datetime.timedelta(hours=2),
        resolved=now - datetime.timedelta(hours=1),
    )
    html = visitor.get("/incidents/").content.decode()
    assert html.index("Old and open") < html.index("Recent and resolved")
    assert '<span class="chip chip-open">open</span>' in html
    assert '<span class="chip">resolved</span>' in html


def test_markup_in_an_incident_is_shown_as_text(visitor):
    incident = open_incident(
        title="<script>alert(1)</script>",
        affected='<img src=x onerror="alert(2)">',
        description='<script>alert(3)</script>\n\n<a href="javascript:alert(4)">x</a> *fine*',
    )
    for url in ("/", "/troubleshoot/", f"/incidents/{incident.pk}/", "/incidents/"):
        html = visitor.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
    detail = visitor.get(f"/incidents/{incident.pk}/").content.decode()
    assert "alert(3)" not in detail
    assert "javascript:" not in detail
    assert "<em>fine</em>" in detail


# Tickets --------------------------------------------------------------------------------------


def test_a_ticket_sent_during_an_incident_is_tagged_with_it(
    client, django_capture_on_commit_callbacks
):
    incident = open_incident()
    response = submit(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert Ticket.objects.get().incident == incident


def test_a_ticket_sent_after_it_is_resolved_is_not_tagged(
    client, django_capture_on_commit_callbacks
):
    now = timezone.now()
    open_incident(started=now - datetime.timedelta(hours=2), resolved=now)
    submit(client, django_capture_on_commit_callbacks)
    assert Ticket.objects.get().incident is None


def test_the_ticket_form_names_the_incident(client):
    open_incident()
    assert "Packet loss in Frankfurt" in notice(client.get("/tickets/new/"))


def test_the_agent_sees_the_incident_on_the_ticket_and_in_the_queue(
    visitor, agent_client, django_capture_on_commit_callbacks
):
    incident = open_incident(started=timezone.now() - datetime.timedelta(minutes=30))
    submit(visitor, django_capture_on_commit_callbacks)
    ticket = Ticket.objects.get()
    other = Ticket.objects.create(
        vps="vps-1", domain="example.org", error="502", docker="no", email="a@example.com",
        description="Before the incident.", submission="other",
    )  # fmt: skip
    Ticket.objects.filter(pk=other.pk).update(incident=None)  # as if sent before it
    page = agent_client.get(f"/admin/tickets/ticket/{ticket.pk}/change/").content.decode()
    started = timezone.localtime(incident.started)
    text = (
        f"Known problem: Packet loss in Frankfurt — VPSs in fra-2, since "
        f"{started.day} {started:%b}, {started:%H:%M}"
    )
    assert f'<p class="ticket-incident"><strong>{text}</strong> (still open)' in page
    # First on the page, above the ticket's own fields.
    assert page.index("ticket-incident") < page.index("Internal note")
    queue = agent_client.get("/admin/tickets/ticket/").content.decode()
    assert '<strong class="ticket-incident-chip">Packet loss in Frankfurt</strong>' in queue
    during = agent_client.get("/admin/tickets/ticket/?incident=any").content.decode()
    assert ticket.reference in during and other.reference not in during
    outside = agent_client.get("/admin/tickets/ticket/?incident=none").content.decode()
    assert ticket.reference not in outside and other.reference in outside
    by_incident = agent_client.get(f"/admin/tickets/ticket/?incident={incident.pk}")
    assert ticket.reference in by_incident.content.decode()
    for odd in ("9" * 30, "\u0661\u0662", "x"):
        assert agent_client.get("/admin/tickets/ticket/", {"incident": odd}).status_code == 200


def test_a_ticket_without_an_incident_shows_no_notice_to_the_agent(
    visitor, agent_client, django_capture_on_commit_callbacks
):
    submit(visitor, django_capture_on_commit_callbacks)
    page = agent_client.get(f"/admin/tickets/ticket/{Ticket.objects.get().pk}/change/")
    assert "ticket-incident" not in page.content.decode()


def test_staff_filter_incidents_by_state(agent_client):
    now = timezone.now()
    open_incident(title="Still going")
    open_incident(title="All over", started=now - datetime.timedelta(hours=1), resolved=now)
    opened = agent_client.get("/admin/incidents/incident/?state=open").content.decode()
    assert "Still going" in opened and "All over" not in opened
    resolved = agent_client.get("/admin/incidents/incident/?state=resolved").content.decode()
    assert "All over" in resolved and "Still going" not in resolved


def test_a_date_filter_beyond_any_calendar_gets_the_admins_own_answer(agent_client):
    response = agent_client.get(f"/admin/incidents/incident/?started__year={'9' * 38}")
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")
