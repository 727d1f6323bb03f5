"""The ticket form: pre-filled from where the customer was, validated helpfully, saved once."""

import datetime
import html as html_module
import json
import re
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.core import mail

from kb.models import Version
from tests.samples import SOCKET_LINE as LOG
from tickets.models import OutboundEmail, Ticket

pytestmark = pytest.mark.django_db


def form_values(client, url="/tickets/new/", **overrides):
    """The values a filled-in form posts, starting from what the page pre-filled."""
    response = client.get(url)
    form = response.context["form"]
    values = {name: form.initial.get(name, "") for name in form.fields}
    values.update(
        error="502", domain="example.com", vps="vps-104233", docker="no", log=LOG,
        description="The site shows 502 since this morning's PHP upgrade.", email="owner@example.com",
        website="",
    )  # fmt: skip
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def submit(client, django_capture_on_commit_callbacks, **overrides):
    values = form_values(client, **overrides)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/tickets/new/", values)


# Pre-filled from where the customer was ----------------------------------------------------


def test_it_is_prefilled_from_an_outcome_page(client):
    path = "code=502&log-502=refused&backend-running=docker&same-network=no"
    outcome = client.get(f"/troubleshoot/cause/docker-network/?{path}").content.decode()
    link = re.search(r'href="(/tickets/new/\?[^"]+)"', outcome).group(1).replace("&amp;", "&")
    response = client.get(link)
    form = response.context["form"]
    assert form.initial["error"] == "502"
    assert form.initial["docker"] == "yes"
    assert form.initial["outcome"] == "docker-network"
    assert form.initial["path"] == path
    html = response.content.decode()
    assert "Sent with your ticket" in html
    assert "Are the proxy and the app containers on the same Docker network?" in html
    assert '<input type="radio" name="error" value="502" id="id_error_0" required checked>' in html


def test_it_is_prefilled_from_a_diagnosis_without_the_log_in_the_url(client):
    page = client.post("/troubleshoot/diagnose/", {"log": LOG}).content.decode()
    form = re.search(
        r'<form method="post" action="/tickets/new/" class="ticket-carry">(.*?)</form>', page, re.S
    ).group(1)
    assert 'name="action" value="prefill"' in form
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    response = client.post(
        "/tickets/new/",
        {k: v.replace("&quot;", '"') for k, v in fields.items() if k != "csrfmiddlewaretoken"},
    )
    assert response.status_code == 200
    assert response.context["form"].initial["log"] == LOG
    assert response.context["form"].initial["outcome"] == "wrong-upstream-address"
    assert not Ticket.objects.exists()
    assert "/run/php/php8.1-fpm.sock" not in response.request["QUERY_STRING"]


def test_it_is_prefilled_from_an_article(client, content):
    content.write("backend-down", title="The backend is down")
    content.load()
    version = Version.objects.get()
    response = client.get(f"/tickets/new/?article_version={version.pk}")
    assert response.context["form"].initial["article_version"] == str(version.pk)
    assert "The backend is down, version 1" in response.content.decode()


def test_the_outcome_the_path_and_the_article_are_saved(
    client, content, django_capture_on_commit_callbacks
):
    content.write("backend-down")
    content.load()
    version = Version.objects.get()
    submit(
        client, django_capture_on_commit_callbacks,
        path="code=502&log-502=no-such-file&socket-missing=other-name", outcome="wrong-upstream-address",
        article_version=version.pk,
    )  # fmt: skip
    ticket = Ticket.objects.get()
    assert ticket.path == "code=502&log-502=no-such-file&socket-missing=other-name"
    assert ticket.outcome == "wrong-upstream-address"
    assert ticket.article_version == version
    assert ticket.diagnosed_cause == "wrong-upstream-address"


def test_a_tampered_path_is_kept_only_as_far_as_it_is_real(
    client, django_capture_on_commit_callbacks
):
    submit(
        client,
        django_capture_on_commit_callbacks,
        path="code=502&bogus=1&log-502=nope",
        outcome="no-such",
    )
    ticket = Ticket.objects.get()
    assert ticket.path == "code=502"
    assert ticket.outcome == ""


