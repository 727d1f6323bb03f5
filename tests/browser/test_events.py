"""The beacon in Chromium: a page shown records what its markup says, once, when it is
left; a page that is never shown records nothing."""

import re
import time

import pytest
from playwright.sync_api import expect

from events.models import Event
from kb.models import Article
from troubleshooter.models import ChartVersion

pytestmark = pytest.mark.django_db(transaction=True)

# As a page opened in a background tab (or prerendered) sees itself until it is shown.
HIDDEN = """
window.__visibility = "hidden";
Object.defineProperty(Document.prototype, "visibilityState", {
  configurable: true, get: () => window.__visibility,
});
"""


def recorded(count, timeout=5):
    """The events stored, once there are `count` of them (or the timeout passed)."""
    deadline = time.monotonic() + timeout
    while Event.objects.count() < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return list(Event.objects.order_by("pk").values_list("kind", "subject", "detail", "version"))


def leave(page):
    page.goto("about:blank")


def test_reading_an_article_records_one_read_of_its_version(page, site):
    number = Article.objects.get(slug="backend-down").current_version.number
    page.goto(f"{site}/kb/backend-down/")
    expect(page.locator("h1")).to_be_visible()
    assert Event.objects.count() == 0  # sent when the page is left, in one batch
    leave(page)
    assert recorded(1) == [("article_read", "backend-down", "", number)]
    time.sleep(0.5)
    assert Event.objects.count() == 1


def test_walking_the_flowchart_records_each_question_reached_and_answered(page, site):
    page.goto(f"{site}/troubleshoot/")
    page.get_by_role("link", name="502 Bad Gateway").click()
    expect(page).to_have_url(re.compile(r"/troubleshoot/\?code=502&chart=\d+$"))
    chart = int(page.url.rsplit("=", 1)[1])  # the flowchart's version walked
    second = page.locator("[data-event='question_reached']").get_attribute("data-event-subject")
    page.get_by_role("link", name="connect() failed (111: Connection refused)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Is the backend running?")
    third = page.locator("[data-event='question_reached']").get_attribute("data-event-subject")
    leave(page)
    assert recorded(5) == [
        ("question_reached", "code", "", chart),
        ("question_answered", "code", "502", chart),
        ("question_reached", second, "", chart),
        ("question_answered", second, "refused", chart),
        ("question_reached", third, "", chart),
    ]
    time.sleep(0.5)
    assert Event.objects.count() == 5


def test_a_ticket_sent_after_a_search_records_the_masked_search(page, site):
    page.goto(f"{site}/search/?q=qwxzv+refused+on+10.1.2.3")
    expect(page.locator("h1")).to_be_visible()
    page.goto(f"{site}/tickets/new/")
    page.get_by_label("502 Bad Gateway").check()
    page.get_by_label("Domain").fill("example.com")
    page.get_by_label("VPS", exact=True).fill("vps-104233")
    page.get_by_label("No", exact=True).check()
    page.get_by_label("What happened, and what have you tried?").fill("502 since this morning.")
    page.get_by_label("Your email address").fill("owner@example.com")
    page.get_by_label("I cannot get the error log").check()
    page.get_by_role("button", name="Send the ticket").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ticket sent")
    page.reload()  # the search counts once, for the ticket it came before
    leave(page)
    events = recorded(2)
    assert ("search_ticket", "", "qwxzv refused on <ip>", None) in events
    assert [kind for kind, *_ in events].count("search_ticket") == 1
    assert not any("10.1.2.3" in detail for _, _, detail, _ in events)


def test_a_page_never_shown_records_nothing_and_one_shown_later_records_then(browser, page, site):
    page.add_init_script(HIDDEN)
    page.goto(f"{site}/kb/backend-down/")
    expect(page.locator("h1")).to_have_count(1)
    leave(page)
    time.sleep(1)
    assert Event.objects.count() == 0

    page.goto(f"{site}/troubleshoot/cause/backend-down/")
    expect(page.locator("h1")).to_have_count(1)
    page.evaluate(
        "window.__visibility = 'visible';document.dispatchEvent(new Event('visibilitychange'))"
    )
    leave(page)
    assert recorded(1) == [
        ("outcome_reached", "backend-down", "", ChartVersion.objects.latest("number").number)
    ]
