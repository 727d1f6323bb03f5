"""Browser tests: Playwright driving Debian's Chromium against a live test server."""

import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

from tests.chromium import CHROMIUM, LAUNCH_ARGS

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser(django_db_setup):
    # Playwright's sync API runs an event loop in the test thread, where Django would
    # refuse the tests' own database calls (loading content, flushing between tests).
    # The test database is created before the loop starts.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def site(live_server, transactional_db, _real_content_rows):
    """The live server's address, with content/ loaded (its rows put back, as in
    `real_content`)."""
    _real_content_rows.restore()
    return live_server.url


def _new_page(browser, **options):
    context = browser.new_context(**options)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    # Every page is served with the production Content-Security-Policy; whatever it
    # blocks (an inline script or style, a foreign host) is a bug in the page.
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.csp_violations = blocked
    return page


def _close(page):
    violations = list(page.csp_violations)
    page.context.close()
    assert violations == [], "the Content-Security-Policy blocked something"


@pytest.fixture
def page(browser):
    page = _new_page(browser, viewport={"width": 1280, "height": 900})
    yield page
    _close(page)


@pytest.fixture
def phone(browser):
    page = _new_page(
        browser,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    yield page
    _close(page)


@pytest.fixture
def no_js_page(browser):
    page = _new_page(browser, java_script_enabled=False)
    yield page
    _close(page)


def axe_violations(page, impacts=("serious", "critical")):
    """axe-core's findings on the page as it is now, limited to the given impacts."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` (make test does it)")
    # The policy allows scripts from the site only, so axe is offered at a same-origin
    # address that the browser fetches from the test instead of the server.
    origin = "/".join(page.url.split("/")[:3])
    page.route(
        f"{origin}/__axe__.js",
        lambda route: route.fulfill(path=str(AXE), content_type="text/javascript"),
    )
    page.add_script_tag(url=f"{origin}/__axe__.js")
    result = page.evaluate("async () => JSON.stringify(await axe.run(document))")
    violations = json.loads(result)["violations"]
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"][:5]],
        }
        for v in violations
        if v["impact"] in impacts
    ]
