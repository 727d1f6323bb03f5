import re

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations
from tests.samples import SOCKET_LINE as LINE
from tickets.models import Ticket


def test_from_a_diagnosed_line_to_a_ticket_and_its_status_page(page, site):
    page.goto(f"{site}/troubleshoot/diagnose/")
    page.get_by_label("Paste a log line, several lines, or a whole error log").fill(LINE)
    page.get_by_role("button", name="Diagnose").click()
    page.get_by_role("button", name="Open a ticket with this log line").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Open a support ticket")
    expect(page).to_have_url(f"{site}/tickets/new/")  # the log line is not in the address
    expect(page.get_by_label("The line(s) from the proxy's error log")).to_have_value(LINE)
    assert axe_violations(page) == []

    page.get_by_label("502 Bad Gateway").check()
    page.get_by_label("Domain").fill("https://Example.com/")
    page.get_by_label("VPS", exact=True).fill("not a vps")
    page.get_by_label("No", exact=True).check()
    page.get_by_label("What happened, and what have you tried?").fill(
        "502 after upgrading PHP to 8.2."
    )
    page.get_by_label("Your email address").fill("owner@example.com")
    page.get_by_role("button", name="Send the ticket").click()

    expect(page.locator("#id_vps_error")).to_contain_text("Enter your VPS's identifier")
    # The list of problems at the top has the focus, and leads to the field.
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Enter your VPS's identifier").click()
    expect(page).to_have_url(re.compile(r"#id_vps$"))
    expect(page.get_by_label("Domain")).to_have_value("https://Example.com/")
    expect(page.get_by_label("The line(s) from the proxy's error log")).to_have_value(LINE)
    assert axe_violations(page) == []

    page.get_by_label("VPS", exact=True).fill("vps-104233")
    page.get_by_role("button", name="Send the ticket").click()

    ticket = Ticket.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ticket sent")
    expect(page.locator(".confirmation .reference")).to_have_text(ticket.reference)
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    assert ticket.domain == "example.com"
    assert ticket.diagnosed_cause == "wrong-upstream-address"
    assert ticket.log == LINE
    page.go_back()
    page.go_forward()
    expect(page.get_by_text("example.com").first).to_be_visible()
    assert Ticket.objects.count() == 1
