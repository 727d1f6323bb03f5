"""'Your values': what a customer types (or pastes) fills the commands of the steps and
the outcome, follows them by POST to the ticket, and never reaches a URL."""

import html
import json
import re
import subprocess
from urllib.parse import urlencode

import pytest

from troubleshooter import flowchart, setup

pytestmark = pytest.mark.django_db

PERMISSION_STEP = "code=502&log-502=permission"
SOCKET = "/run/php/php8.3-fpm.sock"


def page(response):
    return html.unescape(re.sub(r"<[^>]+>", "", response.content.decode()))


def code_blocks(response):
    """The text of each command block on the page, as a customer would copy it."""
    blocks = re.findall(
        r'<code class="language-bash">(.*?)</code>', response.content.decode(), re.S
    )
    return [html.unescape(re.sub(r"<[^>]+>", "", block)) for block in blocks]


def steps_using(name):
    chart = flowchart.get()
    return [q for q in chart.questions.values() if f"@{name}@" in q.help_text]


def query_reaching(question_id):
    """The answers that lead from the start to a question, as a query string."""
    chart = flowchart.get()
    paths = {chart.start: []}
    queue = [chart.start]
    while queue:
        qid = queue.pop(0)
        for answer in chart.questions[qid].answers:
            if answer.next and answer.next not in paths:
                paths[answer.next] = [*paths[qid], (qid, answer.key)]
                queue.append(answer.next)
    return urlencode(paths[question_id])


def form_fields(response, marker):
    """The hidden fields of the page's form whose opening tag holds the marker."""
    text = response.content.decode()
    start = text.index(marker)
    form = text[text.rindex("<form", 0, start) : text.index("</form>", start)]
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)
    return {name: html.unescape(value) for name, value in fields}


def press_first_answer(client, response):
    """Press the first answer of a step whose answers are buttons of the carrying form."""
    data = form_fields(response, 'id="carry"')
    text = response.content.decode()
    value = re.search(r'<button type="submit" class="answer" name="answers" value="([^"]*)"', text)
    data["answers"] = html.unescape(value.group(1))
    return client.post("/troubleshoot/", data)


@pytest.fixture
def socket_step():
    step = steps_using("socket")[0]
    return step, query_reaching(step.id)


def test_a_shared_step_marks_the_values_in_its_commands_and_offers_the_form(
    client, real_content, socket_step
):
    step, query = socket_step
    response = client.get(f"/troubleshoot/?{query}")
    assert response.context["question"].id == step.id
    assert any("YOUR_SOCKET" in block for block in code_blocks(response))
    form = response.context["setup_form"]
    assert [field.name for field in form.shown] == setup.used_in(step.help)
    assert "Fill the commands with your values" in page(response)


def test_typed_values_fill_the_commands_and_drop_their_comment_line(
    client, real_content, socket_step
):
    step, query = socket_step
    response = client.post("/troubleshoot/", {"answers": query, "socket": SOCKET})
    assert response.status_code == 200
    blocks = "\n".join(code_blocks(response))
    assert SOCKET in blocks
    assert "YOUR_SOCKET" not in blocks and "# @socket@" not in blocks
    assert response["Cache-Control"] == "private, no-store"


def test_typed_values_follow_each_answer_to_the_outcome_and_the_ticket(
    client, real_content, socket_step
):
    step, query = socket_step
    response = client.post(
        "/troubleshoot/",
        {
            "answers": query,
            "socket": SOCKET,
            "domain": "Shop.Example.org",
            "server_ip": "203.0.113.7",
        },
    )
    text = response.content.decode()
    # Each answer is now a button of one form carrying the values, not a link.
    assert f'<input type="hidden" name="socket" value="{SOCKET}">' in text
    assert '<input type="hidden" name="domain" value="shop.example.org">' in text
    assert 'class="answer" href=' not in text
    outcome = press_first_answer(client, response)
    assert outcome.context["outcome"] is not None
    assert SOCKET in "\n".join(code_blocks(outcome))
    ticket = client.post("/tickets/new/", form_fields(outcome, 'class="ticket-carry"'))
    initial = ticket.context["form"].initial
    assert initial["domain"] == "shop.example.org"
    assert initial["vps"] == "203.0.113.7"


HOSTILE = ["; rm -rf /", "$(id)", "`id`", "a b", "x\ny", "<script>", "php'8", 'php"8', "a|b", "&"]


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("name", setup.NAMES)
def test_a_value_that_could_change_a_command_is_refused(name, text):
    assert setup.BY_NAME[name].check(text) is None


