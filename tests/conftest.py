import datetime
import functools
import io
import json
import textwrap
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests import reliability

# The member of staff every test that needs one signs in as.
AGENT = "agent"
AGENT_PASSWORD = "a long pass phrase 42"


def pytest_addoption(parser):
    reliability.pytest_addoption(parser)


def pytest_configure(config):
    reliability.pytest_configure(config)
    # Tests create and sign in users often; the real hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def agent(db):
    """A member of support staff (a superuser of the admin)."""
    from django.contrib.auth.models import User

    return User.objects.create_superuser(AGENT, "agent@example.com", AGENT_PASSWORD)


@pytest.fixture
def agent_client(client, agent):
    """The test client, signed in as the agent."""
    client.force_login(agent)
    return client


CATEGORIES = """\
- slug: causes
  title: Causes and fixes
  description: One article per cause.
- slug: basics
  title: Basics
  description: Start here.
"""


class ContentDir:
    """A content/ folder in a temporary directory, for loading made-up articles."""

    def __init__(self, root):
        self.root = root
        (root / "articles").mkdir(parents=True)
        (root / "categories.yaml").write_text(CATEGORIES)

    def write(self, name, body="Some text.\n\n## Fix it\n\nDo this.\n", **fields):
        """Write content/articles/<name>.md; `fields` override the front matter."""
        meta = {
            "title": f"Article {name}",
            "slug": name,
            "summary": f"What {name} is about.",
            "category": "causes",
            "tags": ["nginx"],
            "reviewed": "2026-07-02",
            "applies_to": ["nginx 1.18 and later"],
            "change_note": "First version.",
            # Every article of the causes category opens with these.
            "confirm": {"command": "df -h /", "text": "Use% at 100 % means the disk is full."},
            "fix": {"command": "journalctl --vacuum-size=200M", "text": "Old logs go first."},
        }
        meta.update(fields)
        lines = ["---"]
        for key, value in meta.items():
            if value is None:
                continue
            if isinstance(value, dict):
                lines.append(f"{key}: {json.dumps(value)}")  # JSON is YAML too
            elif isinstance(value, list):
                lines.append(f"{key}: [{', '.join(str(v) for v in value)}]")
            else:
                lines.append(f"{key}: {value}")
        lines.append("---")
        path = self.root / "articles" / f"{name}.md"
        path.write_text("\n".join(lines) + "\n" + textwrap.dedent(body))
        return path

    def remove(self, slug):
        (self.root / "articles" / f"{slug}.md").unlink()

    def load(self):
        from kb.loading import load

        return load(self.root)


@pytest.fixture
def content(tmp_path):
    return ContentDir(tmp_path / "content")


_SNAPSHOT = []  # the session's content snapshot, once a test has asked for it


@pytest.fixture(scope="session")
def _real_content_rows(django_db_setup, django_db_blocker):
    from django.db import connection

    from tests.snapshot import Snapshot

    with django_db_blocker.unblock():
        snapshot = Snapshot.of(lambda: call_command("load_content", stdout=io.StringIO()))
        if connection.vendor == "postgresql":
            snapshot.commit()
    _SNAPSHOT.append(snapshot)
    return snapshot


@pytest.fixture
def real_content(db, _real_content_rows):
    """The articles of this repository's content/ folder, loaded: the rows one load wrote,
    put back (see tests/snapshot.py), and the page cache told content changed."""
    from lib import generation

    if _real_content_rows.resident:
        generation.bump()
    else:
        _real_content_rows.restore()


def _database_use(item):
    """ "rollback" for a test inside a transaction rolled back, "commit" for one whose
    writes are committed, None for a test without the database (as pytest-django
    orders them)."""
    fixtures = getattr(item, "fixturenames", [])
    marker = item.get_closest_marker("django_db")
    if "transactional_db" in fixtures or "live_server" in fixtures:
        return "commit"
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return "commit"
    if marker or "db" in fixtures:
        return "rollback"
    return None


@pytest.fixture(autouse=True)
def _content_only_where_asked(request, django_db_blocker):
    """Committed content (PostgreSQL, see tests/snapshot.py) is seen only by the tests
    that ask for it: the others delete it inside their transaction, and the first test
    that commits, or runs without the database (servers of its own may read it),
    deletes it for good; from then on `real_content` inserts the rows per test."""
    if not (_SNAPSHOT and _SNAPSHOT[0].resident):
        return
    snapshot = _SNAPSHOT[0]
    if _database_use(request.node) == "rollback":
        if "real_content" not in request.fixturenames:
            request.getfixturevalue("_django_db_helper")
            snapshot.clear()
    else:
        with django_db_blocker.unblock():
            snapshot.evict()


@pytest.fixture
def today():
    return datetime.date.today()


REPO = Path(settings.BASE_DIR)


@pytest.fixture(autouse=True)
def _static_files_without_manifest(settings):
    # Production serves hashed names from collectstatic's manifest; tests read the
    # files from static/ directly instead of running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session", autouse=True)
def _render_each_text_once():
    # Rendering is a pure function of the text; many tests load the same articles.
    import lib.markdown

    original = lib.markdown.render
    lib.markdown.render = functools.lru_cache(maxsize=None)(original)
    yield
    lib.markdown.render = original


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache

    from incidents import known
    from portal import pagecache
    from troubleshooter import flowchart

    cache.clear()
    pagecache.forget()
    known.forget()
    yield
    cache.clear()
    pagecache.forget()
    known.forget()
    # Which stored version the chart is was read from this test's database, now gone.
    flowchart.forget_versions()
