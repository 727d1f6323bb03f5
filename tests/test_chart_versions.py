"""The flowchart as versioned content: each load that changes it records a version, the
history compares versions, and tickets and "did this fix it?" keep the version walked."""

import io
import re
import shutil

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command

from tests.test_tickets import form_values
from tickets.models import Ticket
from troubleshooter import flowchart
from troubleshooter.models import ChartVersion, ImmutableChartVersion, OutcomeFeedback

pytestmark = pytest.mark.django_db

DOCKER_PATH = "code=502&log-502=refused&backend-running=docker&same-network=no"


class Chart:
    """A copy of this repository's content/ in a temporary folder, for changing the
    flowchart and its outcomes and loading them."""

    def __init__(self, root):
        shutil.copytree(settings.CONTENT_DIR, root)
        self.root = root
        self.path = root / "flowchart.yaml"

    def change(self, edit):
        """Apply `edit` to the flowchart's data (a dict) and write it back."""
        data = yaml.safe_load(self.path.read_text())
        edit(data)
        self.path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))

    def question(self, data, qid):
        return next(q for q in data["questions"] if q["id"] == qid)

    def answer(self, data, qid, key):
        return next(a for a in self.question(data, qid)["answers"] if a["key"] == key)

    def repoint(self, qid, key, cause):
        self.change(lambda data: self.answer(data, qid, key).update(cause=cause))

    def add_question(self):
        """A question between why-stopped's "I can't tell" and stopped-checks."""

        def edit(data):
            self.answer(data, "why-stopped", "cant-tell")["next"] = "restart-count"
            data["questions"].append(
                {
                    "id": "restart-count",
                    "question": "Does systemctl show it restarted many times?",
                    "answers": [{"key": "look", "label": "Let me look", "next": "stopped-checks"}],
                }
            )

        self.change(edit)

    def remove_question(self):
        def edit(data):
            self.answer(data, "why-stopped", "cant-tell")["next"] = "stopped-checks"
            data["questions"] = [q for q in data["questions"] if q["id"] != "restart-count"]

        self.change(edit)

    def reword(self, qid, text):
        self.change(lambda data: self.question(data, qid).update(question=text))

    def edit_outcome(self, slug, old, new):
        path = self.root / "outcomes" / f"{slug}.md"
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new, 1))

    def record(self):
        return ChartVersion.objects.record(flowchart.read(self.root))


@pytest.fixture
def chart(tmp_path):
    return Chart(tmp_path / "content")


def compare(client, old, new):
    response = client.get(f"/troubleshoot/history/compare/?from={old}&to={new}")
    assert response.status_code == 200
    return response.content.decode()


# Recording versions --------------------------------------------------------------------


def test_loading_twice_records_one_version(chart):
    out = io.StringIO()
    call_command("load_content", content_dir=chart.root, stdout=out)
    call_command("load_content", content_dir=chart.root, stdout=out)

    version = ChartVersion.objects.get()
    assert version.number == 1
    assert version.question_count == len(flowchart.read(chart.root).questions)
    assert version.chart["outcomes"]["backend-crash"]["title"]
    assert "flowchart: new version 1 (First version.)" in out.getvalue()
    assert "flowchart: unchanged (version 1)" in out.getvalue()


def test_a_changed_answer_target_records_a_second_version(chart, client):
    call_command("load_content", content_dir=chart.root, stdout=io.StringIO())
    chart.repoint("why-stopped", "fatal", "backend-down")
    out = io.StringIO()
    call_command("load_content", content_dir=chart.root, stdout=out)

    assert list(ChartVersion.objects.values_list("number", flat=True)) == [2, 1]
    assert "flowchart: new version 2 (1 answer re-pointed.)" in out.getvalue()
    page = compare(client, 1, 2)
    section = page.split("<h3>Re-pointed</h3>", 1)[1].split("</ul>", 1)[0]
    assert (
        "It crashes while serving (a segfault, signal 11, an exception, a worker timeout)"
        in section
    )
    assert "now leads to <ins>outcome “PHP-FPM or your application is not running”</ins>" in section
    assert "not <del>outcome “The backend crashed or dropped" in section


def test_a_comment_or_layout_change_records_nothing(chart):
    chart.record()
    chart.path.write_text("# Reformatted.\n" + chart.path.read_text())

    assert chart.record() is None
    assert ChartVersion.objects.count() == 1


def test_a_broken_flowchart_stops_the_load_and_records_nothing(chart):
    from django.core.management.base import CommandError

    chart.repoint("why-stopped", "restarting", "no-such-outcome")
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("load_content", content_dir=chart.root, stdout=io.StringIO())
    assert not ChartVersion.objects.exists()


def test_versions_cannot_be_changed_once_written(chart):
    version = chart.record()
    version.summary = "Rewritten in place"

    with pytest.raises(ImmutableChartVersion):
        version.save()


# The history and the comparison ---------------------------------------------------------


