"""Customer stories from public threads (tests/stories/stories.yaml), walked through the
troubleshooter as the customer would answer: each reaches the cause its thread settled,
in at most six answers, and a story without a log message never needs one."""

from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.django_db

STORIES = yaml.safe_load((Path(__file__).parent / "stories" / "stories.yaml").read_text())
MAX_ANSWERS = 6


def test_the_stories_cover_every_cause_and_mostly_have_no_log():
    from troubleshooter import flowchart

    outcomes = {story["outcome"] for story in STORIES}
    assert set(flowchart.CAUSES) - {"needs-support"} <= outcomes
    without_log = [story for story in STORIES if not story["log"]]
    assert len(STORIES) >= 40 and len(without_log) * 2 >= len(STORIES)


@pytest.mark.parametrize("story", STORIES, ids=lambda story: story["origin"].split("//")[1])
def test_a_customer_story_reaches_its_cause(client, real_content, story):
    assert len(story["answers"]) <= MAX_ANSWERS, story["story"]
    url = "/troubleshoot/"
    for step in story["answers"]:
        qid, _, key = step.partition("=")
        response = client.get(url)
        assert response.status_code == 200, url
        question = response.context["question"]
        assert question.id == qid, f"{story['story']}: expected {qid}, got {question.id}"
        answer = question.answer(key)
        assert answer is not None, f"{qid} has no answer {key!r}"
        if not story["log"]:
            assert not answer.log, f"{qid}={key} needs a log message this customer lacks"
        url = response.context["walk"].answer_url(answer)
    response = client.get(url, follow=True)
    assert response.context["outcome"].slug == story["outcome"], story["story"]
