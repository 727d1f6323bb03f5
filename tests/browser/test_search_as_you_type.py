import re

from playwright.sync_api import expect


def test_results_appear_as_you_type_and_the_url_follows(page, site):
    page.goto(f"{site}/search/")
    page.get_by_label("Search the help articles").press_sequentially("max_chil", delay=30)

    results = page.locator("#search-results .results li")
    expect(results.first).to_be_visible()
    expect(page.locator("#search-results")).to_contain_text("pm.max_children")
    expect(page).to_have_url(f"{site}/search/?q=max_chil")
    assert page.js_errors == []


def test_the_home_page_shows_results_under_the_box(page, site):
    page.goto(site)
    page.get_by_label("Search the help articles").fill("connection refused")
    expect(page.locator("#home-results .results li").first).to_be_visible()
    expect(page.locator("#home-results mark").first).to_be_visible()


def test_without_javascript_the_form_still_searches(no_js_page, site):
    no_js_page.goto(site)
    no_js_page.get_by_label("Search the help articles").fill("swap file")
    no_js_page.get_by_role("button", name="Search").click()
    expect(no_js_page).to_have_url(f"{site}/search/?q=swap+file")
    expect(no_js_page.locator(".results li").first).to_be_visible()


def test_typing_a_search_adds_no_history_entries_and_back_leaves_the_search(page, site):
    page.goto(f"{site}/kb/")
    page.get_by_role("link", name="Search").first.click()
    expect(page).to_have_url(f"{site}/search/")
    entries = page.evaluate("history.length")
    page.get_by_label("Search the help articles").press_sequentially("php fpm", delay=300)
    expect(page).to_have_url(re.compile(r"/search/\?q=php(\+|%20)fpm$"))
    expect(page.locator("#search-results .results li").first).to_be_visible()
    assert page.evaluate("history.length") == entries
    page.go_back()
    expect(page).to_have_url(f"{site}/kb/")
