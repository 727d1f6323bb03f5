import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations


def answer(page, label):
    page.get_by_role("link", name=label).click()


def test_a_path_with_htmx_back_change_and_reload(page, site):
    page.goto(f"{site}/troubleshoot/")
    page.evaluate("window.notReloaded = true")  # gone if a click loads a whole page

    answer(page, "502 Bad Gateway")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "What does the proxy's error log say at the time of the 502?"
    )
    # Each link carries the version of the chart the walk began on.
    expect(page).to_have_url(f"{site}/troubleshoot/?code=502&chart=1")
    answer(page, "connect() failed (111: Connection refused)")
    expect(page.get_by_role("heading", level=1)).to_have_text("Is the backend running?")
    expect(page).to_have_url(f"{site}/troubleshoot/?code=502&log-502=refused&chart=1")
    assert page.evaluate("window.notReloaded") is True
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    assert page.title().startswith("Is the backend running?")

    page.go_back()
    expect(page).to_have_url(f"{site}/troubleshoot/?code=502&chart=1")
    expect(page.get_by_role("heading", level=1)).to_contain_text("error log say")

    answer(page, "connect() failed (111: Connection refused)")
    answer(page, "It runs in Docker")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are the proxy and the app containers on the same Docker network?"
    )

    # Change the first answer from 502 to 503: the later 502 answers no longer apply.
    page.locator(".trail li").first.get_by_role("link", name="Change").click()
    expect(page.locator(".answer-previous")).to_contain_text("502 Bad Gateway")
    answer(page, "503 Service Unavailable")
    expect(page.get_by_role("heading", level=1)).to_contain_text("at the time of the 503")
    expect(page.get_by_role("status")).to_contain_text("no longer applies")

    pushed = page.url
    page.reload()
    expect(page).to_have_url(pushed)
    expect(page.get_by_role("heading", level=1)).to_contain_text("at the time of the 503")
    assert page.js_errors == []


def test_the_last_answer_opens_the_outcome_page(page, site):
    page.goto(f"{site}/troubleshoot/?code=503")
    answer(page, "limiting requests, or limiting connections by zone")
    expect(page).to_have_url(
        f"{site}/troubleshoot/cause/rate-limited/?code=503&log-503=limiting&chart=1"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The proxy's rate limit is turning visitors away"
    )
    expect(page.locator(".trail")).to_contain_text("limiting requests")


def test_without_javascript_the_same_path_works_with_links(no_js_page, site):
    no_js_page.goto(f"{site}/troubleshoot/")
    answer(no_js_page, "503 Service Unavailable")
    expect(no_js_page).to_have_url(f"{site}/troubleshoot/?code=503&chart=1")
    answer(no_js_page, "server reached pm.max_children")
    expect(no_js_page).to_have_url(
        f"{site}/troubleshoot/cause/worker-pool-exhausted/?code=503&log-503=max-children&chart=1"
    )
    no_js_page.get_by_role("button", name="Yes, it works again").click()
    expect(no_js_page.get_by_role("status")).to_contain_text("Good to hear")


def test_staff_copy_the_outcome_link(page, site):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{site}/troubleshoot/cause/socket-permission/?code=502&log-502=permission")
    page.get_by_role("button", name="Copy link to this page").click()
    expect(page.get_by_role("button", name="Link copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == (
        f"{site}/troubleshoot/cause/socket-permission/"
    )


def test_the_map_opens_from_a_step_with_the_path_highlighted(page, site):
    page.goto(f"{site}/troubleshoot/?code=502&log-502=no-such-file")
    page.get_by_role("link", name="See this step on the map").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Map of the troubleshooter")
    expect(page.locator(".flowchart-map .edge.on-path")).to_have_count(2)
    here = page.locator('.flowchart-map a[aria-current="step"]')
    expect(here).to_have_count(1)
    box = page.locator(".flowchart-map").bounding_box()
    assert box["width"] > 1000  # drawn at full size, scrollable

    page.get_by_role("button", name="Fit to width").click()
    frame = page.locator(".map-frame").bounding_box()
    assert page.locator(".flowchart-map").bounding_box()["width"] <= frame["width"]

    here.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Is PHP-FPM running, and which socket does it create?"
    )


