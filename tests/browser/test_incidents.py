"""The known-problem notice as a customer meets it: first on the page, readable in both
colour schemes and on a phone, gone once staff resolve it."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents.models import Incident
from tests.browser.conftest import _close, _new_page, axe_violations

PAGES = ["/", "/kb/backend-down/", "/troubleshoot/", "/incidents/", "/tickets/new/"]


@pytest.fixture
def incident(site):
    return Incident.objects.create(
        title="Packet loss in Frankfurt, on the switch that serves most of the fra-2 racks",
        affected="VPSs in fra-2",
        started=timezone.now() - datetime.timedelta(minutes=20),
        description="A switch drops packets.\n\n- SSH is slow\n- sites time out",
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_notice_has_no_serious_accessibility_violations(browser, site, incident, scheme):
    page = _new_page(browser, color_scheme=scheme, viewport={"width": 1280, "height": 900})
    for path in [*PAGES, incident.get_absolute_url()]:
        page.goto(site + path)
        expect(page.get_by_role("complementary", name="Known problem")).to_be_visible()
        assert axe_violations(page) == [], f"{path} ({scheme})"
    _close(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_on_a_phone_the_notice_fits_and_comes_before_the_header(browser, site, incident, scheme):
    phone = _new_page(
        browser, color_scheme=scheme, viewport={"width": 390, "height": 844},
        device_scale_factor=2, is_mobile=True, has_touch=True,
    )  # fmt: skip
    for path in PAGES:
        phone.goto(site + path)
        notice = phone.get_by_role("complementary", name="Known problem")
        expect(notice).to_contain_text("Known problem: Packet loss in Frankfurt")
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than the phone"
        notice_box = notice.bounding_box()
        header_box = phone.locator(".site-header").bounding_box()
        assert notice_box["y"] + notice_box["height"] <= header_box["y"] + 1, path
        assert axe_violations(phone) == [], f"{path} ({scheme})"
    _close(phone)


def test_the_first_step_shows_the_problem_above_the_question(page, site, incident):
    page.goto(f"{site}/troubleshoot/")
    box = page.locator(".step-known-problem")
    expect(box).to_contain_text("Before anything else")
    assert box.bounding_box()["y"] < page.locator("#question-title").bounding_box()["y"]
    # Answering moves on without it; "Start over" (an htmx swap) brings it back.
    page.get_by_role("link", name="502 Bad Gateway").click()
    expect(page.locator("#question-title")).not_to_have_text(
        "What does the browser show when you open the site?"
    )
    expect(box).to_have_count(0)
    page.get_by_role("link", name="Start over").click()
    expect(box).to_be_visible()


def test_the_notice_links_to_the_incident_and_goes_once_it_is_resolved(page, site, incident):
    page.goto(f"{site}/troubleshoot/")
    page.get_by_role("complementary", name="Known problem").get_by_role(
        "link", name="What we know"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(incident.title)
    expect(page.locator(".prose li")).to_have_count(2)
    page.go_back()
    expect(page.get_by_role("complementary", name="Known problem")).to_be_visible()
    incident.resolved = timezone.now()
    incident.save()
    # The browser may keep the page it has for its max-age; reloading asks the site.
    page.reload()
    expect(page.get_by_role("complementary", name="Known problem")).to_have_count(0)
