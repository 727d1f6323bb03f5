"""Walking the flowchart through the test client, as customers and staff do."""

from urllib.parse import urlencode

import pytest

from troubleshooter import flowchart
from troubleshooter.models import OutcomeFeedback

pytestmark = pytest.mark.django_db


def walk(client, answers):
    """Click through the answers (question id, answer label) from the start, as links."""
    url = "/troubleshoot/"
    for qid, label in answers:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.context["question"].id == qid
        answer = next(a for a in response.context["question"].answers if a.label.startswith(label))
        url = response.context["walk"].answer_url(answer)
    return client.get(url, follow=True)


def outcome_of(response):
    return response.context["outcome"].slug


def test_php_upgrade_renamed_the_socket_while_fpm_runs(client, real_content):
    response = walk(
        client,
        [
            ("code", "502"),
            ("log-502", "connect() to unix:"),
            ("socket-missing", "It runs, but its socket has another name"),
        ],
    )
    assert outcome_of(response) == "wrong-upstream-address"
    html = response.content.decode()
    assert "The proxy points at the wrong port or socket" in html
    assert "It runs, but its socket has another name" in html  # the path that led here


def test_a_503_with_max_children_in_the_fpm_log(client, real_content):
    response = walk(client, [("code", "503"), ("log-503", "server reached pm.max_children")])
    assert outcome_of(response) == "worker-pool-exhausted"


def test_a_cloudflare_522_with_the_origin_answering_directly(client, real_content):
    response = walk(
        client,
        [("code", "An error page branded by a CDN"), ("cdn-direct", "HTTPS answers normally")],
    )
    assert outcome_of(response) == "cdn-origin"


def test_containers_on_different_networks(client, real_content):
    response = walk(
        client,
        [
            ("code", "502"),
            ("log-502", "connect() failed (111"),
            ("backend-running", "It runs in Docker"),
            ("same-network", "No, or one of them is on the default bridge"),
        ],
    )
    assert outcome_of(response) == "docker-network"


def test_an_oom_kill_found_after_connection_refused(client, real_content):
    response = walk(
        client,
        [
            ("code", "502"),
            ("log-502", "connect() failed (111"),
            ("backend-running", "No. It is stopped"),
            ("why-stopped", "Out of memory"),
        ],
    )
    assert outcome_of(response) == "oom-killed"


def test_a_slow_backend_behind_a_504(client, real_content):
    response = walk(
        client,
        [
            ("code", "504"),
            ("log-504", "upstream timed out … while reading"),
            ("workers-busy", "No"),
        ],
    )
    assert outcome_of(response) == "backend-slow"


def test_nothing_answers_and_the_vps_is_unreachable(client, real_content):
    response = walk(client, [("code", "Nothing answers"), ("nothing-answers", "No. Neither")])
    assert outcome_of(response) == "vps-unreachable"


def test_every_step_is_a_link_that_reproduces_it(client, real_content):
    response = client.get("/troubleshoot/?code=502&log-502=refused")
    assert response.context["question"].id == "backend-running"
    assert [s.answer.key for s in response.context["walk"].steps] == ["502", "refused"]


def test_back_and_start_over(client, real_content):
    response = client.get("/troubleshoot/?code=502&log-502=refused")
    # The links carry the version of the chart the walk began on (the first one loaded).
    assert response.context["walk"].back_url == "/troubleshoot/?code=502&chart=1"
    html = response.content.decode()
    assert (
        'href="/troubleshoot/?code=502&amp;chart=1" data-hx-get="/troubleshoot/?code=502&amp;chart=1"'
        in html
    )
    assert 'href="/troubleshoot/" data-hx-get="/troubleshoot/"' in html


def test_changing_an_earlier_answer_keeps_later_ones_that_still_apply(client, real_content):
    # Started with "502 > refused > running", then changes the code to 503.
    response = client.get(
        "/troubleshoot/?code=502&log-502=refused&backend-running=running&change=code"
    )
    assert response.context["question"].id == "code"
    walk_ = response.context["walk"]
    answer_503 = response.context["question"].answer("503")
    assert walk_.answer_url(answer_503) == (
        "/troubleshoot/?code=503&log-502=refused&backend-running=running&chart=1"
    )
    response = client.get(walk_.answer_url(answer_503))
    # log-502 no longer applies after 503: the 503 log question is asked instead.
    assert response.context["question"].id == "log-503"
    html = response.content.decode()
    assert "no longer applies to the path you took, so it was dropped" in html