# Validation that helps -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("example.com", "example.com"),
        ("https://Example.COM/", "example.com"),
        ("http://www.example.com/shop/?page=2", "www.example.com"),
        ("example.com.", "example.com"),
        ("example.com:8443", "example.com"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("https://bücher.example/", "xn--bcher-kva.example"),
        ("203.0.113.10", "203.0.113.10"),
        ("http://[2001:db8::10]/", "2001:db8::10"),
    ],
)
def test_the_domain_is_accepted_in_its_common_forms(
    client, django_capture_on_commit_callbacks, typed, stored
):
    submit(client, django_capture_on_commit_callbacks, domain=typed)
    assert Ticket.objects.get().domain == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("vps-104233", "vps-104233"),
        ("VPS 104233", "vps-104233"),
        ("104233", "vps-104233"),
        ("203.0.113.10", "203.0.113.10"),
        ("2001:DB8:0:0::10", "2001:db8::10"),
    ],
)
def test_the_vps_is_an_identifier_or_an_address(
    client, django_capture_on_commit_callbacks, typed, stored
):
    submit(client, django_capture_on_commit_callbacks, vps=typed)
    assert Ticket.objects.get().vps == stored


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"domain": "not a domain"}, "domain", "Enter a domain such as example.com"),
        ({"domain": "localhost"}, "domain", "Enter a domain such as example.com"),
        ({"domain": ""}, "domain", "Enter the domain of the site that shows the error"),
        ({"vps": "my server"}, "vps", "Enter your VPS's identifier as shown in the client area"),
        ({"vps": "999.1.1.1"}, "vps", "Enter your VPS's identifier"),
        ({"email": "owner@"}, "email", "Enter an email address in the form name@example.com."),
        ({"log": ""}, "log", "For a 502, 503 or 504, paste the matching line"),
        ({"log": "x" * 20_001}, "log", "The log is 20,001 characters; the limit is 20,000."),
        (
            {"description": "y" * 5_001},
            "description",
            "This is 5,001 characters; the limit is 5,000.",
        ),
        ({"description": ""}, "description", "Say what happened and what you have tried"),
        ({"error": "418"}, "error", "Choose what the browser shows"),
        ({"docker": None}, "docker", "Choose whether the site runs in Docker"),
    ],
)
def test_each_problem_is_shown_next_to_its_field_and_everything_typed_is_kept(
    client, overrides, field, message
):
    values = form_values(client, **overrides)
    values.update(description=values.get("description", "x"), domain=values.get("domain", ""))
    if "description" in overrides:
        values["description"] = overrides["description"]
    response = client.post("/tickets/new/", values)
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(
        rf'<p class="field-error" id="id_{field}(?:_\d)?_error">(.*?)</p>', html, re.S
    )
    assert error and message in html_module.unescape(error.group(1)), html[:3000]
    # The summary at the top lists the problem as a link to its field, and says so in
    # the page title too.
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    link = re.search(rf'<a href="#id_{field}(_0)?">(.*?)</a>', summary)
    assert link and message in html_module.unescape(link.group(2)), summary
    assert f'id="id_{field}{link.group(1) or ""}"' in html
    assert "<title>Error: check your ticket" in html
    assert "Everything you typed is still in the form" in html
    if field != "email":
        assert 'value="owner@example.com"' in html
    if field != "log":
        assert "/run/php/php8.1-fpm.sock" in html
    assert not Ticket.objects.exists()


def test_no_log_is_needed_when_the_customer_cannot_get_it(
    client, django_capture_on_commit_callbacks
):
    submit(client, django_capture_on_commit_callbacks, log="", log_unavailable="on")
    assert Ticket.objects.get().log_unavailable


def test_no_log_is_needed_for_other_errors(client, django_capture_on_commit_callbacks):
    submit(client, django_capture_on_commit_callbacks, log="", error="other")
    assert Ticket.objects.exists()


# Saving and telling --------------------------------------------------------------------------