def test_an_added_and_a_removed_question_show_as_such(chart, client):
    chart.record()
    chart.add_question()
    chart.record()
    chart.remove_question()
    chart.record()

    added = compare(client, 1, 2)
    assert "<h3>Added</h3>" in added
    assert "<ins>Does systemctl show it restarted many times?</ins>" in added
    assert "now leads to <ins>question “Does systemctl show it restarted many times?”" in added
    removed = compare(client, 2, 3)
    assert "<del>Does systemctl show it restarted many times?</del>" in removed
    assert "<ins>Does systemctl show it restarted many times?</ins>" not in removed


def test_a_reworded_question_shows_old_and_new_text(chart, client):
    chart.record()
    chart.reword("why-stopped", "What did the logs say when it stopped?")
    chart.record()

    page = compare(client, 1, 2)
    assert "<h3>Reworded</h3>" in page
    assert "<del>What did the backend or the kernel say when it stopped?</del>" in page
    assert "<ins>What did the logs say when it stopped?</ins>" in page


def test_a_changed_outcome_text_shows_as_a_text_comparison(chart, client):
    chart.record()
    chart.edit_outcome(
        "disk-full", "journalctl --disk-usage\n", "journalctl --disk-usage --quiet\n"
    )
    chart.record()

    assert ChartVersion.objects.get(number=2).summary == "1 outcome changed."
    page = compare(client, 1, 2)
    changed = page.split("<h3>Changed</h3>", 1)[1]
    assert "<code>disk-full</code>" in changed
    assert '<div class="diff-line diff-added" role="row">' in changed
    assert "journalctl --disk-usage<ins> --quiet</ins>" in changed
    assert "<del>" not in changed.split("journalctl --disk-usage", 1)[1].split("</div>", 1)[0]


def test_the_history_lists_versions_newest_first_with_a_summary(chart, client):
    chart.record()
    chart.repoint("why-stopped", "fatal", "backend-down")
    chart.record()

    response = client.get("/troubleshoot/history/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Version 2</a>") < page.index("Version 1</a>")
    questions = len(flowchart.read(chart.root).questions)
    assert f"{questions} questions, " in page
    assert "1 answer re-pointed." in page
    assert "First version." in page
    assert '<a href="/troubleshoot/history/v1/">Version 1</a>' in page


def test_a_version_page_shows_where_each_answer_leads(chart, client):
    chart.record()
    page = client.get("/troubleshoot/history/v1/").content.decode()
    assert "What did the backend or the kernel say when it stopped?" in page
    assert 'I can&#x27;t tell → <a href="#q-stopped-checks">' in page
    assert client.get("/troubleshoot/history/v2/").status_code == 404


def test_the_history_and_comparison_escape_the_content(chart, client):
    chart.record()
    chart.reword("why-stopped", "<img src=x onerror=alert(1)> stopped?")
    chart.change(lambda data: data.update(change_note="<script>alert(2)</script>"))
    chart.edit_outcome("disk-full", "## Fix it\n", "## Fix it\n\n<script>alert(3)</script>\n")
    chart.record()

    history = client.get("/troubleshoot/history/").content.decode()
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in history
    page = compare(client, 1, 2)
    assert "&lt;img src=x onerror=alert(1)&gt; stopped?" in page
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in page
    version = client.get("/troubleshoot/history/v2/").content.decode()
    for html in (history, page, version):
        assert "<script>alert" not in html
        assert "<img src=x" not in html


@pytest.mark.parametrize(
    "query", ["from=abc&to=1", "from=1&to=99999999999999999999", "from=%00&to=-1"]
)
def test_a_comparison_of_unknown_versions_says_so(chart, client, query):
    chart.record()
    response = client.get(f"/troubleshoot/history/compare/?{query}")
    assert response.status_code == 400
    assert "There is no version" in response.content.decode()
    assert "of the flowchart; pick one of 1." in response.content.decode()


def test_a_version_page_beyond_any_number_is_not_found(client):
    assert client.get("/troubleshoot/history/v99999999999999999999999/").status_code == 404


def test_the_flowchart_pages_link_to_the_history(client):
    ChartVersion.objects.record(flowchart.get())
    for url in ("/troubleshoot/", f"/troubleshoot/cause/docker-network/?{DOCKER_PATH}"):
        page = client.get(url).content.decode()
        assert (
            'Flowchart version 1 · <a href="/troubleshoot/history/">How the flowchart changed</a>'
            in page
        )


# The version walked ---------------------------------------------------------------------


@pytest.fixture
def two_versions(chart):
    """Version 1 is an older chart; version 2 is the one the site runs now."""
    chart.repoint("why-stopped", "fatal", "backend-down")
    old = chart.record()
    current = ChartVersion.objects.record(flowchart.get())
    assert flowchart.get().version == current.number == 2
    return old, current


def ticket_link(page):
    return re.search(r'href="(/tickets/new/\?[^"]+)"', page).group(1).replace("&amp;", "&")


