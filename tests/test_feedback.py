import pytest

from kb.models import Feedback

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(content):
    content.write("backend-down", body="First.\n")
    content.load()
    content.write("backend-down", body="Second.\n", change_note="Second.")
    content.load()


def test_it_records_an_answer_against_the_version_read(client, article):
    response = client.post(
        "/kb/backend-down/v1/feedback/", {"helpful": "no", "comment": "Too short"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/kb/backend-down/v1/?feedback=no#feedback"
    feedback = Feedback.objects.get()
    assert feedback.version.number == 1
    assert not feedback.helpful
    assert feedback.comment == "Too short"


def test_the_current_version_sends_the_reader_back_to_the_article(client, article):
    response = client.post("/kb/backend-down/v2/feedback/", {"helpful": "yes"})
    assert response["Location"] == "/kb/backend-down/?feedback=yes#feedback"
    html = client.get(response["Location"]).content.decode()
    assert "Thank you for telling us" in html


def test_with_htmx_it_answers_with_the_thank_you_fragment(client, article):
    response = client.post(
        "/kb/backend-down/v2/feedback/", {"helpful": "yes"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert 'class="feedback-thanks"' in html
    assert "<html" not in html


def test_it_rejects_an_answer_that_is_neither_yes_nor_no(client, article):
    response = client.post("/kb/backend-down/v2/feedback/", {"helpful": "maybe"})
    assert response.status_code == 400
    assert not Feedback.objects.exists()


@pytest.mark.reliability("Limits", "votes: per address, and only from the site's own pages")
@pytest.mark.cache
def test_it_limits_answers_from_one_address(client, article):
    for _ in range(20):
        assert client.post("/kb/backend-down/v2/feedback/", {"helpful": "yes"}).status_code == 302
    response = client.post("/kb/backend-down/v2/feedback/", {"helpful": "yes"})
    assert response.status_code == 429
    assert Feedback.objects.count() == 20


def test_feedback_is_post_only(client, article):
    assert client.get("/kb/backend-down/v2/feedback/").status_code == 405


@pytest.mark.reliability("Limits", "votes: per address, and only from the site's own pages")
@pytest.mark.parametrize(
    ("headers", "counted"),
    [
        ({"Origin": "https://evil.example"}, False),
        ({"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, False),
        ({"Sec-Fetch-Site": "same-site"}, False),
        ({"Origin": "null"}, False),
        ({"Sec-Fetch-Site": "same-origin"}, True),
        ({"Origin": "http://testserver"}, True),
        ({}, True),  # a client that says nothing is left to the per-address limit
    ],
)
def test_a_vote_counts_only_from_the_sites_own_pages(client, headers, counted):
    from troubleshooter.models import OutcomeFeedback

    response = client.post(
        "/troubleshoot/cause/disk-full/feedback/", {"fixed": "yes"}, headers=headers
    )
    assert OutcomeFeedback.objects.count() == (1 if counted else 0)
    if not counted:
        assert response.status_code == 403
        assert "only taken from this site's own pages" in response.content.decode()


@pytest.mark.reliability("Limits", "votes: per address, and only from the site's own pages")
def test_an_article_vote_from_another_site_is_not_counted(client, article):
    response = client.post(
        "/kb/backend-down/v2/feedback/",
        {"helpful": "yes"},
        headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert Feedback.objects.count() == 0
