"""Benchmarks: `make bench`.

1. `manage.py diagnose --file` on a generated 1,000,000-line error log that mixes
   every program the patterns know (their example lines, with fresh timestamps)
   with the ordinary lines around them; goal: 200,000 lines per second on one core.
2. One `POST /api/diagnose` with a typical line, through Django's request handling.

Each figure is printed with its ratio to the goal, all measured in this one run.
"""

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from troubleshooter import diagnosis  # noqa: E402

LINES = 1_000_000
GOAL_LINES_PER_SECOND = 200_000
GOAL_API_MS = 50
# Lines of an error log that name no cause: start-up notices, access-log style lines.
ORDINARY = [
    "2026/11/21 03:12:45 [notice] 1#1: signal process started",
    '2026/11/21 03:12:45 [notice] 2211#2211: *4183 "^/api/" matches "/api/orders", client: 203.0.113.7, server: example.com',
    "[21-Nov-2026 03:12:45] NOTICE: fpm is running, pid 812",
    "[21-Nov-2026 03:12:45] NOTICE: ready to handle connections",
    "[2026-11-21 03:12:45 +0000] [1024] [INFO] Booting worker with pid: 1187",
    "[Sat Nov 21 03:12:45.224511 2026] [mpm_event:notice] [pid 1021:tid 140121857545792] AH00489: Apache/2.4.62 (Debian) configured -- resuming normal operations",
    '203.0.113.7 - - [21/Nov/2026:03:12:45 +0000] "GET /index.php HTTP/1.1" 200 5123 "-" "Mozilla/5.0"',
    "Nov 21 03:12:45 web systemd[1]: Started php8.2-fpm.service - The PHP 8.2 FastCGI Process Manager.",
]


def generate(path):
    library = diagnosis.library()
    failing = [line for _, line, _ in library.examples if "\n" not in line]
    rng = random.Random(20261121)
    with open(path, "w") as out:
        for n in range(LINES):
            # Roughly one line in three names a cause, as in a log written during an outage.
            line = rng.choice(failing) if n % 3 == 0 else rng.choice(ORDINARY)
            out.write(
                line.replace("03:12:45", f"{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}")
                + "\n"
            )


def bench_file(path):
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "diagnose", "--json", "--file", str(path)],
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "DEBUG": "1"},
    )
    command = time.perf_counter() - started
    with open(path) as lines:
        started = time.perf_counter()
        diagnosis.diagnose_lines(lines)
        engine = time.perf_counter() - started
    return command, engine


def bench_api():
    client = Client()
    line = (
        "2026/11/21 03:12:45 [crit] 2211#2211: *4183 connect() to unix:/run/php/php8.1-fpm.sock "
        "failed (2: No such file or directory) while connecting to upstream, client: 203.0.113.7, "
        'server: example.com, request: "GET / HTTP/1.1", upstream: '
        '"fastcgi://unix:/run/php/php8.1-fpm.sock:", host: "example.com"'
    )
    client.post("/api/diagnose", {"log": line}, HTTP_HOST="127.0.0.1")  # warm up
    timings = []
    for _ in range(200):
        started = time.perf_counter()
        response = client.post("/api/diagnose", {"log": line}, HTTP_HOST="127.0.0.1")
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content
    return statistics.median(timings) * 1000, max(timings) * 1000


def main():
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "error.log"
        generate(path)
        size = path.stat().st_size
        command, engine = bench_file(path)
    api_median, api_max = bench_api()
    print(f"diagnose --file on {LINES:,} lines ({size / 1e6:.0f} MB, all programs mixed):")
    for label, seconds in (
        ("whole command, start-up included", command),
        ("diagnosis engine", engine),
    ):
        rate = LINES / seconds
        print(
            f"  {label:34} {seconds:6.2f} s  {rate:>9,.0f} lines/s  "
            f"{rate / GOAL_LINES_PER_SECOND:.2f}x the {GOAL_LINES_PER_SECOND:,} lines/s goal"
        )
    print(
        f"POST /api/diagnose, one typical line: median {api_median:.2f} ms, slowest of 200 "
        f"{api_max:.2f} ms ({GOAL_API_MS / api_median:.1f}x faster than a {GOAL_API_MS} ms budget)"
    )


if __name__ == "__main__":
    main()
