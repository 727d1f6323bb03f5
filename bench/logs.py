"""A generated error log for `manage.py diagnose --file`, and its timing.

A million lines that mix the example line of every pattern (with fresh timestamps)
with the ordinary lines around them; about one line in three names a cause, as in a
log written during an outage.
"""

import json
import random
import subprocess
import sys
import time
from pathlib import Path

from tests.deploy.stack import shell

ROOT = Path(__file__).resolve().parent.parent
LINES = 1_000_000
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
EXAMPLES = (
    "import json\n"
    "from troubleshooter import diagnosis\n"
    "print(json.dumps([line for _, line, _ in diagnosis.library().examples "
    "if chr(10) not in line]))\n"
)


def failing_lines(env):
    """Every pattern's example line, as the patterns file gives them."""
    return json.loads(shell(env, EXAMPLES))


def generate(path, failing):
    rng = random.Random(20261121)
    with open(path, "w") as out:
        for n in range(LINES):
            line = rng.choice(failing) if n % 3 == 0 else rng.choice(ORDINARY)
            stamp = f"{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}"
            out.write(line.replace("03:12:45", stamp) + "\n")


def bench_file(path, env):
    """Lines per second of the whole command (start-up included), and its seconds."""
    generate(path, failing_lines(env))
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "diagnose", "--json", "--file", str(path)],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    return LINES / seconds, seconds