def test_it_saves_the_ticket_and_sends_both_emails(client, django_capture_on_commit_callbacks):
    response = submit(client, django_capture_on_commit_callbacks)
    ticket = Ticket.objects.get()
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", ticket.reference)
    assert response.status_code == 302
    assert response["Location"] == ticket.get_status_url() + "?sent=1"
    assert sorted(m.to[0] for m in mail.outbox) == ["owner@example.com", "support@example.com"]
    confirmation = next(m for m in mail.outbox if m.to == ["owner@example.com"])
    assert ticket.reference in confirmation.subject
    assert f"http://testserver{ticket.get_status_url()}" in confirmation.body
    support = next(m for m in mail.outbox if m.to == ["support@example.com"])
    assert LOG in support.body
    assert support.reply_to == ["owner@example.com"]
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_the_page_after_sending_confirms_it_and_says_what_happens_next(
    client, django_capture_on_commit_callbacks, settings
):
    settings.TICKET_REPLY_HOURS = 8
    response = submit(client, django_capture_on_commit_callbacks)
    ticket = Ticket.objects.get()
    html = client.get(response["Location"]).content.decode()
    assert "<h1>Ticket sent</h1>" in html
    assert f'<strong class="reference">{ticket.reference}</strong>' in html
    assert "What happens next" in html and "within 8 hours" in html
    assert 'href="/"' in html and 'href="/troubleshoot/"' in html
    # Opened later from the email, the page is the ticket's, without the confirmation.
    later = client.get(ticket.get_status_url()).content.decode()
    assert "Ticket sent" not in later and f"<h1>Ticket {ticket.reference}</h1>" in later


def test_references_cannot_be_guessed_from_one_another(
    client, settings, django_capture_on_commit_callbacks
):
    settings.TICKETS_PER_HOUR = 100
    for n in range(12):
        submit(client, django_capture_on_commit_callbacks, domain=f"site{n}.example.com")
    references = list(Ticket.objects.order_by("created_at").values_list("reference", flat=True))
    assert len(set(references)) == 12
    # Eight characters of a 32-letter alphabet without I, L, O or U, read out easily.
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", r) for r in references)
    # Not a counter: twelve random references come in creation order once in 479 million.
    assert references != sorted(references)
    # Nor one in disguise: consecutive references differ in more than their last place.
    assert all(a[:-1] != b[:-1] for a, b in zip(references, references[1:], strict=False))


@pytest.mark.reliability("Concurrency", "double submits and 32 tickets at once")
def test_a_double_submit_makes_one_ticket(client, django_capture_on_commit_callbacks):
    values = form_values(client)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/tickets/new/", values)
        second = client.post("/tickets/new/", values)
    assert Ticket.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert len(mail.outbox) == 2


@pytest.mark.cache
def test_posting_too_often_is_refused_with_a_clear_message(
    client, settings, django_capture_on_commit_callbacks
):
    settings.TICKETS_PER_HOUR = 2
    for n in range(2):
        submit(client, django_capture_on_commit_callbacks, domain=f"site{n}.example.com")
    response = client.post("/tickets/new/", form_values(client, domain="third.example.com"))
    assert response.status_code == 429
    html = response.content.decode()
    assert "several tickets from your address in the last hour" in html
    assert 'value="third.example.com"' in html
    assert Ticket.objects.count() == 2


def test_a_tampered_article_version_is_an_error_not_a_crash(client):
    response = client.post("/tickets/new/", form_values(client, article_version="abc", domain=""))
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_the_honeypot_stops_a_bot(client):
    response = client.post("/tickets/new/", form_values(client, website="http://spam.example"))
    assert response.status_code == 400
    assert "filled in automatically" in response.content.decode()
    assert not Ticket.objects.exists()


# The customer's private link -----------------------------------------------------------------


@pytest.mark.reliability(
    "Secrets", "ticket signatures in the request log, nginx's access log and the journal"
)
def test_the_private_link_shows_the_ticket_and_stays_private(
    client, django_capture_on_commit_callbacks
):
    response = submit(client, django_capture_on_commit_callbacks)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    html = page.content.decode()
    ticket = Ticket.objects.get()
    assert ticket.reference in html
    assert "New" in html


