"""Anonymous usage events and the templates of log lines the diagnosis could not read:
each kind is recorded by its action only, the beacon takes only what a page of ours
sends, nothing a visitor typed is kept unmasked, and old rows go."""

import json
import re
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events import masking
from events import views as event_views
from events.models import MAX_LINES_PER_PASTE, Event, EventDay, UnreadTemplate
from tests.test_settings import manage

pytestmark = pytest.mark.django_db

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}
REFUSED = (
    "2026/11/21 03:12:45 [error] 2211#2211: *4183 connect() failed (111: Connection refused) "
    "while connecting to upstream, client: 203.0.113.7, server: shop.example.com, "
    'request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8080/", host: "shop.example.com"'
)
# A line no pattern reads, full of what must never be kept.
UNREAD = (
    "2026-11-21T03:12:45Z frobnicator[4242]: worker a1b2c3d4e5f6a7b8c9 for jane.doe@example.org "
    "from 198.51.100.23 and 2001:db8::7 on shop.example.com gave up on /srv/jane/app/run.py "
    "(request 550e8400-e29b-41d4-a716-446655440000, see https://shop.example.com/a?b=1, "
    'user "Jane Doe", hash deadbeefcafe1234, pointer 0x7f3a12, after 30000 ms)'
)
SECRETS = [
    "4242", "a1b2c3d4e5f6a7b8c9", "jane", "example.org", "198.51.100.23", "2001:db8::7",
    "shop.example.com", "/srv", "run.py", "550e8400", "https://", "Jane Doe", "deadbeef",
    "0x7f3a12", "30000", "2026",
]  # fmt: skip


def beacon(client, body, **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post("/events/", data, content_type="text/plain", **{**SAME_ORIGIN, **headers})


def kinds():
    return list(Event.objects.order_by("pk").values_list("kind", "subject", "detail", "version"))


# Masking


def test_it_masks_every_address_name_path_id_and_number_in_a_log_line():
    stored = masking.template(UNREAD)
    assert stored == (
        "<time> frobnicator[<num>]: worker <id> for <email> from <ip> and <ip> on <host> gave "
        'up on <path> (request <id>, see <url> user "<str>", hash <id>, pointer <id>, after '
        "<num> ms)"
    )
    for secret in SECRETS:
        assert secret not in stored


def test_search_text_keeps_its_words_and_loses_its_values():
    assert masking.mask("connection refused 10.0.0.5:9000 on api.shop.io") == (
        "connection refused <ip>:<num> on <host>"
    )
    # File names and settings are what people search for: they are not host names.
    assert masking.mask("pm.max_children nginx.conf php8.2-fpm.sock") == (
        "pm.max_children nginx.conf php<num>-fpm.sock"
    )
    assert masking.mask("fe80::1%eth0 and [::1]:8080 and ::1") == "<ip> and <ip>:<num> and <ip>"


def test_masked_text_is_cut_to_its_limit_never_inside_a_placeholder():
    text = masking.mask("word 10.0.0.1 " * 40)
    assert len(text) <= masking.MAX_MASKED
    assert text.endswith("<ip>") or text.endswith("word")
    assert len(masking.template("x " * 1000)) <= masking.MAX_TEMPLATE


def test_what_a_visitor_types_in_angle_brackets_cannot_pass_for_a_placeholder():
    assert masking.mask("<script>alert(1)</script>") == "script alert(<num>) <path>"


# The beacon


def test_a_batch_from_a_page_of_ours_is_stored_in_one_insert(client):
    batch = {
        "events": [
            {"kind": "article_read", "subject": "backend-down", "version": 3},
            {"kind": "question_reached", "subject": "code", "detail": ""},
            {"kind": "question_answered", "subject": "code", "detail": "502"},
            {"kind": "outcome_reached", "subject": "backend-down", "detail": "walked"},
        ]
    }
    with CaptureQueriesContext(connection) as queries:
        response = beacon(client, batch)
    assert response.status_code == 204
    inserts = [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "events_event"')]
    assert len(inserts) == 1
    assert kinds() == [
        ("article_read", "backend-down", "", 3),
        ("question_reached", "code", "", None),
        ("question_answered", "code", "502", None),
        ("outcome_reached", "backend-down", "walked", None),
    ]


def test_a_flowchart_version_is_taken_when_a_page_sends_one(client):
    assert (
        beacon(
            client, {"events": [{"kind": "question_reached", "subject": "code", "version": 7}]}
        ).status_code
        == 204
    )
    assert kinds() == [("question_reached", "code", "", 7)]


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_SEC_FETCH_SITE": "none"},
        {"HTTP_SEC_FETCH_SITE": None, "HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_SEC_FETCH_SITE": None},
    ],
)
def test_a_batch_from_anywhere_else_is_refused_and_nothing_stored(client, headers):
    headers = {k: v for k, v in {**SAME_ORIGIN, **headers}.items() if v is not None}
    body = json.dumps({"events": [{"kind": "article_read", "subject": "backend-down"}]})
    response = client.post("/events/", body, content_type="text/plain", **headers)
    assert response.status_code == 403
    assert Event.objects.count() == 0