def test_the_flowchart_carries_the_version_the_walk_began_on(client, two_versions):
    step = client.get("/troubleshoot/?code=502&chart=1").content.decode()
    assert "Flowchart version 1 ·" in step
    assert 'href="/troubleshoot/?code=502&amp;log-502=refused&amp;chart=1"' in step
    fresh = client.get("/troubleshoot/?code=502").content.decode()
    assert 'href="/troubleshoot/?code=502&amp;log-502=refused&amp;chart=2"' in fresh


def test_a_ticket_sent_after_walking_version_1_keeps_version_1(
    client, two_versions, django_capture_on_commit_callbacks
):
    # The last answer's link leads through the step page to the outcome, version and all.
    last = client.get(f"/troubleshoot/?{DOCKER_PATH}&chart=1")
    assert last.status_code == 302
    assert last["Location"].endswith("chart=1")
    outcome = client.get(last["Location"]).content.decode()
    link = ticket_link(outcome)
    assert "chart=1" in link

    values = form_values(client, url=link)
    assert values["chart_version"] == "1"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/tickets/new/", values)

    ticket = Ticket.objects.get()
    assert ticket.chart_version.number == 1
    assert ticket.path == DOCKER_PATH


def test_a_ticket_from_outside_the_flowchart_keeps_the_current_version(
    client, two_versions, django_capture_on_commit_callbacks
):
    values = form_values(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/tickets/new/", values)
    assert Ticket.objects.get().chart_version.number == 2


@pytest.mark.parametrize(
    "value", ["7", "0", "-1", "abc", "1.5", "99999999999999999999999", "١", "x" * 500]
)
def test_an_unknown_version_in_a_request_falls_back_to_the_current_one(
    client, two_versions, django_capture_on_commit_callbacks, value
):
    step = client.get("/troubleshoot/", {"code": "502", "chart": value})
    assert step.status_code == 200
    assert "log-502=refused&amp;chart=2" in step.content.decode()
    outcome = client.get(f"/troubleshoot/cause/docker-network/?{DOCKER_PATH}", {"chart": value})
    assert outcome.status_code == 200
    assert "chart=2" in ticket_link(outcome.content.decode())

    prefilled = client.get("/tickets/new/", {"path": DOCKER_PATH, "chart": value})
    assert prefilled.status_code == 200
    assert prefilled.context["form"].initial["chart_version"] == "2"
    values = form_values(client, chart_version=value)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/tickets/new/", values)
    assert sent.status_code == 302
    assert Ticket.objects.get().chart_version.number == 2

    answers = f"{DOCKER_PATH}&chart={value}"
    voted = client.post(
        "/troubleshoot/cause/docker-network/feedback/", {"fixed": "no", "answers": answers}
    )
    assert voted.status_code == 302
    assert OutcomeFeedback.objects.get().chart_version.number == 2


def test_a_nul_in_the_carried_version_is_no_reason_to_refuse_a_ticket(
    client, two_versions, django_capture_on_commit_callbacks
):
    assert client.get("/troubleshoot/", {"code": "502", "chart": "\x00"}).status_code == 200
    values = form_values(client, chart_version="1\x00")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/tickets/new/", values).status_code == 302
    assert Ticket.objects.get().chart_version.number == 2


def test_feedback_keeps_the_version_walked(client, two_versions):
    outcome = client.get(f"/troubleshoot/cause/docker-network/?{DOCKER_PATH}&chart=1")
    answers = re.search(r'name="answers" value="([^"]*)"', outcome.content.decode()).group(1)
    answers = answers.replace("&amp;", "&")
    assert answers == f"{DOCKER_PATH}&chart=1"

    response = client.post(
        "/troubleshoot/cause/docker-network/feedback/", {"fixed": "yes", "answers": answers}
    )
    assert response.status_code == 302
    assert "chart=1" in response["Location"]
    feedback = OutcomeFeedback.objects.get()
    assert feedback.chart_version.number == 1
    assert feedback.path == DOCKER_PATH.replace("&", " > ")


def test_without_any_stored_version_nothing_is_carried(client, django_capture_on_commit_callbacks):
    step = client.get("/troubleshoot/?code=502&chart=1").content.decode()
    assert "chart=" not in step
    values = form_values(client, chart_version="1")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/tickets/new/", values)
    assert Ticket.objects.get().chart_version is None


def test_the_ticket_admin_links_to_the_version_walked(
    agent_client, client, two_versions, django_capture_on_commit_callbacks
):
    values = form_values(client, chart_version="1")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/tickets/new/", values)
    ticket = Ticket.objects.get()

    page = agent_client.get(f"/admin/tickets/ticket/{ticket.pk}/change/").content.decode()
    assert '<a href="/troubleshoot/history/v1/">Version 1</a>' in page


def test_the_admin_cannot_change_or_delete_a_version(agent_client, two_versions):
    old, _ = two_versions
    assert agent_client.get("/admin/troubleshooter/chartversion/").status_code == 200
    page = agent_client.get(f"/admin/troubleshooter/chartversion/{old.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    delete = agent_client.post(
        f"/admin/troubleshooter/chartversion/{old.pk}/delete/", {"post": "yes"}
    )
    assert delete.status_code == 403
    assert ChartVersion.objects.count() == 2