def test_a_wrong_token_or_another_tickets_token_finds_nothing(
    client, settings, django_capture_on_commit_callbacks
):
    settings.TICKETS_PER_HOUR = 10
    submit(client, django_capture_on_commit_callbacks, domain="one.example.com")
    submit(client, django_capture_on_commit_callbacks, domain="two.example.com")
    one, two = Ticket.objects.order_by("created_at")
    assert client.get(f"/tickets/{one.reference}/{two.status_token}/").status_code == 404
    assert client.get(f"/tickets/{one.reference}/nonsense/").status_code == 404
    assert client.get(f"/tickets/ABCD-EFGH/{one.status_token}/").status_code == 404


def test_staff_notes_never_reach_the_customer(client, django_capture_on_commit_callbacks):
    response = submit(client, django_capture_on_commit_callbacks)
    Ticket.objects.update(internal_note="Customer is on the old plan", status="waiting")
    html = client.get(response["Location"]).content.decode()
    assert "old plan" not in html
    assert "Waiting on customer" in html


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.mark.reliability(
    "Escaping", "markup typed into search and every ticket field, shown everywhere"
)
def test_html_in_every_field_is_shown_escaped_everywhere(
    client, agent, django_capture_on_commit_callbacks
):
    response = submit(
        client, django_capture_on_commit_callbacks,
        log=LOG + "\n" + HOSTILE, description=HOSTILE, error="other",
    )  # fmt: skip
    ticket = Ticket.objects.get()
    pages = [client.get(response["Location"]).content.decode()]
    client.force_login(agent)
    pages.append(client.get("/admin/tickets/ticket/").content.decode())
    pages.append(client.get(f"/admin/tickets/ticket/{ticket.pk}/change/").content.decode())
    for html in pages:
        assert "<script>alert" not in html
        assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in pages[2]
    bad = client.post(
        "/tickets/new/",
        form_values(client, domain=HOSTILE, vps=HOSTILE, email=HOSTILE, log=HOSTILE),
    )
    assert "<script>alert" not in bad.content.decode()


# The staff side -------------------------------------------------------------------------------


def test_the_queue_lists_newest_first_with_filters(
    client, agent, settings, django_capture_on_commit_callbacks
):
    settings.TICKETS_PER_HOUR = 10
    submit(client, django_capture_on_commit_callbacks, domain="old.example.com")
    submit(
        client,
        django_capture_on_commit_callbacks,
        domain="new.example.com",
        error="503",
        docker="yes",
    )
    client.force_login(agent)
    html = client.get("/admin/tickets/ticket/").content.decode()
    assert html.index("new.example.com") < html.index("old.example.com")
    for query in (
        "status__exact=new",
        "error__exact=503",
        "docker__exact=yes",
        "diagnosed_cause__exact=wrong-upstream-address",
        "q=new.example",
    ):
        assert client.get(f"/admin/tickets/ticket/?{query}").status_code == 200, query
    filtered = client.get("/admin/tickets/ticket/?error__exact=503").content.decode()
    assert "new.example.com" in filtered
    assert "old.example.com" not in filtered


def _queued(**fields):
    values = {"vps": "vps-104233", "domain": "example.com", "error": "502", "docker": "no",
              "email": "owner@example.com", "description": "Down."}  # fmt: skip
    return Ticket.objects.create(**{**values, "submission": fields["domain"], **fields})


def test_the_queue_says_how_long_each_customer_has_waited_and_sorts_by_it(agent_client):
    from django.utils import timezone

    now = timezone.now()
    _queued(domain="hours.example.com", created_at=now - datetime.timedelta(hours=3, minutes=5))
    _queued(domain="minutes.example.com", created_at=now - datetime.timedelta(minutes=7))
    _queued(domain="done.example.com", status="resolved")
    html = agent_client.get("/admin/tickets/ticket/").content.decode()
    assert "waiting 3\xa0hours" in html
    assert "waiting 7\xa0minutes" in html
    assert html.count(">waiting ") == 2  # a resolved ticket waits for nobody
    # Sorted by the first column, the longest wait comes first.
    longest = agent_client.get("/admin/tickets/ticket/?o=1").content.decode()
    assert longest.index("hours.example.com") < longest.index("minutes.example.com")


