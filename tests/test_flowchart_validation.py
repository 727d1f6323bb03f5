"""The flowchart check: each rule broken once, in a copy of the real content/."""

import shutil

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError


@pytest.fixture
def chart_dir(tmp_path, settings):
    target = tmp_path / "content"
    shutil.copytree(settings.BASE_DIR / "content", target)
    settings.CONTENT_DIR = target
    return target


def edit(chart_dir, change):
    path = chart_dir / "flowchart.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def question(data, qid):
    return next(q for q in data["questions"] if q["id"] == qid)


def problems():
    with pytest.raises(SystemCheckError) as error:
        call_command("check")
    return str(error.value)


def test_the_real_flowchart_passes_the_check():
    call_command("check")


def test_it_rejects_an_unknown_key(chart_dir):
    edit(chart_dir, lambda d: question(d, "log-502").update(colour="red"))
    assert "content/flowchart.yaml: question 'log-502': unknown key 'colour'" in problems()


def test_it_rejects_an_unknown_key_in_an_answer(chart_dir):
    edit(chart_dir, lambda d: question(d, "log-502")["answers"][0].update(nxt="x"))
    assert "question 'log-502', answer 'refused': unknown key 'nxt'" in problems()


def test_it_rejects_a_duplicate_id(chart_dir):
    edit(chart_dir, lambda d: d["questions"].append(dict(question(d, "swarm"))))
    assert "content/flowchart.yaml: question 'swarm': the id is used twice" in problems()


def test_it_rejects_a_duplicate_answer_key(chart_dir):
    def change(data):
        answers = question(data, "in-docker")["answers"]
        answers.append(dict(answers[0]))

    edit(chart_dir, change)
    assert "question 'in-docker', answer 'yes': the key is used twice" in problems()


def test_it_rejects_an_answer_leading_nowhere(chart_dir):
    edit(chart_dir, lambda d: question(d, "log-502")["answers"][0].update(next="backend-runing"))
    message = problems()
    assert "answer 'refused': 'next' is 'backend-runing', which is not a question" in message
    assert "(did you mean 'backend-running'?)" in message


def test_it_rejects_an_answer_to_a_missing_outcome(chart_dir):
    edit(chart_dir, lambda d: question(d, "log-502")["answers"][5].update(cause="too-big"))
    assert "'cause' is 'too-big', which has no file content/outcomes/too-big.md" in problems()


def test_it_rejects_an_answer_with_neither_next_nor_cause(chart_dir):
    edit(chart_dir, lambda d: question(d, "in-docker")["answers"][1].pop("cause"))
    assert "answer 'no': needs exactly one of 'next' (a question) or 'cause'" in problems()


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
    assert "question 'orphan' cannot be reached from 'code'" in problems()


def test_it_rejects_a_question_without_answers(chart_dir):
    edit(chart_dir, lambda d: question(d, "timeout-phase").update(answers=[]))
    assert "question 'timeout-phase': has no answers" in problems()


def test_it_rejects_a_loop(chart_dir):
    edit(chart_dir, lambda d: question(d, "swarm")["answers"][1].update(next="backend-running"))
    assert (
        "the questions form a loop: backend-running > address-match > blocked > swarm > backend-running"
        in problems()
    )


def test_it_rejects_a_link_to_a_missing_heading(chart_dir):
    edit(chart_dir, lambda d: question(d, "log-502").update(article="reading-the-error-log#nope"))
    message = problems()
    assert "question 'log-502': links to 'reading-the-error-log#nope'" in message
    assert "has no heading with the anchor 'nope'" in message


def test_it_rejects_a_link_to_a_missing_article(chart_dir):
    edit(chart_dir, lambda d: question(d, "log-502").update(article="no-such-article"))
    assert "links to article 'no-such-article', which does not exist" in problems()


def test_it_checks_links_against_the_text_of_content_itself(chart_dir):
    article = chart_dir / "articles" / "backend-down.md"
    article.write_text(article.read_text().replace("## Confirm it", "## Check it"))
    assert "'backend-down' has no heading with the anchor 'confirm-it'" in problems()


def test_it_rejects_a_missing_cause_outcome(chart_dir):
    (chart_dir / "outcomes" / "rate-limited.md").unlink()
    message = problems()
    assert "content/outcomes/rate-limited.md: missing; every cause needs an outcome" in message


def test_it_rejects_an_outcome_no_answer_reaches(chart_dir):
    source = chart_dir / "outcomes" / "disk-full.md"
    (chart_dir / "outcomes" / "spare.md").write_text(source.read_text())
    assert "content/outcomes/spare.md: no answer leads to this outcome" in problems()


def test_it_rejects_an_outcome_without_its_sections(chart_dir):
    path = chart_dir / "outcomes" / "disk-full.md"
    path.write_text(path.read_text().replace("## Prevent it", "## Avoid it"))
    assert "content/outcomes/disk-full.md: the text must have exactly the sections" in problems()


def test_it_rejects_an_unquoted_yes_as_a_label(chart_dir):
    path = chart_dir / "flowchart.yaml"
    path.write_text(path.read_text().replace('label: "Yes"', "label: Yes"))
    assert "'label' must be text; put quotes around Yes, No, On or Off" in problems()


def test_it_reports_yaml_syntax_errors_with_the_file(chart_dir):
    path = chart_dir / "flowchart.yaml"
    path.write_text(path.read_text() + "\n  - id: [broken\n")
    assert "content/flowchart.yaml: not valid YAML" in problems()


def test_every_cause_has_an_outcome_reachable_from_the_start():
    from troubleshooter import flowchart

    chart = flowchart.read(settings.CONTENT_DIR)
    for cause in flowchart.CAUSES:
        assert chart.path_to(cause) is not None, cause
    assert chart.path_to(flowchart.PLATFORM_EXIT) is not None
