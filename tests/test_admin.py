import pytest
from django.contrib.auth.models import User

from kb.models import Feedback, Version

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = User.objects.create_user("agent", password="pw", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def article(content):
    content.write("backend-down", title="The <b>backend</b> is down")
    content.load()
    version = Version.objects.get()
    Feedback.objects.create(version=version, helpful=False, comment="<script>x</script>")


def test_staff_browse_articles_versions_and_feedback(client, staff, article):
    assert "backend-down" in client.get("/admin/kb/article/").content.decode()
    versions = client.get("/admin/kb/version/").content.decode()
    assert "The &lt;b&gt;backend&lt;/b&gt; is down" in versions
    assert "<b>backend</b>" not in versions
    html = client.get("/admin/kb/feedback/").content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>x</script>" not in html


def test_versions_are_read_only_in_the_admin(client, staff, article):
    version = Version.objects.get()
    url = f"/admin/kb/version/{version.pk}/change/"
    html = client.get(url).content.decode()
    assert 'name="title"' not in html
    client.post(url, {"title": "Changed"})
    version.refresh_from_db()
    assert version.title == "The <b>backend</b> is down"
    assert client.get("/admin/kb/version/add/").status_code == 403
    assert client.post(f"/admin/kb/version/{version.pk}/delete/").status_code == 403


def test_visitors_cannot_open_the_admin(client, article):
    response = client.get("/admin/kb/article/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