def test_troubleshooter_pages_pass_axe(page, site):
    for path in (
        "/troubleshoot/?code=502",
        "/troubleshoot/cause/wrong-upstream-address/?code=502&log-502=no-such-file&socket-missing=other-name",
        "/troubleshoot/map/?code=502",
    ):
        page.goto(site + path)
        assert axe_violations(page) == [], path


# A few customer stories, clicked through in Chromium: two without any log message.
STORY_SAMPLE = {
    "https://github.com/Mins/TuxLite/issues/45",
    "https://github.com/whatwg/build.whatwg.org/issues/19",
    "https://github.com/php/php-src/issues/13342",
}


def sample_stories():
    from tests.test_stories import STORIES

    return [story for story in STORIES if story["origin"] in STORY_SAMPLE]


def click_through(page, site, story):
    from troubleshooter import flowchart

    chart = flowchart.get()
    page.goto(f"{site}/troubleshoot/")
    for step in story["answers"]:
        qid, _, key = step.partition("=")
        expect(page.get_by_role("heading", level=1)).to_have_text(chart.questions[qid].question)
        answer(page, chart.questions[qid].answer(key).label)
    expect(page).to_have_url(re.compile(rf"/troubleshoot/cause/{story['outcome']}/\?"))


@pytest.mark.parametrize("story", sample_stories(), ids=lambda s: s["outcome"])
def test_a_customer_story_with_javascript(page, site, story):
    click_through(page, site, story)
    assert page.js_errors == []


@pytest.mark.parametrize("story", sample_stories(), ids=lambda s: s["outcome"])
def test_a_customer_story_without_javascript(no_js_page, site, story):
    click_through(no_js_page, site, story)


def test_on_a_phone_the_map_is_a_list_opened_at_the_current_step(phone, site):
    phone.goto(f"{site}/troubleshoot/?code=502&log-502=no-such-file")
    phone.get_by_role("link", name="See this step on the map").click()
    expect(phone.locator(".flowchart-map")).to_be_hidden()
    here = phone.locator('.map-list a[aria-current="step"]')
    expect(here).to_have_text("Is PHP-FPM running, and which socket does it create?")
    box = here.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 844, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    # Each answer says where it leads, and the one chosen is marked.
    chosen = phone.locator(".map-list .map-answers li.chosen")
    expect(chosen).to_have_count(2)
    expect(chosen.first).to_contain_text("502 Bad Gateway")
    expect(phone.get_by_role("button", name="Zoom in")).to_be_hidden()


def test_without_javascript_the_map_shows_no_zoom_control(no_js_page, site):
    no_js_page.goto(f"{site}/troubleshoot/map/?code=502&log-502=no-such-file")
    expect(no_js_page.locator(".flowchart-map")).to_be_visible()
    for name in ("Zoom in", "Zoom out", "Fit to width"):
        expect(no_js_page.get_by_role("button", name=name)).to_have_count(0)
    expect(no_js_page.locator("button:visible")).to_have_count(0)


def _luminance(rgb):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(v)) for v in re.findall(r"\d+", rgb)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_maps_edges_and_their_labels_stand_out_from_the_page(browser, site, scheme):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{site}/troubleshoot/map/")
    edge = page.locator(".flowchart-map .edge path").first
    stroke = edge.evaluate("el => getComputedStyle(el).stroke")
    background = page.evaluate(
        "getComputedStyle(document.querySelector('.map-frame')).backgroundColor"
    )
    light, dark = sorted([_luminance(stroke), _luminance(background)], reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 3, (stroke, background)
    labels = page.locator(".flowchart-map .edge-label")
    assert labels.count() == page.locator(".flowchart-map .edge").count()
    expect(labels.first).to_be_visible()
    context.close()