def test_the_previous_answer_is_marked_when_changing_it(client, real_content):
    html = client.get("/troubleshoot/?code=502&change=code").content.decode()
    assert '<span class="chip">your answer</span>' in html


def test_an_answer_that_does_not_belong_is_dropped_with_a_message(client, real_content):
    response = client.get("/troubleshoot/?code=418")
    assert response.status_code == 200
    assert response.context["question"].id == "code"
    assert "“418” is not one of the answers to" in response.content.decode()


def test_an_unknown_step_from_an_older_link_is_ignored(client, real_content):
    response = client.get("/troubleshoot/?code=502&old-question=yes")
    assert response.status_code == 200
    assert response.context["question"].id == "log-502"
    assert "“old-question” is not a step of this guide" in response.content.decode()


def test_hostile_query_strings_never_error(client, real_content):
    for query in [
        "code=%00", "code=<script>alert(1)</script>", "change=nope", "change=code&change=log-502",
        "code=502&code=503", "code=" + "x" * 5000, "%ff=%fe", "code[]=502",
    ]:  # fmt: skip
        response = client.get(f"/troubleshoot/?{query}", follow=True)
        assert response.status_code == 200, query
        assert "<script>alert(1)" not in response.content.decode()


def test_the_final_answer_goes_to_the_outcome_page(client, real_content):
    response = client.get("/troubleshoot/?code=503&log-503=limiting")
    assert response.status_code == 302
    assert response["Location"] == "/troubleshoot/cause/rate-limited/?code=503&log-503=limiting"