def test_the_queue_flags_a_log_and_a_walk_that_name_different_causes(agent_client):
    _queued(domain="split.example.com", log="line", diagnosed_cause="socket-permission",
            outcome="wrong-upstream-address")  # fmt: skip
    _queued(domain="same.example.com", log="line", diagnosed_cause="disk-full", outcome="disk-full")
    html = agent_client.get("/admin/tickets/ticket/").content.decode()
    assert (
        '<strong class="ticket-disagree">They disagree</strong><br>'
        '<span class="ticket-log-state">log: socket-permission</span><br>'
        "flowchart: wrong-upstream-address"
    ) in html
    assert html.count('class="ticket-disagree"') == 1
    flagged = agent_client.get("/admin/tickets/ticket/?disagree=yes").content.decode()
    assert "split.example.com" in flagged and "same.example.com" not in flagged
    agreeing = agent_client.get("/admin/tickets/ticket/?disagree=no").content.decode()
    assert "same.example.com" in agreeing and "split.example.com" not in agreeing


def test_the_queue_says_in_plain_words_whether_the_log_came(agent_client):
    _queued(domain="cannot.example.com", log_unavailable=True)
    _queued(domain="sent.example.com", log="connect() failed (111: Connection refused)")
    _queued(domain="none.example.com")
    html = agent_client.get("/admin/tickets/ticket/").content.decode()
    assert "log: customer cannot get it" in html
    assert "log: no known cause" in html
    assert "log: not sent" in html
    cannot = agent_client.get("/admin/tickets/ticket/?log=cannot").content.decode()
    assert "cannot.example.com" in cannot and "sent.example.com" not in cannot
    assert "Customer cannot get it" in cannot  # the filter's own words


