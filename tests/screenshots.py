"""Screenshots of the key pages at 390 and 1280 px, light and dark, into docs/screenshots/.

`make screenshots` (or `.venv/bin/python -m tests.screenshots`) starts the site on a
free loopback port with a database of its own, loads content/, and walks the pages a
customer meets at 3 AM: home, a search with a pasted line, an article, an outcome, a
flowchart step, the map, the diagnosis, the ticket form sent with mistakes and the
status page of the ticket sent afterwards. The files are PNGs of the first screen and
a little more (not the whole page), reduced to 256 colours by pngquant (make
screenshots installs it), so the folder stays small enough to commit and the part a
reader sees first is what gets looked at.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.chromium import CHROMIUM, LAUNCH_ARGS
from tests.samples import SOCKET_LINE

BASE_DIR = Path(__file__).resolve().parents[1]
OUT = BASE_DIR / "docs" / "screenshots"
PYTHON = BASE_DIR / ".venv" / "bin" / "python"
WIDTHS = {390: 844, 1280: 900}
SCHEMES = ("light", "dark")
# The height taken of each page: the first screen and half of the next, where a
# reader decides whether this page is the right one.
SCREENS = 1.5

PAGES = [
    ("home", "/"),
    ("search-pasted-line", "/search/?q=" + urllib.request.quote(SOCKET_LINE)),
    ("article", "/kb/backend-down/"),
    ("outcome", "/troubleshoot/cause/backend-down/"),
    ("step", "/troubleshoot/?code=502"),
    ("map", "/troubleshoot/map/?code=502&log-502=no-such-file"),
]


def free_port():
    return int(subprocess.check_output([sys.executable, str(BASE_DIR / "tests" / "free-port")]))


def start_site(database, port):
    """The development server on loopback, with content loaded into `database`."""
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{database}",
           "TICKETS_PER_HOUR": "100"}  # fmt: skip
    env.pop("REDIS_URL", None)
    manage = [str(PYTHON), str(BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    subprocess.run([*manage, "load_content", "-v", "0"], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)
            return server, url
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"the site did not start on {url}")


def shoot(page, name, width, scheme):
    height = int(WIDTHS[width] * SCREENS)
    full = page.evaluate("document.documentElement.scrollHeight")
    # From where the page is scrolled to: the map opens on the customer's step.
    top = min(page.evaluate("window.scrollY"), max(0, full - height))
    path = OUT / f"{name}-{width}-{scheme}.png"
    page.screenshot(
        path=str(path),
        clip={"x": 0, "y": top, "width": width, "height": min(height, full)},
        full_page=True,
    )
    return path


def shrink(paths):
    """The screenshots in 256 colours, each kept only where it is smaller."""
    pngquant = shutil.which("pngquant")
    if pngquant is None:
        raise SystemExit("pngquant is missing: make screenshots installs it")
    subprocess.run(
        [pngquant, "--force", "--skip-if-larger", "--quality=65-95", "--ext", ".png",
         *map(str, paths)],
        check=False,  # 98: a file that would not get smaller, which is kept as it is
    )  # fmt: skip


def diagnosis(page, url):
    page.goto(url + "/troubleshoot/diagnose/")
    page.get_by_label("Paste a log line, several lines, or a whole error log").fill(SOCKET_LINE)
    page.get_by_role("button", name="Diagnose").click()
    page.wait_for_load_state()


def ticket_with_errors(page, url):
    page.goto(url + "/tickets/new/")
    page.get_by_label("Domain").fill("example.com")
    page.get_by_label("VPS", exact=True).fill("not a vps")
    page.get_by_role("button", name="Send the ticket").click()
    page.wait_for_load_state()


def ticket_sent(page, url):
    ticket_with_errors(page, url)
    page.get_by_label("502 Bad Gateway").check()
    page.get_by_label("VPS", exact=True).fill("vps-104233")
    page.get_by_label("No", exact=True).check()
    page.get_by_label("The line(s) from the proxy's error log").fill(SOCKET_LINE)
    page.get_by_label("What happened, and what have you tried?").fill(
        "502 on every page since the PHP upgrade last night."
    )
    page.get_by_label("Your email address").fill("owner@example.com")
    page.get_by_role("button", name="Send the ticket").click()
    page.wait_for_load_state()


ACTIONS = [("diagnosis", diagnosis), ("ticket-errors", ticket_with_errors),
           ("ticket-status", ticket_sent)]  # fmt: skip


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        server, url = start_site(Path(tmp) / "screenshots.sqlite3", free_port())
        written = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
                )
                for width in WIDTHS:
                    for scheme in SCHEMES:
                        context = browser.new_context(
                            viewport={"width": width, "height": WIDTHS[width]},
                            color_scheme=scheme, is_mobile=width < 600,
                            has_touch=width < 600, device_scale_factor=1,
                        )  # fmt: skip
                        page = context.new_page()
                        for name, path in PAGES:
                            page.goto(url + path)
                            written.append(shoot(page, name, width, scheme))
                        for name, action in ACTIONS:
                            action(page, url)
                            written.append(shoot(page, name, width, scheme))
                        context.close()
                browser.close()
        finally:
            server.terminate()
            server.wait()
    shrink(written)
    for path in written:
        print(path.relative_to(BASE_DIR), f"{path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