def test_a_refused_value_is_explained_kept_as_typed_and_the_rest_still_fill(
    client, real_content, socket_step
):
    step, query = socket_step
    response = client.post(
        "/troubleshoot/", {"answers": query, "socket": "run/php; rm -rf /", "service": "php8.3-fpm"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Write the socket&#x27;s full path, starting with /" in text
    assert 'value="run/php; rm -rf /"' in text
    assert 'aria-invalid="true"' in text
    assert "rm -rf" not in "\n".join(code_blocks(response))
    assert '<details class="setup-values" open>' in text


def test_a_refused_value_the_page_does_not_use_is_shown_with_its_message(
    client, real_content, socket_step
):
    step, query = socket_step
    response = client.post("/troubleshoot/", {"answers": query, "port": "99999"})
    assert response.status_code == 400
    assert "a number from 1 to 65535" in page(response)
    assert 'value="99999"' in response.content.decode()


def test_the_log_gives_values_and_what_is_typed_wins(client, real_content, socket_step):
    step, query = socket_step
    log = (
        "2024/05/02 10:00:00 [crit] 11#11: *5 connect() to unix:/run/php/php8.1-fpm.sock failed "
        "(13: Permission denied) while connecting to upstream, client: 203.0.113.9, server: "
        'example.net, request: "GET / HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.1-fpm.sock:"'
    )
    from_log = client.post("/troubleshoot/", {"answers": query, "log": log})
    assert "/run/php/php8.1-fpm.sock" in "\n".join(code_blocks(from_log))
    typed = client.post("/troubleshoot/", {"answers": query, "log": log, "socket": SOCKET})
    blocks = "\n".join(code_blocks(typed))
    assert SOCKET in blocks and "php8.1-fpm.sock" not in blocks


def test_the_php_version_and_the_fpm_service_follow_from_one_another():
    assert setup.combine({}, {"service": "php8.3-fpm"})["php_version"] == "8.3"
    assert setup.combine({}, {"php_version": "7.4"})["service"] == "php7.4-fpm"
    assert "php_version" not in setup.combine({}, {"service": "gunicorn"})


def outcome_pages(client):
    for slug in flowchart.get().outcomes:
        yield slug, client.get(f"/troubleshoot/cause/{slug}/")


def check_shell(blocks):
    script = "\n".join(f"check_{n}() {{\n{block}\n}}" for n, block in enumerate(blocks))
    checked = subprocess.run(["bash", "-n"], input=script, text=True, capture_output=True)
    assert checked.returncode == 0, checked.stderr


def test_outcome_commands_mark_the_values_to_change_and_are_valid_shell(client, real_content):
    blocks, marked = [], set()
    for slug, response in outcome_pages(client):
        assert response.status_code == 200, slug
        text = response.content.decode()
        assert not setup.PLACEHOLDER.search(page(response)), slug
        assert "with yours" not in page(response), slug
        found = code_blocks(response)
        blocks += found
        if any(setup.unknown(name) in block for name in setup.NAMES for block in found):
            marked.add(slug)
        if setup.used_in(*(getattr(response.context["outcome"], s) for s in ("confirm", "fix"))):
            assert 'class="setup-values"' in text, slug
    assert len(marked) >= 15
    check_shell(blocks)


ALL_VALUES = {
    "service": "php8.3-fpm",
    "php_version": "8.3",
    "port": "8080",
    "socket": SOCKET,
    "upstream_host": "app",
    "container": "shop-web-1",
    "proxy_container": "edge",
    "domain": "shop.example.org",
    "server_ip": "203.0.113.7",
    "site_root": "/srv/shop",
}


def test_every_outcome_filled_with_every_value_leaves_nothing_to_change(client, real_content):
    blocks = []
    for slug in flowchart.get().outcomes:
        response = client.post(f"/troubleshoot/cause/{slug}/", {"answers": "", **ALL_VALUES})
        assert response.status_code == 200, slug
        found = code_blocks(response)
        marked = [name for name in setup.NAMES for block in found if setup.unknown(name) in block]
        assert marked == [], slug
        blocks += found
    check_shell(blocks)
    assert any("shop-web-1" in block for block in blocks)


@pytest.mark.parametrize("htmx", [False, True])
def test_still_broken_after_a_carried_walk_offers_the_ticket_with_the_log(
    client, real_content, htmx
):
    log = "upstream prematurely closed connection while reading response header from upstream"
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(
        "/troubleshoot/cause/backend-crash/feedback/",
        {"fixed": "no", "answers": "", "log": log, "domain": "shop.example.org"},
        headers=headers,
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert 'action="/tickets/new/"' in text
    assert f'name="log" value="{log}"' in text
    assert 'name="domain" value="shop.example.org"' in text
    assert response["Cache-Control"] == "private, no-store"


def test_where_the_log_names_the_wrong_value_only_typed_values_fill_the_fix(client, real_content):
    log = (
        "connect() to unix:/run/php/php8.1-fpm.sock failed (2: No such file or directory) "
        'while connecting to upstream, upstream: "fastcgi://unix:/run/php/php8.1-fpm.sock:"'
    )
    url = "/troubleshoot/cause/wrong-upstream-address/"

    def fix(**typed):
        response = client.post(url, {"answers": "", "log": log, **typed})
        return html.unescape(re.sub(r"<[^>]+>", "", response.context["filled"]["fix"]))

    # The old socket is what to look for; the version that runs now is the customer's.
    assert 'grep -rln "/run/php/php8.1-fpm.sock"' in fix()
    assert "unix:/run/php/phpYOUR_PHP_VERSION-fpm.sock;" in fix()
    assert "unix:/run/php/php8.3-fpm.sock;" in fix(php_version="8.3")


def test_a_container_in_front_of_a_proxy_line_is_the_proxys():
    values = {"container": "edge", "socket": SOCKET}
    assert setup.from_facts(values, "nginx") == {"proxy_container": "edge", "socket": SOCKET}
    assert setup.from_facts(values, "gunicorn")["container"] == "edge"
    assert setup.from_facts(values, "nginx", allowed={"socket"}) == {"socket": SOCKET}


def test_every_step_command_is_valid_shell_filled_or_not():
    chart = flowchart.get()
    for values in ({}, ALL_VALUES):
        blocks = []
        for question in chart.questions.values():
            filled = setup.fill(question.help, values)
            blocks += [
                html.unescape(re.sub(r"<[^>]+>", "", block))
                for block in re.findall(r'<code class="language-bash">(.*?)</code>', filled, re.S)
            ]
        assert len(blocks) > 20
        assert not [block for block in blocks if setup.PLACEHOLDER.search(block)]
        if values:
            assert not [b for b in blocks for n in setup.NAMES if setup.unknown(n) in b]
        check_shell(blocks)


def learned(response):
    """What the page gives the browser's "your setup" to keep."""
    found = re.search(r'data-setup-learned="([^"]+)"', response.content.decode())
    return json.loads(html.unescape(found.group(1))) if found else None


def test_an_answer_that_says_docker_joins_the_browsers_setup_and_the_step_stays_cached(
    client, real_content
):
    query = query_reaching("backend-running") + "&backend-running=docker"
    response = client.get(f"/troubleshoot/?{query}")
    assert learned(response) == {"choice": {"docker": "yes"}, "values": {}, "log": {}}
    assert "public" in response["Cache-Control"]
    assert learned(client.get("/troubleshoot/")) is None


def test_a_diagnosis_gives_the_browser_the_setup_it_read(client, real_content):
    line = (
        "2026/11/21 03:12:45 [crit] 2211#2211: *4183 connect() to unix:/run/php/php8.3-fpm.sock "
        "failed (2: No such file or directory) while connecting to upstream, client: 203.0.113.7, "
        'server: example.com, request: "GET / HTTP/1.1", '
        'upstream: "fastcgi://unix:/run/php/php8.3-fpm.sock:", host: "example.com"'
    )
    kept = learned(client.post("/troubleshoot/diagnose/", {"log": line}))
    assert kept["choice"] == {"web": "nginx", "os": "debian", "runtime": "php"}
    assert kept["log"]["socket"] == SOCKET and kept["log"]["php_version"] == "8.3"
    assert kept["values"] == {}
    assert "203.0.113.7" not in json.dumps(kept)


def test_typed_values_join_the_browsers_setup_escaped(client, real_content, socket_step):
    step, query = socket_step
    response = client.post("/troubleshoot/", {"answers": query, "socket": SOCKET})
    assert learned(response)["values"] == {"socket": SOCKET}
    assert 'data-setup-learned="{&quot;choice&quot;' in response.content.decode()
