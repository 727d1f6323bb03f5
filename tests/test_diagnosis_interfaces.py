"""The same diagnosis through the command, the JSON API and the web page."""

import html as html_module
import io
import json
import re
import sys

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.samples import FPM_LINE, SOCKET_LINE
from troubleshooter.api import as_json

pytestmark = pytest.mark.django_db


def command(*args, stdin=None, monkeypatch=None):
    out = io.StringIO()
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    call_command("diagnose", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_a_readable_diagnosis():
    out = command(SOCKET_LINE)
    assert (
        "1. wrong-upstream-address: The proxy points at the wrong port or socket (confidence 0.55)"
        in out
    )
    assert "/troubleshoot/?code=502&log-502=no-such-file" in out
    assert "ls -l /run/php/" in out
    assert "systemctl status php8.1-fpm" in out


def test_the_command_prints_the_json_contract():
    data = json.loads(command("--json", SOCKET_LINE))
    assert set(data) == {"causes", "facts", "lines"}
    assert data["lines"] == 1
    assert [c["slug"] for c in data["causes"]] == ["wrong-upstream-address", "backend-down"]
    for cause in data["causes"]:
        assert set(cause) == {"slug", "title", "confidence", "evidence", "url"}
        assert cause["url"] == f"/troubleshoot/cause/{cause['slug']}/"
        assert 0 < cause["confidence"] <= 1
    assert data["causes"][0]["evidence"] == [
        "connect() to unix:/run/php/php8.1-fpm.sock failed (2: No such file or directory) while connecting to upstream"
    ]
    assert data["facts"]["socket"] == "/run/php/php8.1-fpm.sock"


def test_the_command_reads_standard_input(monkeypatch):
    data = json.loads(
        command("--json", "-", stdin=f"{SOCKET_LINE}\n{FPM_LINE}\n", monkeypatch=monkeypatch)
    )
    assert data["lines"] == 2
    assert data["causes"][0]["slug"] == "worker-pool-exhausted"


def test_the_command_says_when_it_recognises_nothing():
    out = command("all good here, nothing to see")
    assert "No known cause in this text." in out
    assert json.loads(command("--json", "all good here"))["causes"] == []


def test_the_command_summarises_a_whole_file(tmp_path):
    log = tmp_path / "error.log"
    log.write_text(
        "\n".join(
            [SOCKET_LINE, SOCKET_LINE.replace("03:12:45", "04:00:00"), FPM_LINE, "noise line"] * 3
        )
        + "\n"
    )
    data = json.loads(command("--json", "--file", str(log)))
    assert data["lines"] == 12
    socket = next(c for c in data["causes"] if c["slug"] == "wrong-upstream-address")
    assert socket["count"] == 6
    assert socket["first_seen"] == "2026-11-21 03:12:45"
    assert socket["last_seen"] == "2026-11-21 04:00:00"
    assert "04:00:00" in socket["example"]
    text = command("--file", str(log))
    assert "6 line(s), first seen 2026-11-21 03:12:45, last seen 2026-11-21 04:00:00" in text


def test_the_command_writes_one_object_per_batch_line_in_order(tmp_path):
    batch = tmp_path / "lines.jsonl"
    batch.write_text(
        json.dumps({"log": FPM_LINE})
        + "\n"
        + "not json\n"
        + json.dumps({"log": SOCKET_LINE})
        + "\n"
    )
    results = [json.loads(line) for line in command("--batch", str(batch)).splitlines()]
    assert len(results) == 3
    assert results[0]["causes"][0]["slug"] == "worker-pool-exhausted"
    assert results[1] == {"error": 'line 2: expected a JSON object with a "log" string'}
    assert results[2]["causes"][0]["slug"] == "wrong-upstream-address"


def test_the_command_explains_bad_arguments(tmp_path):
    with pytest.raises(CommandError, match="Give a log line in quotes"):
        call_command("diagnose")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("diagnose", "--file", str(tmp_path / "missing.log"))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("diagnose", "--jobs", "2", "--file", str(tmp_path))
    with pytest.raises(CommandError, match="--jobs must be 1 or more"):
        call_command("diagnose", "--jobs", "0", "--file", str(tmp_path / "missing.log"))


# The API ------------------------------------------------------------------------------------


def test_the_api_takes_a_form_field(client):
    response = client.post("/api/diagnose", {"log": SOCKET_LINE})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["causes"][0]["slug"] == "wrong-upstream-address"


def test_the_api_takes_json(client):
    response = client.post("/api/diagnose", {"log": FPM_LINE}, content_type="application/json")
    assert response.json()["causes"][0]["slug"] == "worker-pool-exhausted"


def test_the_command_the_api_and_the_page_agree(client):
    text = f"{SOCKET_LINE}\n{FPM_LINE}\nsomething else"
    from_command = json.loads(command("--json", text))
    from_api = client.post("/api/diagnose", {"log": text}).json()
    page = client.post("/troubleshoot/diagnose/", {"log": text})
    from_page = as_json(page.context["result"])
    assert from_command == from_api == from_page


@pytest.mark.parametrize(
    ("kwargs", "status", "message"),
    [
        ({"data": {"log": ""}}, 400, "The log is empty"),
        ({"data": {}}, 400, "The log is empty"),
        ({"data": {"log": "x" * (1024 * 1024)}}, 413, "the limit is 262,144"),
        ({"data": {"log": "\x00\x01\x02binary\xff" * 10}}, 400, "binary data"),
        (
            {"data": b"\xff\xfe\x00\x00garbage", "content_type": "application/json"},
            400,
            "not valid JSON",
        ),
        ({"data": {"log": 5}, "content_type": "application/json"}, 400, '"log" must be a string'),
        (
            {"data": SOCKET_LINE, "content_type": "text/plain"},
            415,
            "Send the log as the form field",
        ),
        (
            {"data": "<log/>", "content_type": "application/xml"},
            415,
            "Send the log as the form field",
        ),
    ],
)
def test_the_api_answers_bad_input_with_a_clear_4xx(client, kwargs, status, message):
    response = client.post("/api/diagnose", **kwargs)
    assert response.status_code == status
    assert message in response.json()["error"]


def test_the_api_is_post_only(client):
    assert client.get("/api/diagnose").status_code == 405


# The page -----------------------------------------------------------------------------------


def database_rows():
    return sum(model.objects.count() for model in apps.get_models())


def test_the_page_shows_the_diagnosis_and_stores_nothing(client):
    before = database_rows()
    response = client.post("/troubleshoot/diagnose/", {"log": SOCKET_LINE})
    html = response.content.decode()
    assert "Most likely: The proxy points at the wrong port or socket" in html
    assert (
        "<mark>connect() to unix:/run/php/php8.1-fpm.sock failed (2: No such file or directory) while connecting to upstream</mark>"
        in html
    )
    assert '<input type="hidden" name="answers" value="code=502&amp;log-502=no-such-file">' in html
    assert "systemctl status php8.1-fpm" in html
    assert database_rows() == before


def test_the_page_keeps_what_was_typed_when_it_is_refused(client):
    huge = "connect() failed " * 20000
    response = client.post("/troubleshoot/diagnose/", {"log": huge})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The text is longer than 256 KB" in html
    assert huge[:200] in html


def test_the_page_escapes_what_was_pasted(client):
    hostile = f"<script>alert(1)</script> {SOCKET_LINE} <img src=x onerror=alert(2)>"
    html = client.post("/troubleshoot/diagnose/", {"log": hostile}).content.decode()
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_page_summarises_an_uploaded_log(client):
    log = (
        "\n".join([SOCKET_LINE, FPM_LINE, FPM_LINE.replace("03:12:45", "05:00:00")]) + "\n"
    ).encode()
    upload = SimpleUploadedFile("error.log", log, content_type="text/plain")
    html = client.post("/troubleshoot/diagnose/", {"logfile": upload}).content.decode()
    assert "2 lines, first seen 2026-11-21 03:12:45, last seen 2026-11-21 05:00:00" in html


def test_the_page_says_plainly_when_nothing_is_recognised(client):
    html = client.post("/troubleshoot/diagnose/", {"log": "everything is fine"}).content.decode()
    assert "No known cause in this text" in html


def test_the_search_box_shows_the_diagnosis_first(client, real_content):
    html = client.get("/search/", {"q": SOCKET_LINE}).content.decode()
    assert html.index("Most likely: The proxy points at the wrong port or socket") < html.index(
        '<ol class="results">'
    )


def test_plain_searches_show_no_diagnosis(client, real_content):
    assert "Most likely" not in client.get("/search/", {"q": "swap"}).content.decode()


def test_the_home_page_takes_a_pasted_line(client, real_content):
    html = client.get("/").content.decode()
    assert 'action="/troubleshoot/diagnose/"' in html
    assert 'name="log"' in html


def test_a_program_with_no_pattern_is_read_from_its_error_and_the_page_says_so(client):
    response = client.post(
        "/troubleshoot/diagnose/", {"log": "Error: connect ECONNREFUSED 127.0.0.1:3000"}
    )
    html = response.content.decode()
    assert "PHP-FPM or your application is not running" in html
    assert "Recognised from the error itself, not from a known message of this program" in html
    assert '<span class="confidence">possible</span>' in html
    assert "<code>backend-down</code>" not in html  # slugs are for staff and the API


def test_a_known_program_message_is_not_marked_as_read_from_the_error(client):
    response = client.post("/troubleshoot/diagnose/", {"log": SOCKET_LINE})
    assert "Recognised from the error itself" not in response.content.decode()


@pytest.mark.parametrize(
    "text",
    [
        (SOCKET_LINE + "\n") * (250_000 // (len(SOCKET_LINE) + 1)),  # one line, 256 KB of it
        "\n".join(
            f"2026/11/21 03:12:45 [error] 7#7: *{n} connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.{n // 250}.{n % 250}"
            for n in range(5000)
        )[:255_000],  # 5,000 distinct lines
        ("x" * 100_000 + " connect() failed (111: Connection refused)\n") * 2,  # 100 KB lines
        ("upstream timed out (110: Connection timed out) while reading upstream, " * 1400 + "\n")
        * 2,
    ],
    ids=["repeated", "distinct", "long-lines", "long-matches"],
)
def test_big_pastes_are_diagnosed_not_failed(client, text):
    response = client.post(
        "/api/diagnose", json.dumps({"log": text}), content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["causes"]


def test_a_paste_of_several_lines_is_described_as_such_with_what_matched_nothing(client):
    paste = f"{SOCKET_LINE}\n{SOCKET_LINE.replace('*4183', '*4184')}\n\n2026/11/21 03:12:46 [notice] 7#7: signal process started"
    html = client.post("/troubleshoot/diagnose/", {"log": paste}).content.decode()
    assert "From these 3 lines; 1 of them matched no message we know." in html
    assert "signal process started</code></pre>" in html  # shown under "matched nothing"
    assert (
        html.count('<pre class="evidence"') == 3
    )  # both lines that showed the cause, and the other


def hidden_fields(form_html):
    return {
        name: html_module.unescape(value)
        for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', form_html)
    }


def test_the_log_follows_through_the_settling_question_and_the_outcome_into_the_ticket(client):
    page = client.post("/troubleshoot/diagnose/", {"log": SOCKET_LINE}).content.decode()
    settle = re.search(r'<form method="post" action="/troubleshoot/">(.*?)</form>', page, re.S)
    fields = hidden_fields(settle.group(1))
    assert fields == {"answers": "code=502&log-502=no-such-file", "log": SOCKET_LINE}

    step = client.post("/troubleshoot/", fields)
    assert step["Cache-Control"] == "private, no-store"
    assert step.context["question"].id == "socket-missing"
    html = step.content.decode()
    assert "Your log lines come along to the end" in html
    assert SOCKET_LINE not in step.request.get("QUERY_STRING", "")

    # The answer buttons post the next answers with the log lines.
    outcome = client.post(
        "/troubleshoot/",
        {"answers": "code=502&log-502=no-such-file&socket-missing=other-name", "log": SOCKET_LINE},
    )
    assert outcome.context["outcome"].slug == "wrong-upstream-address"
    assert outcome["Cache-Control"] == "private, no-store"
    ticket_form = re.search(
        r'<form method="post" action="/tickets/new/" class="ticket-carry">(.*?)</form>',
        outcome.content.decode(),
        re.S,
    ).group(1)
    carried = hidden_fields(ticket_form)
    carried.pop("csrfmiddlewaretoken", None)
    assert carried == {
        "action": "prefill",
        "log": SOCKET_LINE,
        "cause": "wrong-upstream-address",
        "path": "code=502&log-502=no-such-file&socket-missing=other-name",
    }
    initial = client.post("/tickets/new/", carried).context["form"].initial
    assert initial["log"] == SOCKET_LINE
    assert initial["outcome"] == "wrong-upstream-address"
    assert initial["path"] == "code=502&log-502=no-such-file&socket-missing=other-name"
    assert initial["error"] == "502"


def test_a_carried_step_fills_its_commands_from_the_log(client):
    line = SOCKET_LINE.replace("(2: No such file or directory)", "(13: Permission denied)")
    step = client.post("/troubleshoot/", {"answers": "code=502&log-502=permission", "log": line})
    html = step.content.decode()
    filled = '<var class="setup-value is-filled" data-setup-value="socket">/run/php/php8.1-fpm.sock'
    assert f'ls<span class="w"> </span>-l<span class="w"> </span>{filled}' in html
    assert "YOUR_SOCKET" not in html


def test_confirm_fix_and_prevent_carries_the_log_to_the_outcome(client):
    page = client.post("/troubleshoot/diagnose/", {"log": SOCKET_LINE}).content.decode()
    form = re.search(
        r'<form method="post" action="/troubleshoot/cause/wrong-upstream-address/">(.*?)</form>',
        page,
        re.S,
    )
    outcome = client.post(
        "/troubleshoot/cause/wrong-upstream-address/", hidden_fields(form.group(1))
    )
    assert 'name="log" value="' in outcome.content.decode()
    assert outcome["Cache-Control"] == "private, no-store"


def test_a_carried_step_refuses_an_oversized_log_clearly(client):
    response = client.post("/troubleshoot/", {"answers": "code=502", "log": "x" * 300_000})
    assert response.status_code == 400
    assert "characters long; the limit is 262,144" in response.content.decode()


def test_a_carried_outcome_shows_the_commands_filled_from_the_line(client):
    outcome = client.post(
        "/troubleshoot/",
        {"answers": "code=502&log-502=no-such-file&socket-missing=other-name", "log": SOCKET_LINE},
    )
    html = outcome.content.decode()
    assert "Commands for your setup" in html
    assert (
        "/run/php/php8.1-fpm.sock"
        in html.split("Commands for your setup")[1].split("What it means")[0]
    )
    plain = client.get("/troubleshoot/cause/wrong-upstream-address/").content.decode()
    assert "Commands for your setup" not in plain


def test_back_and_change_on_a_carried_step_keep_the_log(client):
    step = client.post(
        "/troubleshoot/",
        {"answers": "code=502&log-502=no-such-file&socket-missing=same-name", "log": SOCKET_LINE},
    )
    html = step.content.decode()
    assert step.context["question"].id == "permission-target"
    back = re.search(
        r'<button type="submit" form="carry" class="link-button" name="answers" value="([^"]*)">← Back',
        html,
    )
    assert html_module.unescape(back.group(1)) == "code=502&log-502=no-such-file"
    changes = re.findall(
        r'form="carry" class="trail-change link-button" name="answers" value="([^"]*)"', html
    )
    assert len(changes) == 3
    again = client.post(
        "/troubleshoot/", {"answers": html_module.unescape(changes[1]), "log": SOCKET_LINE}
    )
    assert again.context["question"].id == "log-502"
    assert 'name="log" value="' in again.content.decode()


def test_back_from_a_carried_outcome_keeps_the_log(client):
    outcome = client.post(
        "/troubleshoot/",
        {"answers": "code=502&log-502=no-such-file&socket-missing=other-name", "log": SOCKET_LINE},
    ).content.decode()
    back = re.search(r'name="answers" value="([^"]*)">← Back to the last question', outcome)
    step = client.post(
        "/troubleshoot/", {"answers": html_module.unescape(back.group(1)), "log": SOCKET_LINE}
    )
    assert step.context["question"].id == "socket-missing"


def test_a_carried_outcome_refuses_an_oversized_log_with_the_reason(client):
    response = client.post("/troubleshoot/cause/disk-full/", {"log": "x" * 300_000})
    assert response.status_code == 400
    assert "the limit is" in response.content.decode()


def test_the_command_reads_a_small_file_with_command_output_as_a_paste(tmp_path):
    # The socket the log names is missing and `ls` shows another PHP version's: the
    # output counts, as it does on the site, and the terminal says which line showed what.
    paste = tmp_path / "paste.txt"
    paste.write_text(
        SOCKET_LINE.replace("php8.2", "php8.1")
        + "\n$ ls /run/php/\nphp8.3-fpm.pid  php8.3-fpm.sock\n"
    )
    text = command("--file", str(paste))
    assert "1. wrong-upstream-address" in text
    assert "/run/php/php8.3-fpm.sock does: php8.3-fpm.pid  php8.3-fpm.sock" in text
    assert "What the command output in it shows:" in text


@pytest.mark.parametrize(
    ("log", "heading"),
    [
        ("upstream sent too big header", "This is: "),
        # One cause read at a low confidence is not stated as a fact.
        ("Segmentation fault (core dumped)", "Possibly: "),
    ],
)
def test_the_heading_says_how_sure_a_single_cause_is(client, log, heading):
    html = client.post("/troubleshoot/diagnose/", {"log": log}).content.decode()
    title = re.search(r'<h2 id="diagnosis-title">([^<]*)', html).group(1)
    assert title.startswith(heading)
