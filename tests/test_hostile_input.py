"""Generated input against every public endpoint: whatever arrives, the answer is below
500 and carries the site's headers. Each case found this way is also kept below as an
explicit regression test.

Hypothesis generates the text, bytes, numbers, nesting and charsets; the examples are
bounded so the suite stays quick.
"""

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from troubleshooter import setup

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Every code point, lone surrogates included (JSON can carry them as "\ud800").
ANY_CHARACTER = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
TEXT = st.text(ANY_CHARACTER, max_size=300)
# Text shaped like what attackers and log pastes hold: entities, quotes, markup.
TRICKY = st.one_of(
    TEXT,
    st.builds(lambda digits: "&#" + digits, st.text("0123456789", min_size=1, max_size=6000)),
    st.builds(lambda hexes: "&#x" + hexes + ";", st.text("0123456789abcdefABCDEF", max_size=5000)),
    st.sampled_from(["<script>alert(1)</script>", "' OR 1=1 --", "{{7*7}}", "%00", "../../etc"]),
)
FIELD_NAMES = st.sampled_from(
    ["log", "answers", "path", "cause", "article_version", "q", "fixed", "action", "domain",
     "vps", "email", "error", "docker", "description", "submission", *setup.NAMES]
)  # fmt: skip


def check(response):
    assert response.status_code < 500, response.content[:500]
    assert response.headers.get("X-Content-Type-Options") == "nosniff"


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def _json_body(value):
    return json.dumps(value, ensure_ascii=True)


@pytest.mark.reliability(
    "Input",
    "generated log text (any code point, long numeric references, markup) to the diagnosis API and page",
)
@EXAMPLES
@given(log=TRICKY)
def test_the_api_never_fails_on_a_log(client, real_content, log):
    check(client.post("/api/diagnose", _json_body({"log": log}), content_type="application/json"))
    check(client.post("/api/diagnose", {"log": log.encode("utf-8", "replace").decode()}))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=20,
)


@pytest.mark.reliability(
    "Input", "any JSON value nested up to 3,000 deep to `/api/diagnose` and the `/events/` beacon"
)
@EXAMPLES
@given(value=JSON_VALUES, depth=st.integers(0, 3000))
def test_the_api_never_fails_on_any_json(client, real_content, value, depth):
    check(client.post("/api/diagnose", _json_body(value), content_type="application/json"))
    nested = "[" * depth + "]" * depth
    check(client.post("/api/diagnose", nested, content_type="application/json"))
    # The beacon, as a page of the site sends it: the value alone, as the batch, as an
    # event, and as each field of an event.
    fields = {"kind": value, "subject": value, "detail": value, "version": value}
    batches = (value, {"events": value}, {"events": [value]}, {"events": [fields]})
    for body in [*map(_json_body, batches), nested]:
        check(beacon(client, body))


def beacon(client, body):
    return client.post(
        "/events/", body, content_type="text/plain", HTTP_SEC_FETCH_SITE="same-origin"
    )


@pytest.mark.reliability("Input", "any bytes in any declared charset to every POST endpoint")
@EXAMPLES
@given(
    body=st.binary(max_size=2000),
    charset=st.sampled_from(["utf-8", "latin-1", "utf-16", "x-nope", ""]),
)
def test_any_body_in_any_charset_gets_a_clear_answer(client, real_content, body, charset):
    content_type = "application/x-www-form-urlencoded" + (f"; charset={charset}" if charset else "")
    # generic() sends the bytes as they are, whatever the charset says.
    for url in ("/api/diagnose", "/troubleshoot/diagnose/", "/tickets/new/", "/troubleshoot/"):
        check(client.generic("POST", url, body, content_type=content_type))
    check(beacon(client, body))
    strict = Client(raise_request_exception=False, enforce_csrf_checks=True)
    strict.cookies["csrftoken"] = "a" * 32
    for url in ("/tickets/new/", "/troubleshoot/diagnose/"):
        check(strict.generic("POST", url, body, content_type=content_type))


@pytest.mark.reliability("Input", "any field names and values on every form")
@EXAMPLES
@given(
    fields=st.dictionaries(
        FIELD_NAMES, TRICKY.map(lambda t: t.encode("utf-8", "replace").decode()), max_size=8
    )
)
def test_every_form_takes_any_fields(client, real_content, fields):
    for url in (
        "/troubleshoot/",
        "/troubleshoot/cause/backend-down/",
        "/troubleshoot/cause/backend-down/feedback/",
        "/troubleshoot/diagnose/",
        "/tickets/new/",
    ):
        check(client.post(url, fields))
    check(client.get("/tickets/new/", fields))
    check(client.get("/troubleshoot/", fields))
    check(client.get("/search/", fields))


