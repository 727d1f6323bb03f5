import pytest

from kb.models import Feedback, Version

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(content):
    content.write("backend-down", title="The <b>backend</b> is down")
    content.load()
    version = Version.objects.get()
    Feedback.objects.create(version=version, helpful=False, comment="<script>x</script>")


def test_staff_browse_articles_versions_and_feedback(agent_client, article):
    assert "backend-down" in agent_client.get("/admin/kb/article/").content.decode()
    versions = agent_client.get("/admin/kb/version/").content.decode()
    assert "The &lt;b&gt;backend&lt;/b&gt; is down" in versions
    assert "<b>backend</b>" not in versions
    html = agent_client.get("/admin/kb/feedback/").content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>x</script>" not in html


def test_versions_are_read_only_in_the_admin(agent_client, article):
    version = Version.objects.get()
    url = f"/admin/kb/version/{version.pk}/change/"
    html = agent_client.get(url).content.decode()
    assert 'name="title"' not in html
    agent_client.post(url, {"title": "Changed"})
    version.refresh_from_db()
    assert version.title == "The <b>backend</b> is down"
    assert agent_client.get("/admin/kb/version/add/").status_code == 403
    assert agent_client.post(f"/admin/kb/version/{version.pk}/delete/").status_code == 403


def test_visitors_cannot_open_the_admin(client, article):
    response = client.get("/admin/kb/article/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_read_the_did_this_fix_it_answers(agent_client, real_content):
    from troubleshooter.models import OutcomeFeedback

    path = "code=502&log-502=no-such-file&socket-missing=other-name"
    feedback = OutcomeFeedback.objects.create(
        cause="wrong-upstream-address", fixed=False, path=path
    )
    listing = agent_client.get("/admin/troubleshooter/outcomefeedback/?fixed__exact=0")
    assert "wrong-upstream-address" in listing.content.decode()
    page = agent_client.get(f"/admin/troubleshooter/outcomefeedback/{feedback.pk}/change/")
    html = page.content.decode()
    assert f'href="/troubleshoot/map/?{path.replace("&", "&amp;")}"' in html
    assert 'name="fixed"' not in html  # customers' answers are not edited
    assert agent_client.get("/admin/troubleshooter/outcomefeedback/add/").status_code == 403