def test_an_origin_of_our_own_is_enough_without_fetch_metadata(client):
    body = json.dumps({"events": [{"kind": "article_read", "subject": "backend-down"}]})
    response = client.post(
        "/events/", body, content_type="text/plain", HTTP_ORIGIN="http://testserver"
    )
    assert response.status_code == 204


@pytest.mark.parametrize(
    "event",
    [
        {"kind": "page_view", "subject": "backend-down"},
        # Votes and empty searches are written by their own views, never from a page.
        {"kind": "outcome_fixed", "subject": "backend-down", "detail": "yes"},
        {"kind": "article_helpful", "subject": "backend-down", "detail": "yes"},
        {"kind": "search_empty", "detail": "x"},
        {"subject": "backend-down"},
        {"kind": "article_read", "subject": "not a slug!"},
        {"kind": "article_read", "subject": "a" * 101},
        {"kind": "question_answered", "subject": "code", "detail": "x" * 201},
        {"kind": "article_read", "subject": "backend-down", "version": 0},
        {"kind": "article_read", "subject": "backend-down", "version": 2**31},
        {"kind": "article_read", "subject": "backend-down", "version": 1.5},
        {"kind": "article_read", "subject": "backend-down", "version": True},
        {"kind": "article_read", "subject": "backend-down", "version": "3"},
        {"kind": "article_read", "subject": ["backend-down"]},
        {"kind": "article_read", "subject": "backend-down", "ip": "10.0.0.1"},
        {"kind": ["article_read"]},
    ],
)
def test_an_event_that_does_not_fit_refuses_the_whole_batch(client, event):
    good = {"kind": "article_read", "subject": "backend-down"}
    response = beacon(client, {"events": [good, event]})
    assert response.status_code == 400
    assert Event.objects.count() == 0


def test_an_oversize_batch_is_refused_and_nothing_stored(client):
    event = {"kind": "question_reached", "subject": "code"}
    assert beacon(client, {"events": [event] * 51}).status_code == 413
    padded = {"events": [event], "padding": "x" * 17_000}
    assert beacon(client, padded).status_code == 413
    assert Event.objects.count() == 0
    assert beacon(client, {"events": [event] * 50}).status_code == 204


@pytest.mark.parametrize(
    "body",
    [
        "",
        "null",
        "[]",
        '{"events": []}',
        '{"events": {}}',
        '{"events": [1, 2]}',
        '{"events": [null]}',
        "[" * 5000 + "]" * 5000,
        '{"events": [' + "[" * 5000 + "]" * 5000 + "]}",
        '{"events": [{"kind": "article_read", "version": ' + "9" * 5000 + "}]}",
        '{"events": [{"kind": "article_read", "version": 1e999}]}',
        '{"events": [{"kind": "article_read", "subject": "\\ud800"}]}',
        '{"events": [{"kind": "article_read", "subject": "a\\u0000"}]}',
        b"\xff\xfe\x00{",
        "NaN",
        '{"events": [{"kind": "article_read"}]',
    ],
)
def test_hostile_json_gets_a_4xx_never_a_failure(client, body):
    response = beacon(client, body)
    assert 400 <= response.status_code < 500
    assert Event.objects.count() == 0


