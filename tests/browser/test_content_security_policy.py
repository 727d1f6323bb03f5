"""The Content-Security-Policy allows no inline script or style, and nothing breaks.

Every browser test fails when the policy blocks something (see conftest); these walk
the pages no other browser test opens, the admin among them, and show that the
watch really sees a violation.
"""

import pytest
from django.contrib.auth.models import User

from tests.browser.conftest import _new_page

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


def test_the_admin_works_under_the_policy(browser, site):
    User.objects.create_superuser("agent", "agent@example.com", "a long pass phrase 42")
    page = _new_page(browser, viewport={"width": 1280, "height": 900})
    page.goto(site + "/admin/login/")
    page.fill("#id_username", "agent")
    page.fill("#id_password", "a long pass phrase 42")
    page.click("input[type=submit]")
    page.wait_for_url(site + "/admin/")
    for path in ("/admin/tickets/ticket/", "/admin/kb/article/", "/admin/kb/article/1/change/"):
        page.goto(site + path)
        assert page.locator("#content").count() == 1
    violations = list(page.csp_violations)
    page.context.close()
    assert violations == []
