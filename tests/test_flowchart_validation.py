"""The flowchart check: each rule broken once, in a copy of the real flowchart, read
by the same reader `manage.py check` calls."""

import shutil

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from troubleshooter import flowchart


def copy_of_content(tmp_path, *, copy_articles=False):
    """content/ with its flowchart, outcomes and patterns copied to be broken; the
    articles are only linked to, unless a test edits one."""
    source, target = settings.BASE_DIR / "content", tmp_path / "content"
    target.mkdir()
    for entry in source.iterdir():
        if entry.is_dir() and (entry.name != "articles" or copy_articles):
            shutil.copytree(entry, target / entry.name)
        elif entry.is_dir():
            (target / entry.name).symlink_to(entry)
        else:
            shutil.copy(entry, target / entry.name)
    return target


@pytest.fixture
def chart_dir(tmp_path):
    return copy_of_content(tmp_path)


class _Written(yaml.SafeDumper):
    """Writes a value used twice out twice: content files may not use YAML aliases."""

    def ignore_aliases(self, data):
        return True


def edit(chart_dir, change):
    path = chart_dir / "flowchart.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.dump(data, Dumper=_Written, sort_keys=False, allow_unicode=True))


def question(data, qid):
    return next(q for q in data["questions"] if q["id"] == qid)


def problems(chart_dir):
    with pytest.raises(flowchart.FlowchartError) as error:
        flowchart.read(chart_dir)
    return str(error.value)


def test_the_real_flowchart_passes_the_check():
    call_command("check")


def test_manage_py_check_reports_a_broken_flowchart(chart_dir, settings):
    settings.CONTENT_DIR = chart_dir
    edit(chart_dir, lambda d: question(d, "log-502").update(colour="red"))
    with pytest.raises(SystemCheckError) as error:
        call_command("check")
    assert "question 'log-502': unknown key 'colour'" in str(error.value)


def test_it_rejects_an_unknown_key(chart_dir):
    edit(chart_dir, lambda d: question(d, "log-502").update(colour="red"))
    assert "content/flowchart.yaml: question 'log-502': unknown key 'colour'" in problems(chart_dir)


def test_it_rejects_an_unknown_key_in_an_answer(chart_dir):
    edit(chart_dir, lambda d: question(d, "log-502")["answers"][0].update(nxt="x"))
    assert "question 'log-502', answer 'refused': unknown key 'nxt'" in problems(chart_dir)


def test_it_rejects_a_duplicate_id(chart_dir):
    edit(chart_dir, lambda d: d["questions"].append(dict(question(d, "swarm"))))
    assert "content/flowchart.yaml: question 'swarm': the id is used twice" in problems(chart_dir)


def test_it_rejects_a_duplicate_answer_key(chart_dir):
    def change(data):
        answers = question(data, "in-docker")["answers"]
        answers.append(dict(answers[0]))

    edit(chart_dir, change)
    assert "question 'in-docker', answer 'yes': the key is used twice" in problems(chart_dir)


def test_it_rejects_an_answer_leading_nowhere(chart_dir):
    edit(chart_dir, lambda d: question(d, "log-502")["answers"][0].update(next="backend-runing"))
    message = problems(chart_dir)
    assert "answer 'refused': 'next' is 'backend-runing', which is not a question" in message
    assert "(did you mean 'backend-running'?)" in message


def test_it_rejects_an_answer_to_a_missing_outcome(chart_dir):
    edit(chart_dir, lambda d: question(d, "log-502")["answers"][5].update(cause="too-big"))
    assert "'cause' is 'too-big', which has no file content/outcomes/too-big.md" in problems(
        chart_dir
    )


def test_it_rejects_an_answer_with_neither_next_nor_cause(chart_dir):
    edit(chart_dir, lambda d: question(d, "in-docker")["answers"][1].pop("cause"))
    assert "answer 'no': needs exactly one of 'next' (a question) or 'cause'" in problems(chart_dir)


def test_it_rejects_an_unreachable_question(chart_dir):
    def change(data):
        data["questions"].append(
            {
                "id": "orphan",
                "question": "Lost?",
                "answers": [{"key": "x", "label": "X", "cause": "disk-full"}],
            }
        )

    edit(chart_dir, change)
    assert "question 'orphan' cannot be reached from 'code'" in problems(chart_dir)


def test_it_rejects_a_question_without_answers(chart_dir):
    edit(chart_dir, lambda d: question(d, "timeout-phase").update(answers=[]))
    assert "question 'timeout-phase': has no answers" in problems(chart_dir)


def test_it_rejects_a_loop(chart_dir):
    edit(chart_dir, lambda d: question(d, "swarm")["answers"][1].update(next="backend-running"))
    assert (
        "the questions form a loop: backend-running > address-match > blocked > swarm > backend-running"
        in problems(chart_dir)
    )


def test_it_rejects_a_link_to_a_missing_heading(chart_dir):
    edit(chart_dir, lambda d: question(d, "log-502").update(article="reading-the-error-log#nope"))
    message = problems(chart_dir)
    assert "question 'log-502': links to 'reading-the-error-log#nope'" in message
    assert "has no heading with the anchor 'nope'" in message


def test_it_rejects_a_link_to_a_missing_article(chart_dir):
    edit(chart_dir, lambda d: question(d, "log-502").update(article="no-such-article"))
    assert "links to article 'no-such-article', which does not exist" in problems(chart_dir)


def test_it_checks_links_against_the_text_of_content_itself(tmp_path):
    chart_dir = copy_of_content(tmp_path, copy_articles=True)
    article = chart_dir / "articles" / "backend-down.md"
    article.write_text(article.read_text().replace("## Confirm it", "## Check it"))
    assert "'backend-down' has no heading with the anchor 'confirm-it'" in problems(chart_dir)