def test_a_lone_surrogate_in_a_detail_is_stored_as_a_replacement_character(client):
    body = '{"events": [{"kind": "question_answered", "subject": "code", "detail": "a\\ud800"}]}'
    assert beacon(client, body).status_code == 204
    assert kinds() == [("question_answered", "code", "a\ufffd", None)]


def test_the_beacon_takes_only_posts(client):
    assert client.get("/events/").status_code == 405


def test_batches_from_one_address_are_limited(client, monkeypatch):
    monkeypatch.setattr(event_views, "BATCHES_PER_HOUR", 2)
    batch = {"events": [{"kind": "question_reached", "subject": "code"}]}
    assert [beacon(client, batch).status_code for _ in range(3)] == [204, 204, 429]
    assert Event.objects.count() == 2


def test_a_search_before_a_ticket_is_masked_again_whoever_sends_it(client):
    batch = {"events": [{"kind": "search_ticket", "detail": "refused on 10.0.0.7 for bob@x.io"}]}
    assert beacon(client, batch).status_code == 204
    assert kinds() == [("search_ticket", "", "refused on <ip> for <email>", None)]


# Each kind by its action only


def test_opening_pages_writes_no_event_on_the_server(client, real_content):
    for url in ("/kb/backend-down/", "/troubleshoot/", "/troubleshoot/cause/backend-down/", "/"):
        assert client.get(url).status_code == 200
    assert kinds() == []


def test_an_article_says_what_it_records_in_its_markup(client, real_content):
    html = client.get("/kb/backend-down/").content.decode()
    article = re.search(r"<article [^>]*>", html).group()
    assert 'data-event="article_read"' in article
    assert 'data-event-subject="backend-down"' in article
    assert re.search(r'data-event-version="\d+"', article)
    assert 'data-events-url="/events/"' in html