def test_with_htmx_the_step_comes_as_a_fragment(client, real_content):
    response = client.get("/troubleshoot/?code=502", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith("<title>What does the proxy&#x27;s error log say")
    assert '<div id="step" class="step">' in html
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_with_htmx_an_outcome_is_a_full_page_redirect(client, real_content):
    response = client.get("/troubleshoot/?code=503&log-503=limiting", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == "/troubleshoot/cause/rate-limited/?code=503&log-503=limiting"


def test_without_javascript_answers_are_plain_links(client, real_content):
    html = client.get("/troubleshoot/?code=502").content.decode()
    assert 'href="/troubleshoot/?code=502&amp;log-502=refused&amp;chart=1"' in html
    assert (
        'href="/troubleshoot/cause/header-too-big/?code=502&amp;log-502=too-big&amp;chart=1"'
        in html
    )


@pytest.mark.parametrize("slug", [*flowchart.CAUSES, "vps-unreachable", "web-server-down"])
def test_every_cause_has_a_stable_outcome_page(client, real_content, slug):
    response = client.get(f"/troubleshoot/cause/{slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    for heading in ("What it means", "Confirm it", "Fix it", "Prevent it", "Did this fix it?"):
        assert heading in html
    assert f'<link rel="canonical" href="http://testserver/troubleshoot/cause/{slug}/">' in html
    assert "data-copy-link=" in html


def test_an_outcome_names_the_article_versions_it_points_to(client, real_content):
    html = client.get("/troubleshoot/cause/backend-down/").content.decode()
    assert (
        'href="/kb/backend-down/#confirm-it">PHP-FPM or the app is not running: Confirm it</a>'
        in html
    )
    assert "Version 1, updated" in html


def test_an_outcome_reached_by_another_path_says_so(client, real_content):
    html = client.get("/troubleshoot/cause/disk-full/?code=503&log-503=limiting").content.decode()
    assert "lead to a different step of the guide" in html
    assert "Your answers so far" not in html


def test_an_unknown_outcome_is_not_found(client, real_content):
    assert client.get("/troubleshoot/cause/no-such-cause/").status_code == 404


def test_did_this_fix_it_is_recorded_with_the_path(client, real_content):
    answers = urlencode({"code": "503", "log-503": "limiting"})
    response = client.post(
        "/troubleshoot/cause/rate-limited/feedback/", {"fixed": "yes", "answers": answers}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("fixed=yes#fixed")
    feedback = OutcomeFeedback.objects.get()
    assert feedback.cause == "rate-limited"
    assert feedback.fixed
    assert feedback.path == "code=503 > log-503=limiting"
    assert "Good to hear" in client.get(response["Location"]).content.decode()


def test_a_path_that_does_not_lead_to_the_outcome_is_not_recorded(client, real_content):
    answers = urlencode({"code": "502", "log-502": "too-big"})
    client.post("/troubleshoot/cause/rate-limited/feedback/", {"fixed": "no", "answers": answers})
    assert OutcomeFeedback.objects.get().path == ""


def test_did_this_fix_it_rejects_other_answers(client, real_content):
    response = client.post("/troubleshoot/cause/rate-limited/feedback/", {"fixed": "maybe"})
    assert response.status_code == 400
    assert not OutcomeFeedback.objects.exists()


def test_a_cause_article_links_into_the_flowchart_at_the_deciding_step(client, real_content):
    html = client.get("/kb/worker-pool-exhausted/").content.decode()
    assert "Check whether this is your problem" in html
    assert 'href="/troubleshoot/?code=502"' in html  # log-502 offers the "busy" answer
    html = client.get("/kb/socket-permission/").content.decode()
    assert 'href="/troubleshoot/?code=502&amp;log-502=permission"' in html


def test_articles_that_are_not_about_a_cause_have_no_such_link(client, real_content):
    assert "Check whether this is your problem" not in client.get("/kb/swap/").content.decode()


def test_the_map_draws_every_question_and_outcome_as_links(client, real_content):
    response = client.get("/troubleshoot/map/")
    html = response.content.decode()
    chart = flowchart.get()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count('<a href="/troubleshoot/?') == len(chart.questions)
    assert svg.count('<a href="/troubleshoot/cause/') == len(chart.outcomes)
    # Every answer's label is written on its edge.
    answers = [a for q in chart.questions.values() for a in q.answers]
    assert svg.count('class="edge-label"') == len(answers)
    # The list that phones show holds the same questions and outcomes.
    listed = html[html.index('class="map-list"') :]
    assert listed.count('<li class="map-question') == len(chart.questions)
    assert all(
        outcome.title.replace("'", "&#x27;") in listed for outcome in chart.outcomes.values()
    )


def test_the_map_highlights_the_customers_path(client, real_content):
    html = client.get(
        "/troubleshoot/map/?code=502&log-502=no-such-file&socket-missing=other-name"
    ).content.decode()
    assert html.count('class="edge on-path"') == 3
    assert 'class="node outcome cause on-path here" aria-current="step"' in html


def test_step_commands_mark_the_values_to_change_in_the_command_itself(client, real_content):
    html = client.get("/troubleshoot/?code=502&log-502=other&symptoms-502=sudden").content.decode()
    marked = '<var class="setup-value" data-setup-value="service">YOUR_SERVICE</var>'
    assert f'status<span class="w"> </span>{marked}' in html
    assert f"# {marked}: the FPM service" in html
    assert "@service@" not in html and "php8.2" not in html


def test_the_fill_marks_unknown_values_and_drops_the_comment_of_known_ones():
    from troubleshooter.templatetags.troubleshooter import fill_setup

    help_html = flowchart.get().questions["backend-running"].help
    assert "YOUR_SERVICE" in fill_setup(help_html, {})
    filled = fill_setup(help_html, {"service": "php8.1-fpm<script>"})
    assert "php8.1-fpm&lt;script&gt;" in filled
    assert "# YOUR_SERVICE" not in filled and "YOUR_SERVICE" not in filled


def test_a_vote_without_javascript_on_an_outcome_opened_directly_shows_no_walk_banner(
    client, real_content
):
    response = client.post("/troubleshoot/cause/disk-full/feedback/", {"fixed": "yes"})
    page = client.get(response["Location"]).content.decode()
    assert "Good to hear" in page
    assert "lead to a different step" not in page


@pytest.mark.parametrize("htmx", [False, True])
def test_still_broken_offers_the_ticket_with_the_path(client, real_content, htmx):
    answers = urlencode({"code": "503", "log-503": "limiting"})
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(
        "/troubleshoot/cause/rate-limited/feedback/",
        {"fixed": "no", "answers": answers},
        follow=not htmx,
        **headers,
    )
    page = response.content.decode()
    assert "support can take it from here" in page
    link = "/tickets/new/?path=code%3D503%26log-503%3Dlimiting&amp;cause=rate-limited"
    assert link in page


def test_an_outcome_page_leads_to_the_fix_and_asks_whether_it_worked_before_offering_a_ticket(
    client, real_content
):
    html = client.get("/troubleshoot/cause/backend-down/").content.decode()
    jump = html.index('class="jump-links"')
    assert jump < html.index('id="meaning"')
    for anchor in ("#confirm", "#fix", "#prevent", "#fixed"):
        assert f'href="{anchor}"' in html[jump : jump + 400]
    assert html.index("Did this fix it?") < html.index("Still stuck?")
    # The box with the two commands opens the page, before the long sections.
    assert html.index('class="quick-fix"') < html.index('id="meaning"')
    # The link-copying tool for staff comes after everything a customer needs.
    assert html.index("Copy link to this page") > html.index("Still stuck?")