def test_it_rejects_a_missing_cause_outcome(chart_dir):
    (chart_dir / "outcomes" / "rate-limited.md").unlink()
    message = problems(chart_dir)
    assert "content/outcomes/rate-limited.md: missing; every cause needs an outcome" in message


def test_it_rejects_an_outcome_no_answer_reaches(chart_dir):
    source = chart_dir / "outcomes" / "disk-full.md"
    (chart_dir / "outcomes" / "spare.md").write_text(source.read_text())
    assert "content/outcomes/spare.md: no answer leads to this outcome" in problems(chart_dir)


def test_it_rejects_an_outcome_without_its_sections(chart_dir):
    path = chart_dir / "outcomes" / "disk-full.md"
    path.write_text(path.read_text().replace("## Prevent it", "## Avoid it"))
    assert "content/outcomes/disk-full.md: the text must have exactly the sections" in problems(
        chart_dir
    )


def test_it_rejects_an_unquoted_yes_as_a_label(chart_dir):
    path = chart_dir / "flowchart.yaml"
    path.write_text(path.read_text().replace('label: "Yes"', "label: Yes"))
    assert "'label' must be text; put quotes around Yes, No, On or Off" in problems(chart_dir)


def test_it_reports_yaml_syntax_errors_with_the_file(chart_dir):
    path = chart_dir / "flowchart.yaml"
    path.write_text(path.read_text() + "\n  - id: [broken\n")
    assert "content/flowchart.yaml: not valid YAML" in problems(chart_dir)


def test_every_cause_has_an_outcome_reachable_from_the_start():
    chart = flowchart.read(settings.CONTENT_DIR)
    for cause in flowchart.CAUSES:
        assert chart.path_to(cause) is not None, cause
    assert chart.path_to(flowchart.PLATFORM_EXIT) is not None


def test_it_rejects_an_unknown_field_for_the_ticket(chart_dir):
    edit(chart_dir, lambda d: question(d, "code")["answers"][0].update(ticket={"colour": "red"}))
    assert (
        "answer '502': 'ticket' has an unknown field 'colour' (known: docker, error)"
        in problems(chart_dir)
    )


def test_the_ticket_form_refuses_a_value_it_does_not_know(chart_dir):
    from tickets.checks import hint_problems

    edit(chart_dir, lambda d: question(d, "code")["answers"][0].update(ticket={"error": "599"}))
    assert hint_problems(flowchart.read(chart_dir)) == [
        "content/flowchart.yaml: question 'code', answer '502': ticket error '599' is not one "
        "of 502, 503, 504, 52x, other"
    ]
    assert hint_problems(flowchart.read()) == []


def test_it_names_an_outcome_only_a_log_message_reaches(chart_dir):
    # Mark every answer that reaches header-too-big as resting on a log message.
    def change(data):
        for entry in data["questions"]:
            for answer in entry["answers"]:
                if answer.get("cause") == "header-too-big":
                    answer["log"] = True

    edit(chart_dir, change)
    assert (
        "content/outcomes/header-too-big.md: every path to it uses an answer marked 'log: true'"
        in problems(chart_dir)
    )


def test_it_rejects_a_log_mark_that_is_not_true_or_false(chart_dir):
    edit(chart_dir, lambda d: question(d, "log-502")["answers"][0].update(log="yes"))
    assert "answer 'refused': 'log' must be true or false" in problems(chart_dir)


def test_every_outcome_has_a_path_without_log_messages():
    chart = flowchart.get()
    start = chart.start
    no_log = flowchart._reachable(start, chart.questions, lambda answer: not answer.log)
    assert set(chart.outcomes) <= no_log


def test_it_rejects_a_placeholder_no_page_can_fill(chart_dir):
    edit(chart_dir, lambda d: question(d, "permission-target").update(help="Run `ls -l @sockte@`."))
    assert "question 'permission-target': '@sockte@' is not a value of the customer's setup" in (
        problems(chart_dir)
    )
    outcome = chart_dir / "outcomes" / "disk-full.md"
    outcome.write_text(outcome.read_text().replace("## Fix it", "Run `df -h @disk@`.\n\n## Fix it"))
    assert "content/outcomes/disk-full.md: '@disk@' is not a value" in problems(chart_dir)


def test_it_rejects_a_value_a_log_may_fill_that_no_page_knows(chart_dir):
    outcome = chart_dir / "outcomes" / "stale-dns.md"
    text = outcome.read_text()
    assert "from_log: [" in text
    outcome.write_text(text.replace("from_log: [", "from_log: [sockte, ", 1))
    assert "content/outcomes/stale-dns.md: '@sockte@' is not a value" in problems(chart_dir)
    outcome.write_text(
        text.replace("from_log: [port, container, proxy_container, domain]", "from_log: port")
    )
    assert "content/outcomes/stale-dns.md: 'from_log' must list setup values" in problems(chart_dir)


def test_every_outcome_opens_with_a_command_that_confirms_and_one_that_fixes(chart_dir):
    outcome = chart_dir / "outcomes" / "disk-full.md"
    text = outcome.read_text()
    front = text[: text.index("\n---\n", 3)]
    assert "\nconfirm:\n" in front and "\nfix:\n" in front
    outcome.write_text(text.replace("\nconfirm:\n", "\nconfirmed:\n", 1))
    found = problems(chart_dir)
    assert "content/outcomes/disk-full.md: unknown key 'confirmed'" in found
    assert "content/outcomes/disk-full.md: 'confirm' is required" in found
    outcome.write_text(text.replace('command: "df -h /; df -i /"', 'command: "df -h @disk@"'))
    assert "content/outcomes/disk-full.md: 'confirm': '@disk@' is not a value" in (
        problems(chart_dir)
    )