def test_a_step_says_its_question_and_marks_its_answers(client, real_content):
    html = client.get("/troubleshoot/").content.decode()
    assert re.search(r'<section [^>]*data-event="question_reached" data-event-subject="code"', html)
    assert 'data-event-answer="502"' in html
    swapped = client.get("/troubleshoot/?code=502", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-event="question_reached"' in swapped


def test_an_outcome_says_whether_it_was_walked_to(client, real_content):
    direct = client.get("/troubleshoot/cause/backend-down/").content.decode()
    article = re.search(r"<article [^>]*>", direct).group()
    assert 'data-event="outcome_reached" data-event-subject="backend-down"' in article
    assert "data-event-detail" not in article
    # The page after a vote without JavaScript is the same outcome, not a new arrival.
    thanks = client.get("/troubleshoot/cause/backend-down/?fixed=yes").content.decode()
    assert 'data-event="outcome_reached"' not in thanks


def test_did_this_fix_it_is_recorded_by_the_vote(client, real_content):
    from troubleshooter import flowchart

    client.post("/troubleshoot/cause/backend-down/feedback/", {"fixed": "no"}, **SAME_ORIGIN)
    # Against the flowchart's version walked: the current one, when none was carried.
    assert kinds() == [("outcome_fixed", "backend-down", "no", flowchart.get().version)]
    client.post(
        "/troubleshoot/cause/backend-down/feedback/",
        {"fixed": "yes"},
        HTTP_SEC_FETCH_SITE="cross-site",
    )
    client.post("/troubleshoot/cause/backend-down/feedback/", {"fixed": "maybe"}, **SAME_ORIGIN)
    assert len(kinds()) == 1


def test_was_this_helpful_is_recorded_against_the_version_read(client, real_content):
    from kb.models import Article

    number = Article.objects.get(slug="backend-down").current_version.number
    client.post(f"/kb/backend-down/v{number}/feedback/", {"helpful": "yes"}, **SAME_ORIGIN)
    assert kinds() == [("article_helpful", "backend-down", "yes", number)]
    client.post(
        f"/kb/backend-down/v{number}/feedback/", {"helpful": "no"}, HTTP_SEC_FETCH_SITE="cross-site"
    )
    assert len(kinds()) == 1


def test_a_search_that_finds_nothing_is_recorded_masked(client, real_content):
    client.get("/search/", {"q": "qwxzv plorf bob@qqzz.zz"})
    assert kinds() == [("search_empty", "", "qwxzv plorf <email>", None)]


def test_a_search_that_finds_something_or_is_still_being_typed_is_not(client, real_content):
    client.get("/search/", {"q": "connection refused"})
    client.get("/search/", {"q": "qwxzv"}, HTTP_HX_REQUEST="true")
    client.get("/search/", {"q": "!!!"})
    client.get("/search/", {"q": ""})
    assert kinds() == []


def test_the_search_page_hands_its_masked_query_to_the_tab(client, real_content):
    html = client.get("/search/", {"q": "refused 10.0.0.1"}).content.decode()
    assert 'data-search-query="refused &lt;ip&gt;"' in html
    fragment = client.get("/search/", {"q": "refused 10.0.0.2"}, HTTP_HX_REQUEST="true")
    assert 'data-search-query="refused &lt;ip&gt;"' in fragment.content.decode()
    assert "10.0.0" not in html.split("<main", 1)[1].split("data-search-query")[1][:40]


# A cached page stays cached


@pytest.mark.cache
def test_a_cached_article_still_comes_from_the_cache_and_sets_no_cookie(client, real_content):
    first = client.get("/kb/backend-down/")
    second = client.get("/kb/backend-down/")
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    for response in (first, second):
        assert not response.cookies
        assert "Set-Cookie" not in response
        assert response.get("Vary", "") in ("", "HX-Request")
    assert b'data-event="article_read"' in second.content


# Unread log templates


def test_a_paste_with_no_cause_keeps_only_the_masked_template(client, real_content):
    client.post("/troubleshoot/diagnose/", {"log": UNREAD})
    client.post("/api/diagnose", {"log": UNREAD})
    (row,) = UnreadTemplate.objects.all()
    assert row.template == masking.template(UNREAD)
    assert row.count == 2
    stored = json.dumps(list(UnreadTemplate.objects.values()), default=str)
    for secret in SECRETS[:-1]:  # the year is in first_seen
        assert secret not in stored.replace(str(row.first_seen), "").replace(str(row.last_seen), "")


def test_the_same_template_counts_up_and_keeps_when_it_was_first_seen(client, real_content):
    client.post("/api/diagnose", {"log": "frobnicator 1 gave up at 10.0.0.1"})
    first = UnreadTemplate.objects.get()
    client.post("/api/diagnose", {"log": "frobnicator 2 gave up at 10.0.0.2"})
    again = UnreadTemplate.objects.get()
    assert again.template == "frobnicator <num> gave up at <ip>"
    assert again.count == 2
    assert again.first_seen == first.first_seen
    assert again.last_seen >= first.last_seen


def test_it_guesses_the_program_from_the_line(client, real_content):
    client.post("/api/diagnose", {"log": "2026/11/21 03:12:45 [error] 12#12: *3 frobnicated"})
    assert UnreadTemplate.objects.get().program == "nginx"


def test_a_paste_with_a_cause_keeps_nothing(client, real_content):
    unread = "2026/11/21 03:12:46 [error] 1#1: *2 frobnicator 1 gave up"
    client.post("/troubleshoot/diagnose/", {"log": f"{REFUSED}\n{unread}"})
    client.post("/api/diagnose", {"log": REFUSED})
    assert UnreadTemplate.objects.count() == 0


def test_a_long_paste_keeps_only_its_first_lines(client, real_content):
    lines = "\n".join(
        f"2026/11/21 03:12:{i:02d} [error] 1#1: *1 frobnicated word{chr(97 + i % 26)}{'x' * (i // 26)}"
        for i in range(40)
    )
    client.post("/api/diagnose", {"log": lines})
    assert sum(UnreadTemplate.objects.values_list("count", flat=True)) == MAX_LINES_PER_PASTE


def test_learning_is_one_atomic_upsert_per_paste():
    lines = [("frobnicator 1 gave up", ""), ("frobnicator 2 gave up", ""), ("other 3", "node")]
    with CaptureQueriesContext(connection) as queries:
        assert UnreadTemplate.objects.learn(lines) == 2
    upserts = [q["sql"] for q in queries if "ON CONFLICT" in q["sql"]]
    assert len(upserts) == 1
    UnreadTemplate.objects.learn(lines)
    counts = dict(UnreadTemplate.objects.values_list("template", "count"))
    assert counts == {"frobnicator <num> gave up": 4, "other <num>": 2}


@pytest.mark.django_db(transaction=True)
def test_pastes_at_once_all_count_on_the_same_template(live_server):
    def paste(number):
        data = urllib.parse.urlencode({"log": f"frobnicator {number} gave up"}).encode()
        with urllib.request.urlopen(f"{live_server.url}/api/diagnose", data) as response:
            return response.status

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(paste, range(16))) == [200] * 16
    assert list(UnreadTemplate.objects.values_list("template", "count")) == [
        ("frobnicator <num> gave up", 16)
    ]


