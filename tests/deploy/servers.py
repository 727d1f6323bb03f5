"""Throwaway PostgreSQL and Redis servers that a test can stop and start again.

tests/with-postgres and tests/with-redis give the suite servers for its whole run;
the fault tests need servers of their own to restart, stop and kill.
"""

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.deploy.stack import connectable, free_port, wait_for


def _postgres_bindir():
    pg_config = shutil.which("pg_config")
    if pg_config:
        bindir = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout
        if os.path.exists(os.path.join(bindir.strip(), "initdb")):
            return bindir.strip()
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found: apt-get install postgresql")
    return found[-1]


class PostgresServer:
    def __init__(self):
        # Not under pytest's temporary directory, which the postgres user cannot enter.
        self.root, self.port = Path(tempfile.mkdtemp(prefix="portal-pg.")), free_port()
        self.bin = _postgres_bindir()
        self.data = self.root / "data"
        # initdb refuses to run as root; the Debian package's postgres user runs it.
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.root.chmod(0o755)
        if self.as_owner:
            shutil.chown(self.root, "postgres")
        self._run("initdb", "-D", self.data, "-U", "portal", "--auth=trust", "-E", "UTF8")
        self.url = f"postgres://portal@127.0.0.1:{self.port}/postgres"

    def _run(self, program, *args):
        subprocess.run(
            [*self.as_owner, os.path.join(self.bin, program), *map(str, args)],
            check=True, capture_output=True,
        )  # fmt: skip

    def start(self):
        self._run(
            "pg_ctl", "-D", self.data, "-l", self.root / "server.log", "-w", "-o",
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off",
            "start",
        )  # fmt: skip

    def stop(self, mode="fast"):
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def restart(self):
        # As `pg_ctl restart -m fast`, with the server's output kept in its log.
        self.stop()
        self.start()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        subprocess.run(
            [*self.as_owner, os.path.join(self.bin, "pg_ctl"), "-D", str(self.data), "-m",
             "immediate", "stop"],
            capture_output=True,
        )  # fmt: skip
        shutil.rmtree(self.root, ignore_errors=True)


class RedisServer:
    def __init__(self, root):
        self.root, self.port = root, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        server = shutil.which("redis-server")
        if not server:
            raise RuntimeError("redis-server not found: apt-get install redis-server")
        self.process = subprocess.Popen(
            [server, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.root),
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(lambda: connectable(("127.0.0.1", self.port)), "Redis")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
