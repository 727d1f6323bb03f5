"""Backups as README.md's "Backups" section takes them: SQLite's online `.backup` and
PostgreSQL's pg_dump, each restored into an empty database that then holds every
ticket, email, article version and search entry the original held."""

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.deploy.servers import PostgresServer
from tests.deploy.stack import manage, production_env, shell

pytestmark = pytest.mark.faults

FILL = """
from tickets.models import Ticket
from tickets import mail
for n in range(3):
    t = Ticket.objects.create(error='502', domain=f'shop{n}.example.com', vps='vps-104233',
        docker='no', email='owner@example.com', description=f'502 since the upgrade, #{n}',
        submission=f'backup-{n}')
    mail.queue(t, 'https://help.example.com' + t.get_status_url())
"""

INVENTORY = """
import json
from kb.models import Article, Version
from kb.search import search
from tickets.models import OutboundEmail, Ticket
print(json.dumps({
    "tickets": sorted(Ticket.objects.values_list("reference", "description", "created_at")),
    "emails": OutboundEmail.objects.count(),
    "articles": sorted(Article.objects.values_list("slug", "current_version__number")),
    "versions": Version.objects.count(),
    "search": [r.article.slug for r in search("socket")][:5],
}, default=str))
"""


def inventory(env):
    return json.loads(shell(env, INVENTORY).strip().splitlines()[-1])


def filled(env):
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "load_content")
    shell(env, FILL)
    found = inventory(env)
    assert len(found["tickets"]) == 3 and found["emails"] == 6 and found["versions"] > 10
    assert found["search"]
    return found


@pytest.mark.reliability("Backup", "SQLite online `.backup`, restored into an empty database")
def test_sqlite_online_backup_restores_everything(tmp_path):
    live, backup = tmp_path / "portal.sqlite3", tmp_path / "backup.sqlite3"
    env = production_env(tmp_path, DATABASE_URL=f"sqlite:///{live}")
    env.pop("REDIS_URL", None)
    before = filled(env)
    # Taken while the site has the database open (a reader mid-transaction here).
    with sqlite3.connect(live) as reader:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM tickets_ticket").fetchone()
        subprocess.run(["sqlite3", str(live), f".backup '{backup}'"], check=True)
    restored_dir = tmp_path / "restored"
    restored_dir.mkdir()
    shutil.copy(backup, restored_dir / "portal.sqlite3")
    restored = {**env, "DATABASE_URL": f"sqlite:///{restored_dir / 'portal.sqlite3'}"}
    with sqlite3.connect(restored_dir / "portal.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert inventory(restored) == before
    manage(restored, "migrate", "--check", "--no-input", "-v", "0")  # nothing missing


@pytest.mark.reliability("Backup", "`pg_dump`, restored with `pg_restore` into an empty database")
def test_postgres_dump_restores_everything_into_an_empty_database(tmp_path):
    with PostgresServer() as server:
        env = production_env(tmp_path, DATABASE_URL=server.url)
        env.pop("REDIS_URL", None)
        before = filled(env)
        dump = server.root / "portal.dump"
        run = server._run
        run("pg_dump", "--format=custom", f"--file={dump}", server.url)
        empty = server.url.rsplit("/", 1)[0] + "/restored"
        run("createdb", "-h", "127.0.0.1", "-p", server.port, "-U", "portal", "restored")
        run("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={empty}", dump)
        restored = {**env, "DATABASE_URL": empty}
        assert inventory(restored) == before
        manage(restored, "migrate", "--check", "--no-input", "-v", "0")
        assert Path(dump).stat().st_size > 0