def test_the_diagnosis_pages_say_what_is_kept(client, real_content):
    for url in ("/troubleshoot/diagnose/", "/"):
        html = client.get(url).content.decode()
        assert "Nothing you paste is stored" not in html
        assert "we keep only a masked pattern of each line" in html


def test_staff_see_templates_commonest_first_and_cannot_change_them(agent_client):
    UnreadTemplate.objects.learn([("rare 1", "")])
    UnreadTemplate.objects.learn([("common 1", "nginx"), ("common 2", "nginx")])
    page = agent_client.get("/admin/events/unreadtemplate/").content.decode()
    assert page.index("common &lt;num&gt;") < page.index("rare &lt;num&gt;")
    assert "nginx" in page
    assert agent_client.get("/admin/events/unreadtemplate/add/").status_code == 403


# Retention


def test_prune_events_removes_only_what_is_older_than_the_retention(settings):
    settings.EVENT_RETENTION_DAYS = 30
    now = timezone.now()
    old, recent = now - timedelta(days=31), now - timedelta(days=29)
    Event.objects.bulk_create(
        [
            Event(kind="article_read", subject="old", created_at=old),
            Event(kind="article_read", subject="old", created_at=old),
            Event(kind="article_read", subject="recent", created_at=recent),
        ]
    )
    UnreadTemplate.objects.create(template="old <num>", first_seen=old, last_seen=old)
    UnreadTemplate.objects.create(template="seen again <num>", first_seen=old, last_seen=recent)
    out = []
    call_command("prune_events", stdout=type("Out", (), {"write": out.append})())
    assert out == [
        "Counted the past days of events in 2 rows.\n",
        "Deleted 2 events and 1 unread template older than 30 days.\n",
    ]
    assert list(Event.objects.values_list("subject", flat=True)) == ["recent"]
    # The day's counts of the dashboard go with the events they counted.
    assert list(EventDay.objects.values_list("subject", "count")) == [("recent", 1)]
    assert list(UnreadTemplate.objects.values_list("template", flat=True)) == ["seen again <num>"]


def test_the_retention_comes_from_the_environment():
    assert settings.EVENT_RETENTION_DAYS == 90
    code = "from django.conf import settings as s; print(s.EVENT_RETENTION_DAYS)"
    env = {"DEBUG": "1", "EVENT_RETENTION_DAYS": "14"}
    assert manage("shell", "--no-imports", "-c", code, env=env).stdout.strip() == "14"
    result = manage("check", env={"DEBUG": "1", "EVENT_RETENTION_DAYS": "0"})
    assert "EVENT_RETENTION_DAYS='0' must be a whole number of 1 or more" in result.stderr


def test_a_daily_timer_runs_prune_events():
    systemd = Path(settings.BASE_DIR) / "deploy" / "systemd"
    timer = (systemd / "gateway-help-prune.timer").read_text()
    assert re.search(r"^OnCalendar=daily$", timer, re.M)
    assert re.search(r"^Persistent=true$", timer, re.M)
    service = (systemd / "gateway-help-prune.service").read_text()
    assert "manage.py prune_events" in service
    assert "EnvironmentFile=/etc/gateway-help/env" in service
    # Every timer shipped has the service it starts.
    for timer in systemd.glob("*.timer"):
        assert timer.with_suffix(".service").exists()


def test_text_masked_before_keeps_its_placeholders_when_masked_again():
    once = masking.mask("refused on 10.0.0.7 for bob@x.io")
    assert masking.mask(once) == once == "refused on <ip> for <email>"
