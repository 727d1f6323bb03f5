"""The staff queue as an agent sees it at 1280 px, beside the admin's sidebar."""

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from incidents.models import Incident
from tests.conftest import AGENT, AGENT_PASSWORD
from tickets.models import Ticket


def _ticket(n, **fields):
    values = {
        "vps": f"vps-10423{n}", "domain": f"shop-{n}.a-rather-long-customer-domain.example.com",
        "error": "502", "docker": "unsure", "email": "owner@example.com",
        "description": "Down since the upgrade.", "submission": f"queue-{n}",
        "created_at": timezone.now() - datetime.timedelta(hours=n, minutes=17),
    }  # fmt: skip
    return Ticket.objects.create(**{**values, **fields})


def test_the_queue_fits_beside_the_sidebar_and_shows_what_an_agent_sorts_by(page, site, agent):
    incident = Incident.objects.create(title="Packet loss in Frankfurt", affected="fra-2")
    _ticket(1, diagnosed_cause="worker-pool-exhausted", outcome="invalid-upstream-response",
            incident=incident)  # fmt: skip
    _ticket(2, log_unavailable=True, outcome="vps-unreachable", error="52x")
    _ticket(3, log="connect() failed (111: Connection refused)", diagnosed_cause="backend-down")
    page.goto(site + "/admin/login/")
    page.fill("#id_username", AGENT)
    page.fill("#id_password", AGENT_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(site + "/admin/")
    page.goto(site + "/admin/tickets/ticket/")
    expect(page.locator("#nav-sidebar")).to_be_visible()

    table = page.locator("#result_list")
    expect(table).to_be_visible()
    width = page.evaluate("document.documentElement.clientWidth")
    box = table.bounding_box()
    assert box["x"] + box["width"] <= width, f"the table ends at {box['x'] + box['width']}"
    scrolls = page.evaluate(
        "(() => { const r = document.querySelector('#changelist .results');"
        " return r.scrollWidth - r.clientWidth; })()"
    )
    assert scrolls <= 0, f"the list scrolls sideways by {scrolls}px"

    expect(table.locator("th.field-ticket").first).to_contain_text("waiting 1 hour")
    expect(table.locator(".ticket-disagree")).to_have_count(1)
    expect(table).to_contain_text("log: customer cannot get it")
    # Sorting by the wait puts the longest-waiting customer first.
    page.get_by_role("link", name="Ticket, waiting").click()
    expect(table.locator("tbody tr").first).to_contain_text("shop-3.")
