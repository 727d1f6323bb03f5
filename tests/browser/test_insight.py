"""The staff dashboard in Chromium: its SVG charts take their colours from the
stylesheet in both schemes, under the Content-Security-Policy, and axe finds nothing
serious on it."""

import pytest

from events.models import Event
from tests.browser.conftest import _new_page, axe_violations
from tests.conftest import AGENT, AGENT_PASSWORD
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_dashboard_draws_its_charts_under_the_policy(browser, site, agent, scheme):
    Event.objects.record_many(
        [{"kind": "question_reached", "subject": "code"}] * 3
        + [{"kind": "question_answered", "subject": "code", "detail": "502"}]
    )
    Ticket.objects.create(
        vps="vps-1", domain="example.com", error="502", docker="no", email="a@example.com",
        description="Down.", submission="browser", outcome="disk-full",
    )  # fmt: skip
    page = _new_page(browser, viewport={"width": 390, "height": 900}, color_scheme=scheme)
    page.goto(site + "/admin/login/?next=/admin/insight/")
    page.fill("#id_username", AGENT)
    page.fill("#id_password", AGENT_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(site + "/admin/insight/")

    bar = page.locator("#funnel .chart-bar").first
    part = page.locator("#funnel .chart-part").first
    text = page.locator("#funnel .chart-label").first
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    # Drawn in the scheme's colours, not SVG's default black, and readable on the page.
    assert bar.evaluate("e => getComputedStyle(e).fill") not in ("rgb(0, 0, 0)", background)
    assert part.evaluate("e => getComputedStyle(e).fill") != bar.evaluate(
        "e => getComputedStyle(e).fill"
    )
    assert text.evaluate("e => getComputedStyle(e).fill") != background
    # The bar for the visitors who reached the question fills the chart; the part that
    # left is the share that did not answer: two thirds of the three recorded here. A
    # beacon the previous test's page sent as it closed may land late and count one more
    # visitor, so the share is taken from what the database holds when the page is drawn.
    reached = Event.objects.filter(kind="question_reached", subject="code").count()
    answered = Event.objects.filter(kind="question_answered", subject="code").count()
    assert reached >= 3
    assert part.evaluate("e => e.getBBox().width / e.parentNode.getBBox().width") == (
        pytest.approx((reached - answered) / reached, abs=0.02)
    )
    assert page.locator("#tickets .chart-bar").count() == 1
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []
    violations, errors = list(page.csp_violations), list(page.js_errors)
    page.context.close()
    assert violations == [] and errors == []