def test_staff_mark_tickets_resolved_from_the_queue(agent_client):
    first, second = _queued(domain="a.example.com"), _queued(domain="b.example.com")
    response = agent_client.post(
        "/admin/tickets/ticket/",
        {"action": "mark_resolved", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )
    assert "2 tickets marked Resolved." in response.content.decode()
    assert set(Ticket.objects.values_list("status", flat=True)) == {"resolved"}


def test_the_ticket_page_shows_the_log_monospaced_and_the_path_linked(
    client, agent, django_capture_on_commit_callbacks
):
    path = "code=502&log-502=no-such-file&socket-missing=other-name"
    submit(client, django_capture_on_commit_callbacks, path=path, outcome="wrong-upstream-address")
    ticket = Ticket.objects.get()
    client.force_login(agent)
    html = client.get(f"/admin/tickets/ticket/{ticket.pk}/change/").content.decode()
    assert '<pre class="ticket-log"' in html
    assert f'href="/troubleshoot/?{path.replace("&", "&amp;")}">Open this step</a>' in html
    assert "Is PHP-FPM running, and which socket does it create?" in html
    assert 'href="/troubleshoot/cause/wrong-upstream-address/"' in html


def test_staff_change_the_status_and_add_a_note(client, agent, django_capture_on_commit_callbacks):
    submit(client, django_capture_on_commit_callbacks)
    ticket = Ticket.objects.get()
    client.force_login(agent)
    response = client.post(
        f"/admin/tickets/ticket/{ticket.pk}/change/",
        {"status": "open", "internal_note": "Asked for the pool file.",
         "emails-TOTAL_FORMS": "2", "emails-INITIAL_FORMS": "2", "emails-MIN_NUM_FORMS": "0", "emails-MAX_NUM_FORMS": "1000",
         "emails-0-id": ticket.emails.all()[0].pk, "emails-0-ticket": ticket.pk,
         "emails-1-id": ticket.emails.all()[1].pk, "emails-1-ticket": ticket.pk},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert ticket.internal_note == "Asked for the pool file."


def test_only_staff_see_the_queue(client, django_capture_on_commit_callbacks):
    submit(client, django_capture_on_commit_callbacks)
    assert client.get("/admin/tickets/ticket/").status_code == 302
    User.objects.create_user("customer", password="pw")
    client.login(username="customer", password="pw")
    assert client.get("/admin/tickets/ticket/").status_code == 302


def prefill(client, **data):
    response = client.post("/tickets/new/", {"action": "prefill", **data})
    assert response.status_code == 200
    return response.context["form"].initial


def test_a_diagnosed_log_fills_the_code_the_docker_answer_and_the_domain(client):
    compose = (
        "web-1  | 2026/11/21 03:12:45 [error] 29#29: *1 connect() failed (111: Connection refused) "
        'while connecting to upstream, client: 172.18.0.1, server: shop.example.com, request: "GET / '
        'HTTP/1.1", upstream: "http://127.0.0.1:3000/", host: "shop.example.com"'
    )
    initial = prefill(client, log=compose)
    assert initial["log"] == compose
    assert initial["error"] == "502"
    assert initial["docker"] == "yes"
    assert initial["domain"] == "shop.example.com"


def test_a_log_whose_cause_shows_another_code_fills_something_else(client):
    fatal = (
        "PHP Fatal error:  Uncaught Error: Call to undefined function acf_add_admin_notice() in "
        "/var/www/html/wp-content/plugins/advanced-custom-fields-pro/pro/api/api-pro.php:330"
    )
    assert prefill(client, log=fatal)["error"] == "other"  # WordPress's fatal error is a 500


def test_a_php_fpm_or_selinux_paste_still_fills_the_code(client):
    fpm = "[21-Nov-2026 03:12:40] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it"
    assert prefill(client, log=fpm)["error"] in {"502", "503", "504"}
    avc = 'type=AVC msg=audit(1763694765.123:845): avc:  denied  { name_connect } for  pid=1532 comm="nginx" dest=3000 scontext=system_u:system_r:httpd_t:s0 tcontext=system_u:object_r:ntop_port_t:s0 tclass=tcp_socket permissive=0'
    assert prefill(client, log=avc)["error"] in {"502", "503", "504"}


def test_the_path_knows_better_than_the_log_and_an_address_is_not_a_domain(client):
    line = '2026/11/21 03:12:45 [error] 7#7: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.7, server: _, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:3000/", host: "203.0.113.10"'
    initial = prefill(client, log=line, path="code=503&log-503=apache-backend")
    assert initial["error"] == "503"
    assert "domain" not in initial


def test_the_message_chosen_in_a_step_starts_the_log_box(client):
    initial = prefill(client, path="code=502&log-502=no-such-file&socket-missing=other-name")
    assert initial["log"] == "connect() to unix:… failed (2: No such file or directory)"
    assert "log" not in prefill(client, path="code=502&log-502=other&symptoms-502=sudden")


def test_the_status_page_shows_the_path_the_outcome_and_the_diagnosed_cause(
    client, django_capture_on_commit_callbacks
):
    path = "code=502&log-502=no-such-file&socket-missing=other-name"
    values = form_values(client, url=f"/tickets/new/?path={quote(path)}")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/tickets/new/", values)
    page = client.get(response["Location"]).content.decode()
    assert "What the site sent with it" in page
    assert "Is PHP-FPM running, and which socket does it create?" in page
    assert "Where they led" in page and "The proxy points at the wrong port or socket" in page
    assert "What the diagnosis read in your log lines" in page


def hidden(form_html):
    return {
        name: html_module.unescape(value)
        for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', form_html)
        if name != "csrfmiddlewaretoken"
    }


def ticket_form(html):
    return re.search(
        r'<form method="post" action="/tickets/new/" class="ticket-carry">(.*?)</form>', html, re.S
    ).group(1)


def entered_from_outcome(client):
    path = "code=502&log-502=refused&backend-running=docker&same-network=no"
    page = client.get(f"/troubleshoot/cause/docker-network/?{path}").content.decode()
    link = re.search(r'href="(/tickets/new/\?[^"]+)"', page).group(1)
    return client.get(html_module.unescape(link))


def entered_from_diagnosis(client):
    page = client.post("/troubleshoot/diagnose/", {"log": LOG}).content.decode()
    return client.post("/tickets/new/", hidden(ticket_form(page)))


def entered_from_diagnosis_and_question(client):
    page = client.post("/troubleshoot/diagnose/", {"log": LOG}).content.decode()
    settle = re.search(r'<form method="post" action="/troubleshoot/">(.*?)</form>', page, re.S)
    fields = hidden(settle.group(1))
    fields["answers"] += "&socket-missing=other-name"  # the button the customer presses
    outcome = client.post("/troubleshoot/", fields).content.decode()
    return client.post("/tickets/new/", hidden(ticket_form(outcome)))


@pytest.mark.parametrize(
    ("enter", "expected"),
    [
        (
            entered_from_outcome,
            {
                "path": "code=502&log-502=refused&backend-running=docker&same-network=no",
                "error": "502",
                "docker": "yes",
                "outcome": "docker-network",
                "log": "connect() failed (111: Connection refused)",
            },
        ),
        (
            entered_from_diagnosis,
            {
                "path": "code=502&log-502=no-such-file",
                "error": "502",
                "outcome": "wrong-upstream-address",
                "log": LOG,
                "domain": "example.com",
            },
        ),
        (
            entered_from_diagnosis_and_question,
            {
                "path": "code=502&log-502=no-such-file&socket-missing=other-name",
                "error": "502",
                "outcome": "wrong-upstream-address",
                "log": LOG,
                "domain": "example.com",
            },
        ),
    ],
    ids=["outcome", "diagnosis", "diagnosis-then-question"],
)
def test_every_field_the_ticket_form_receives_from_each_entry_point(client, enter, expected):
    response = enter(client)
    initial = dict(response.context["form"].initial)
    assert len(initial.pop("submission")) == 32
    assert initial == expected


def test_every_field_the_ticket_form_receives_from_an_article(client, content):
    content.write("backend-down", title="The backend is down")
    content.load()
    version = Version.objects.get()
    page = client.get(version.article.get_absolute_url()).content.decode()
    link = re.search(r'href="(/tickets/new/\?article_version=\d+)"', page).group(1)
    initial = dict(client.get(link).context["form"].initial)
    initial.pop("submission")
    assert initial == {"path": "", "article_version": str(version.pk)}


# No private link in the log ---------------------------------------------------------------


@pytest.fixture
def console_log():
    """What the site's own log handler writes (the journal under deploy/), as text."""
    import io
    import logging

    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    stream, handler.stream = handler.stream, io.StringIO()
    logger = logging.getLogger("portal.request")
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        yield handler.stream
    finally:
        handler.stream = stream
        logger.setLevel(level)


@pytest.mark.reliability(
    "Secrets", "ticket signatures in the request log, nginx's access log and the journal"
)
def test_a_whole_ticket_round_trip_leaves_no_signature_in_the_log(
    client, django_capture_on_commit_callbacks, console_log
):
    response = submit(client, django_capture_on_commit_callbacks)
    assert client.get(response["Location"]).status_code == 200  # the confirmation
    status_url = response["Location"].removesuffix("?sent=1")
    ticket = Ticket.objects.get()
    signature = status_url.rstrip("/").rsplit("/", 1)[1]
    assert len(signature) > 10
    assert client.get(status_url).status_code == 200
    assert client.get(status_url.rstrip("/")).status_code in (301, 404)  # without the slash
    assert client.get(status_url + "x/").status_code == 404
    assert client.get(f"/tickets/{ticket.reference}/{signature}x/").status_code == 404
    text = console_log.getvalue()
    assert signature not in text
    paths = [json.loads(line)["path"] for line in text.splitlines() if line.startswith("{")]
    assert f"/tickets/{ticket.reference}/…/" in paths
