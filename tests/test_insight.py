"""The staff dashboard: only staff see it, and each figure is counted from the events,
votes and tickets that cause it, made here through the site's own pages and endpoints
and read back from the page and its CSV as a member of staff would."""

import csv
import io
import json
from datetime import UTC, timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from events.models import Event, EventDay, UnreadTemplate
from incidents import known
from insight.views import safe_cell
from kb.models import Version
from tests.test_hostile_input import EXAMPLES, TRICKY
from tests.test_insight_review import months_ago
from tickets.models import Ticket
from troubleshooter.models import ChartVersion

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/insight/"
SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}
UNREAD = "2026-11-21T03:12:45Z frobnicator[4242]: spline 17 of 30 unreticulated"


def beacon(client, *events):
    body = json.dumps({"events": list(events)})
    response = client.post("/events/", body, content_type="text/plain", **SAME_ORIGIN)
    assert response.status_code == 204, response.content


def table(client, name, query=""):
    """The rows of one table's CSV, header first."""
    response = client.get(f"{DASHBOARD}?format=csv&table={name}{query}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode())))


def row(rows, *leading):
    """The row of a CSV that begins with `leading`."""
    found = [r for r in rows if r[: len(leading)] == list(leading)]
    assert len(found) == 1, (leading, rows)
    return found[0]


def ticket(n, **fields):
    defaults = {
        "vps": "vps-1",
        "domain": "shop.example.com",
        "error": "502",
        "docker": "no",
        "email": "customer@example.com",
        "description": "The shop is down.",
        "submission": f"test-{n}",
    }
    return Ticket.objects.create(**{**defaults, **fields})


def vote(client, url, field, answer, n):
    # A different address each time: votes are limited per address.
    response = client.post(url, {field: answer}, REMOTE_ADDR=f"192.0.2.{n}", **SAME_ORIGIN)
    assert response.status_code in (200, 302), response.status_code


@pytest.fixture
def staff(agent_client):
    return agent_client


@pytest.fixture
def chart(real_content):
    return ChartVersion.objects.get()


# Who may see it


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (DASHBOARD, f"{DASHBOARD}?format=csv&table=funnel"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=/admin/insight/")


def test_signed_in_accounts_that_are_not_staff_are_refused(client, django_user_model):
    customer = django_user_model.objects.create_user("reader", password="a long pass phrase 42")
    client.force_login(customer)
    assert client.get(DASHBOARD).status_code == 403
    assert client.get(f"{DASHBOARD}?format=csv&table=funnel").status_code == 403


def test_the_admin_links_to_the_dashboard(staff):
    html = staff.get("/admin/").content.decode()
    assert f'href="{DASHBOARD}"' in html


def test_it_is_never_cached(staff):
    response = staff.get(DASHBOARD)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]
    assert "X-Page-Cache" not in response


# The range


def test_it_shows_the_last_30_days_by_default(staff, today):
    html = staff.get(DASHBOARD).content.decode()
    first = today - timedelta(days=29)
    assert f'value="{first.isoformat()}"' in html
    assert f'value="{today.isoformat()}"' in html
    assert f"?from={(today - timedelta(days=6)).isoformat()}&amp;to={today.isoformat()}" in html


@pytest.mark.parametrize(
    "query, message",
    [
        ("from=2026-13-45", "Write the date as YYYY-MM-DD"),
        ("from=yesterday", "Write the date as YYYY-MM-DD"),
        ("to=1999-12-31", "Pick a day between 1 January 2000 and today"),
        ("from=9999-12-31", "Pick a day between"),
        ("to=0001-01-01", "Pick a day between"),
        ("from=2026-11-20&to=2026-11-10", "The first day comes after the last"),
        ("from=2024-01-01&to=2026-01-01", "A range is at most 366 days"),
    ],
)
def test_a_range_it_cannot_read_is_explained_and_kept_as_typed(staff, query, message):
    response = staff.get(f"{DASHBOARD}?{query}")
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    for part in query.split("&"):
        assert f'value="{part.split("=")[1]}"' in html
    csv_response = staff.get(f"{DASHBOARD}?{query}&format=csv&table=funnel")
    assert csv_response.status_code == 400


def test_a_csv_names_its_table(staff):
    response = staff.get(f"{DASHBOARD}?format=csv&table=everything")
    assert response.status_code == 400
    assert "funnel" in response.content.decode()


# The figures


def test_the_funnel_counts_who_reached_each_question_and_who_left_there(staff, chart):
    question = chart.chart["questions"][0]
    reached = {"kind": "question_reached", "subject": question["id"], "version": 1}
    answered = {"kind": "question_answered", "subject": question["id"], "detail": "502"}
    beacon(staff, reached, reached, reached, answered)
    beacon(staff, {"kind": "question_reached", "subject": "other-page"})

    rows = table(staff, "funnel")
    assert rows[0][:5] == ["Question id", "Question", "Reached", "Answered", "Left there"]
    assert row(rows, question["id"], question["question"])[2:] == ["3", "1", "2", "66.7"]
    assert row(rows, "other-page")[2:5] == ["1", "0", "1"]
    html = staff.get(DASHBOARD).content.decode()
    assert "3 reached, 2 left" in html


def test_outcomes_show_the_fixed_it_share_and_tickets_per_chart_version(staff, chart, client):
    reached = {"kind": "outcome_reached", "subject": "disk-full", "version": 1}
    beacon(staff, reached, reached, reached, reached)
    url = "/troubleshoot/cause/disk-full/feedback/"
    for n, answer in enumerate(["yes", "yes", "no"]):
        vote(client, url, "fixed", answer, n)
    ticket(1, outcome="disk-full", chart_version=chart)
    ticket(2, outcome="disk-full", chart_version=chart)
    ticket(3, outcome="disk-full")  # from before the chart had a number

    rows = table(staff, "outcomes")
    title = chart.chart["outcomes"]["disk-full"]["title"]
    assert row(rows, "disk-full", title, "1") == [
        "disk-full",
        title,
        "1",
        "4",
        "2",
        "1",
        "66.7",
        "2",
    ]
    assert row(rows, "disk-full", title, "")[3:] == ["0", "0", "0", "", "1"]
    html = staff.get(DASHBOARD).content.decode()
    assert "66.7% of 3, 2 tickets" in html
    assert "66.7%" in html.split("“Fixed it” share")[1].split("</dd>")[0]


@pytest.fixture
def two_versions(content):
    content.write("backend-down", body="First.\n", change_note="First version.")
    content.load()
    content.write("backend-down", body="Second.\n", change_note="Added the socket check.")
    content.load()
    return list(Version.objects.order_by("number"))


def test_articles_show_helpfulness_and_tickets_per_version_with_the_change_note(
    staff, client, two_versions
):
    first, second = two_versions
    for number, reads in ((1, 2), (2, 3)):
        read = {"kind": "article_read", "subject": "backend-down", "version": number}
        beacon(staff, *[read] * reads)
    for n, (number, answer) in enumerate([(1, "yes"), (1, "no"), (2, "yes"), (2, "yes")]):
        vote(client, f"/kb/backend-down/v{number}/feedback/", "helpful", answer, n)
    ticket(1, article_version=second)

    rows = table(staff, "articles")
    assert rows[0][3:] == ["Change note", "Reads", "Helpful", "Not helpful", "Helpful %",
                           "Change in points", "Tickets opened"]  # fmt: skip
    assert row(rows, "backend-down", first.title, "1")[3:] == [
        "First version.", "2", "1", "1", "50.0", "", "0"
    ]  # fmt: skip
    assert row(rows, "backend-down", second.title, "2")[3:] == [
        "Added the socket check.", "3", "2", "0", "100.0", "50.0", "1"
    ]  # fmt: skip
    assert "100.0% of 2, 1 tickets" in staff.get(DASHBOARD).content.decode()


def test_failed_searches_are_listed_most_frequent_first_and_safe_in_a_spreadsheet(staff, client):
    for query in ["zqxv wobble", "=HYPERLINK(evil)", "zqxv wobble", "zqxv wobble"]:
        client.get("/search/", {"q": query})
    rows = table(staff, "searches")
    assert rows[1] == ["zqxv wobble", "3"]
    assert rows[2][0].startswith("'=")
    assert rows[2][1] == "1"


def test_log_lines_no_cause_was_read_in_are_listed_by_how_often_they_were_pasted(staff, client):
    for _ in range(2):
        assert client.post("/api/diagnose", {"log": UNREAD}).json()["causes"] == []
    template = UnreadTemplate.objects.get()
    rows = table(staff, "templates")
    assert row(rows, template.template)[2] == "2"


def test_tickets_per_day_cause_and_outcome_and_the_share_that_disagree(staff, today):
    yesterday = timezone.now() - timedelta(days=1)
    ticket(1, diagnosed_cause="backend-down", outcome="backend-down", created_at=yesterday)
    ticket(2, diagnosed_cause="backend-down", outcome="disk-full", created_at=yesterday)
    ticket(3, outcome="disk-full")
    ticket(4, diagnosed_cause="oom-killed")

    by_day = table(staff, "tickets-by-day")
    day = timezone.localdate(yesterday).isoformat()
    assert row(by_day, day) == [day, "2", "2", "1", "50.0"]
    assert row(by_day, today.isoformat()) == [today.isoformat(), "2", "0", "0", ""]
    by_cause = table(staff, "tickets-by-cause")
    assert row(by_cause, "backend-down") == ["backend-down", "2", "1", "0"]
    assert row(by_cause, "disk-full") == ["disk-full", "0", "2", "1"]
    assert row(by_cause, "oom-killed") == ["oom-killed", "1", "0", "0"]
    daily = table(staff, "tickets-daily")
    assert row(daily, day, "backend-down", "disk-full") == [day, "backend-down", "disk-full", "1"]

    html = staff.get(DASHBOARD).content.decode()
    headline = html.split("Cause and outcome differ")[1].split("</dd>")[0]
    assert "50.0%" in headline and "of 2 tickets with both" in headline


def test_only_the_range_asked_for_is_counted(staff, chart, today):
    reached = {"kind": "question_reached", "subject": "code"}
    beacon(staff, reached, reached)
    Event.objects.filter(pk=Event.objects.order_by("pk").first().pk).update(
        created_at=timezone.now() - timedelta(days=40)
    )
    ticket(1, outcome="disk-full", created_at=timezone.now() - timedelta(days=40))

    assert row(table(staff, "funnel"), "code")[2] == "1"
    wide = f"&from={today - timedelta(days=89)}&to={today}"
    assert row(table(staff, "funnel", wide), "code")[2] == "2"
    assert len(table(staff, "tickets-by-day")) == 1
    assert len(table(staff, "tickets-by-day", wide)) == 2


def test_days_counted_by_the_timer_and_todays_events_add_up_once(staff, chart, today):
    reached = {"kind": "question_reached", "subject": "code"}
    answered = {"kind": "question_answered", "subject": "code", "detail": "502"}
    beacon(staff, reached, reached, reached, answered, answered)
    earlier = Event.objects.order_by("pk").values_list("pk", flat=True)[:3]
    Event.objects.filter(pk__in=list(earlier)).update(created_at=timezone.now() - timedelta(days=3))
    before = row(table(staff, "funnel"), "code")

    call_command("prune_events", stdout=io.StringIO())
    assert EventDay.objects.filter(day=today - timedelta(days=3)).exists()
    assert not EventDay.objects.filter(day=today).exists()
    beacon(staff, reached)
    after = row(table(staff, "funnel"), "code")
    assert before[2:5] == ["3", "2", "1"]
    assert after[2:5] == ["4", "2", "2"]
    call_command("prune_events", stdout=io.StringIO())  # a second run counts nothing twice
    assert row(table(staff, "funnel"), "code") == after


def test_the_page_asks_a_bounded_number_of_queries(staff, chart, django_assert_num_queries):
    for n in range(5):
        ticket(n, outcome="disk-full", diagnosed_cause="backend-down", chart_version=chart)
        beacon(staff, {"kind": "article_read", "subject": f"article-{n}", "version": 1})
    Event.objects.update(created_at=timezone.now() - timedelta(days=2))
    call_command("prune_events", stdout=io.StringIO())
    beacon(staff, {"kind": "article_read", "subject": "article-0", "version": 1})
    # Asked as by a process that has not read the open incidents yet (saving a ticket
    # reads them, to tag it).
    cache.delete(known.KEY)
    known.forget()
    # The session and its user, the chart, where the daily counts end, two queries for
    # each group of events (days counted, days since), the tickets per outcome, per
    # article version and per day, the versions' change notes, the log templates, the
    # articles due for review and the open incidents: however many events there are.
    with django_assert_num_queries(19):
        assert staff.get(DASHBOARD).status_code == 200


def test_charts_are_svg_with_no_inline_style_and_a_table_beside_each(staff, chart):
    beacon(staff, {"kind": "question_reached", "subject": "code"})
    ticket(1, outcome="disk-full")
    html = staff.get(DASHBOARD).content.decode()
    assert html.count('<svg class="chart-svg"') == 2  # the funnel and tickets per day
    assert "style=" not in html
    assert 'aria-labelledby="chart-funnel-caption"' in html
    assert '<table class="figures">' in html


def test_spreadsheet_formulas_in_cells_are_defused():
    assert safe_cell("=1+2") == "'=1+2"
    assert safe_cell("+33 1") == "'+33 1"
    assert safe_cell("-v") == "'-v"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("nginx 502") == "nginx 502"
    assert safe_cell(12) == 12
    assert safe_cell(None) == ""


def test_the_dashboard_lists_the_articles_due_for_review(staff, content, today):
    reviewed = months_ago(today, 14)
    content.write("backend-down", reviewed=reviewed.isoformat(), title="Nothing listens")
    content.write("disk-full", reviewed=months_ago(today, 1).isoformat())
    content.load()
    rows = table(staff, "overdue")
    assert rows[1:] == [["backend-down", "Nothing listens", "1", reviewed.isoformat(), "14"]]
    html = staff.get(DASHBOARD).content.decode()
    assert "Nothing listens" in html


@pytest.mark.parametrize("zone, days_later", [("UTC", 0), ("Europe/Berlin", 1)])
def test_tickets_are_counted_on_the_sites_own_days(staff, settings, zone, days_later):
    settings.TIME_ZONE = zone
    late = (timezone.now() - timedelta(days=2)).replace(hour=23, minute=30, tzinfo=UTC)
    ticket(1, outcome="disk-full", created_at=late)
    day = (late.date() + timedelta(days=days_later)).isoformat()
    assert table(staff, "tickets-by-day")[1][:2] == [day, "1"]


@EXAMPLES
@given(
    query=st.dictionaries(
        st.sampled_from(["from", "to", "format", "table"]),
        st.one_of(TRICKY, st.dates().map(str), st.sampled_from(["csv", "funnel", "overdue"])),
    )
)
def test_any_range_or_table_gets_an_answer_not_a_failure(staff, query):
    clean = {name: value.encode("utf-8", "replace").decode() for name, value in query.items()}
    response = staff.get(DASHBOARD, clean)
    assert response.status_code in (200, 400), (clean, response.status_code)
