"""axe-core on every page type, in both colour schemes, on a laptop and a phone."""

import pytest

from tests.browser.conftest import _close, _new_page, axe_violations

PAGES = {
    "home": "/",
    "index": "/kb/",
    "article": "/kb/wrong-upstream-address/",
    "article with tables": "/kb/reading-the-error-log/",
    "tag": "/kb/tags/nginx/",
    "category, a middle page": "/kb/categories/causes/?page=2",
    "history": "/kb/backend-down/history/",
    "search": "/search/?q=socket",
    "outcome": "/troubleshoot/cause/socket-permission/",
    "map": "/troubleshoot/map/?code=502&log-502=no-such-file",
    "empty search": "/search/?q=zzzzqqq",
    "not found": "/kb/no-such-article/",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", PAGES)
def test_no_serious_accessibility_violations(browser, site, name, scheme, monkeypatch):
    monkeypatch.setattr("kb.views.PER_PAGE", 10)  # long lists in pages, with their links
    page = _new_page(browser, color_scheme=scheme, viewport={"width": 1280, "height": 900})
    page.goto(site + PAGES[name])
    assert axe_violations(page) == []
    _close(page)


def test_no_serious_violations_on_a_version_comparison(page, site, content):
    content.write("backend-down", body="Old text.\n\n## Fix it\n\nRestart `php8.2-fpm`.\n")
    content.load()
    content.write("backend-down", body="New text.\n\n## Fix it\n\nRestart `php8.3-fpm`.\n")
    content.load()
    page.goto(f"{site}/kb/backend-down/compare/")
    assert page.locator(".diff-added").count() > 0
    assert axe_violations(page) == []


def test_no_serious_violations_on_a_phone(phone, site, monkeypatch):
    monkeypatch.setattr("kb.views.PER_PAGE", 10)
    for path in ("/", "/kb/backend-down/", "/kb/categories/causes/?page=2",
                 "/troubleshoot/cause/backend-down/",
                 "/troubleshoot/map/?code=502&log-502=no-such-file"):  # fmt: skip
        phone.goto(site + path)
        assert axe_violations(phone) == [], path


CHART_PAGES = (
    "/troubleshoot/history/",
    "/troubleshoot/history/v2/",
    "/troubleshoot/history/compare/?from=1&to=2",
)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_violations_on_the_flowcharts_history(browser, site, scheme):
    from tests.test_html_validity import second_chart_version

    second_chart_version()
    page = _new_page(browser, color_scheme=scheme, viewport={"width": 1280, "height": 900})
    for path in CHART_PAGES:
        page.goto(site + path)
        assert axe_violations(page) == [], path
    assert page.locator(".diff-added").count() > 0
    _close(page)


def test_the_flowcharts_history_fits_a_phone(phone, site):
    from tests.test_html_validity import second_chart_version

    second_chart_version()
    for path in CHART_PAGES:
        phone.goto(site + path)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, path
        assert axe_violations(phone) == [], path
