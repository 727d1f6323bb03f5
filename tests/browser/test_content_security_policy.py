"""The Content-Security-Policy allows no inline script or style, and nothing breaks.

Every browser test fails when the policy blocks something (see conftest); these walk
the pages no other browser test opens, the admin among them, and show that the
watch really sees a violation.
"""

import pytest

from tests.browser.conftest import _new_page
from tests.conftest import AGENT, AGENT_PASSWORD
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_blocked_inline_style_is_seen(page, site):
    page.goto(site + "/")
    page.evaluate(
        "() => { const s = document.createElement('style');"
        " s.textContent = 'body { color: red }'; document.head.append(s); }"
    )
    page.wait_for_timeout(100)
    assert any("style-src" in message for message in page.csp_violations)
    page.csp_violations.clear()  # seen on purpose; the fixture would fail on it


def test_the_policy_is_sent_with_every_page(page, site):
    response = page.goto(site + "/kb/backend-down/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert page.locator("h1").inner_text()


@pytest.mark.parametrize(
    "path",
    [
        "/troubleshoot/map/",
        "/troubleshoot/diagnose/",
        "/tickets/new/",
        "/kb/backend-down/history/",
        "/kb/backend-down/compare/",
        "/admin/login/",
    ],
)
def test_pages_load_without_violations(page, site, path):
    page.goto(site + path)
    assert page.locator("main, #content").count() >= 1
    assert page.js_errors == []


def test_the_admin_works_under_the_policy(browser, site, agent):
    ticket = Ticket.objects.create(
        vps="vps-104233", domain="example.com", error="502", docker="no",
        email="owner@example.com", description="Down.", submission="csp",
        log="connect() to unix:/run/php/php8.2-fpm.sock failed (2: No such file or directory) "
        "while connecting to upstream, client: 203.0.113.7, server: example.com, " * 3,
    )  # fmt: skip
    page = _new_page(browser, viewport={"width": 1280, "height": 900})
    page.goto(site + "/admin/login/")
    page.fill("#id_username", AGENT)
    page.fill("#id_password", AGENT_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(site + "/admin/")
    for path in (
        "/admin/tickets/ticket/",
        f"/admin/tickets/ticket/{ticket.pk}/change/",
        "/admin/troubleshooter/outcomefeedback/",
        "/admin/kb/article/",
        "/admin/kb/article/1/change/",
    ):
        page.goto(site + path)
        assert page.locator("#content").count() == 1
    page.goto(site + f"/admin/tickets/ticket/{ticket.pk}/change/")
    log = page.locator(".ticket-log")
    # The stylesheet reached it: the long line wraps inside the page.
    assert log.evaluate("e => getComputedStyle(e).whiteSpace") == "pre-wrap"
    assert log.evaluate("e => e.scrollWidth <= e.clientWidth")
    violations = list(page.csp_violations)
    page.context.close()
    assert violations == []
