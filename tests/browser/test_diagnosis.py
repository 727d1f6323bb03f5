from playwright.sync_api import expect

from tests.browser.conftest import axe_violations
from tests.samples import SOCKET_LINE as LINE


def test_a_pasted_line_leads_into_the_flowchart_and_to_the_fix(page, site):
    page.goto(site)
    page.get_by_label("Log line").fill(LINE)
    page.get_by_role("button", name="Diagnose").click()

    expect(
        page.get_by_role(
            "heading", level=2, name="Most likely: The proxy points at the wrong port or socket"
        )
    ).to_be_visible()
    expect(page.locator(".evidence mark").first).to_contain_text("No such file or directory")
    expect(page.get_by_text("systemctl status php8.1-fpm")).to_be_visible()
    assert axe_violations(page) == []

    # The settling question and its answers are posted with the log lines: the address
    # never holds them.
    page.get_by_role("button", name="Is PHP-FPM running, and which socket does it create?").click()
    expect(page).to_have_url(f"{site}/troubleshoot/")
    assert axe_violations(page) == []
    page.get_by_role("button", name="It runs, but its socket has another name").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The proxy points at the wrong port or socket"
    )
    expect(page.get_by_role("heading", level=2, name="Commands for your setup")).to_be_visible()
    assert axe_violations(page) == []


def test_search_as_you_type_recognises_a_pasted_line(page, site):
    page.goto(f"{site}/search/")
    page.get_by_label("Search the help articles").fill(LINE)
    expect(page.locator("#search-results .diagnosis h2")).to_contain_text(
        "The proxy points at the wrong port or socket"
    )


def carry_into_a_ticket(page, site):
    page.goto(f"{site}/troubleshoot/diagnose/")
    page.get_by_label("Paste a log line, several lines, or a whole error log").fill(LINE)
    page.get_by_role("button", name="Diagnose").click()
    page.get_by_role("button", name="Is PHP-FPM running, and which socket does it create?").click()
    page.get_by_role("button", name="It runs, but its socket has another name").click()
    page.get_by_role("button", name="Open a support ticket").click()


def test_the_outcome_reached_from_a_line_opens_a_prefilled_ticket(page, site):
    carry_into_a_ticket(page, site)

    expect(page.get_by_label("502 Bad Gateway")).to_be_checked()
    expect(page.get_by_label("The line(s) from the proxy's error log")).to_have_value(LINE)
    sent_with = page.locator(".sent-with")
    expect(sent_with).to_contain_text("It runs, but its socket has another name")
    expect(sent_with).to_contain_text("The proxy points at the wrong port or socket")
    assert "203.0.113.7" not in page.url


def test_without_javascript_the_log_reaches_the_ticket_too(no_js_page, site):
    # A real browser sends an Origin header with each form; the ticket form must accept it.
    carry_into_a_ticket(no_js_page, site)
    expect(no_js_page.get_by_label("The line(s) from the proxy's error log")).to_have_value(LINE)
    expect(no_js_page.get_by_label("502 Bad Gateway")).to_be_checked()