@pytest.mark.reliability("Input", "any URL path")
@EXAMPLES
@given(path=st.text(st.characters(min_codepoint=33, max_codepoint=0x2FFF), max_size=80))
def test_any_path_gets_a_page_not_a_failure(client, real_content, path):
    for prefix in ("/kb/", "/troubleshoot/cause/", "/tickets/", "/"):
        check(client.get(prefix + path))


# Found by the tests above, and kept as they were found ---------------------------------
FOUND = pytest.mark.reliability(
    "Input",
    "each case found, kept: references of 4,301+ digits, lone surrogates, JSON 1,000 deep, "
    "other charsets, other digits, dates past any calendar",
)


@FOUND
@pytest.mark.parametrize(
    "log",
    ["&#" + "9" * 5000, "&#x" + "f" * 5000 + ";", "&#0000000065;", "a &#" + "1" * 4301 + " b"],
)
def test_a_numeric_reference_of_thousands_of_digits_is_read_not_a_crash(client, real_content, log):
    check(client.post("/api/diagnose", {"log": log}))
    check(client.post("/troubleshoot/diagnose/", {"log": log}))


@FOUND
def test_a_lone_surrogate_in_json_is_read_as_a_replacement_character(client, real_content):
    response = client.post(
        "/api/diagnose", '{"log": "x \\ud800 y"}', content_type="application/json"
    )
    check(response)


@FOUND
def test_json_nested_a_thousand_deep_is_refused_clearly(client, real_content):
    response = client.post(
        "/api/diagnose", "[" * 1000 + "]" * 1000, content_type="application/json"
    )
    assert response.status_code == 400


@FOUND
def test_a_form_in_another_charset_gets_the_sites_400_page(real_content):
    strict = Client(raise_request_exception=False, enforce_csrf_checks=True)
    strict.cookies["csrftoken"] = "a" * 32
    response = strict.generic(
        "POST",
        "/tickets/new/",
        b"email=caf%E9",
        content_type="application/x-www-form-urlencoded; charset=latin-1",
    )
    assert response.status_code == 400
    assert b"forms must be sent as UTF-8" in response.content
    check(response)


@FOUND
def test_an_article_version_in_other_digits_is_ignored(client, real_content):
    check(client.get("/tickets/new/?article_version=%C2%B2"))
    check(client.post("/tickets/new/", {"article_version": "\u00b2", "action": "prefill"}))


@FOUND
def test_a_date_filter_beyond_any_calendar_gets_the_admins_own_answer(agent_client):
    year = "9" * 38
    response = agent_client.get(f"/admin/tickets/ticket/?created_at__year={year}")
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


@FOUND
@pytest.mark.parametrize("text", ["vps-١٢٣٤", "１２３４５", "vps-12³4"])
def test_a_vps_id_in_other_digits_is_refused(text):
    from django.core.exceptions import ValidationError

    from tickets.validators import normalise_vps

    with pytest.raises(ValidationError):
        normalise_vps(text)


@pytest.mark.reliability(
    "Headers", "security headers on pages, error pages, `/healthz` and static files"
)
@pytest.mark.parametrize(
    "url", ["/healthz", "/static/css/portal.css", "/no-such-page/", "/troubleshoot/"]
)
def test_every_response_carries_the_security_headers(client, real_content, url):
    response = client.get(url)
    assert response.status_code in (200, 404)
    for header, value in (
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
    ):
        assert response.headers.get(header) == value, (url, header)
    assert "default-src" in response.headers["Content-Security-Policy"]


@FOUND
def test_a_form_in_another_charset_gets_the_400_page_in_development_too(settings, real_content):
    settings.DEBUG = True  # Django's debug error page would read the body again
    strict = Client(raise_request_exception=False, enforce_csrf_checks=True)
    strict.cookies["csrftoken"] = "a" * 32
    for charset in ("latin-1", "windows-1252"):
        response = strict.generic(
            "POST", "/tickets/new/", b"email=caf%E9",
            content_type=f"application/x-www-form-urlencoded; charset={charset}",
        )  # fmt: skip
        assert response.status_code == 400
        assert b"forms must be sent as UTF-8" in response.content
