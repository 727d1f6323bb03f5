""" "Your setup" in a real browser: the choice shows each command's variant for that setup,
on every page and after a reload; the variants are tabs a keyboard can switch; a setup
link from support fills the commands; without JavaScript every variant shows, labelled;
and no command is cut off at 390 or 1280 pixels."""

import re

import pytest
from playwright.sync_api import expect

OUTCOME = "/troubleshoot/cause/backend-down/"
ARTICLE = "/kb/backend-down/"
DISK = "/troubleshoot/cause/disk-full/"


@pytest.fixture(params=["phone", "page"])
def browser_page(request):
    """The same test at 390 and at 1280 pixels."""
    return request.getfixturevalue(request.param)


def choose(page, **choices):
    page.locator(".your-setup summary").click()
    for key, value in choices.items():
        page.locator(f"#your-setup-{key}").select_option(value)
    page.get_by_role("button", name="Use this setup").click()
    expect(page.locator("[data-your-setup-note]")).to_contain_text("Kept")


def shown_variant(page, group=0):
    """The setup named by the one variant of a group a reader sees."""
    variants = page.locator(".setup-variants").nth(group).locator(".setup-variant")
    visible = [v for v in variants.all() if v.is_visible()]
    assert len(visible) == 1
    return visible[0].get_attribute("data-setup")


def test_a_chosen_setup_shows_only_its_variant_after_a_reload_and_on_other_pages(
    browser_page, site
):
    page = browser_page
    page.goto(f"{site}{OUTCOME}")
    assert shown_variant(page) == "docker:no"  # nothing chosen: the first one
    choose(page, docker="yes", os="rhel")
    assert shown_variant(page) == "docker:yes"
    expect(page.locator("[data-your-setup-summary]")).to_contain_text("In Docker")

    page.reload()
    assert shown_variant(page) == "docker:yes"
    selected = page.locator(".setup-variants").first.locator("[role=tab][aria-selected=true]")
    expect(selected).to_have_text("In Docker")

    page.goto(f"{site}{DISK}")
    assert shown_variant(page) == "os:rhel"
    page.goto(f"{site}{ARTICLE}")
    assert shown_variant(page) == "runtime:php os:rhel"
    assert page.js_errors == []


def test_forgetting_the_setup_shows_the_first_variant_again(page, site):
    page.goto(f"{site}{DISK}")
    choose(page, os="rhel")
    page.get_by_role("button", name="Forget my setup").click()
    assert shown_variant(page) == "os:debian"
    page.reload()
    assert shown_variant(page) == "os:debian"
    assert page.evaluate("localStorage.getItem('portal-setup')") is None


def test_the_variants_are_tabs_a_keyboard_switches(page, site):
    page.goto(f"{site}{OUTCOME}")
    group = page.locator(".setup-variants").first
    tabs = group.get_by_role("tab")
    expect(tabs).to_have_count(3)
    tabs.first.focus()
    page.keyboard.press("ArrowRight")
    expect(tabs.nth(1)).to_be_focused()
    expect(tabs.nth(1)).to_have_attribute("aria-selected", "true")
    expect(group.get_by_role("tabpanel")).to_have_attribute("data-setup", "runtime:node docker:no")
    page.keyboard.press("End")
    expect(tabs.nth(2)).to_be_focused()
    assert shown_variant(page) == "docker:yes"
    page.keyboard.press("ArrowRight")  # round to the first
    expect(tabs.first).to_be_focused()
    assert shown_variant(page) == "docker:no"
    page.keyboard.press("Tab")  # out of the tabs, into the command shown
    panel = group.get_by_role("tabpanel")
    expect(panel.get_by_role("button", name="Copy this code")).to_be_focused()


def test_a_setup_link_fills_the_commands_and_marks_the_values(browser_page, site):
    page = browser_page
    link = "#confirm-it&setup=web:nginx;os:debian;runtime:php;docker:no;php:8.2;port:3000"
    page.goto(f"{site}{ARTICLE}{link}")
    # The setup leaves the address; the section's anchor stays.
    expect(page).to_have_url(f"{site}{ARTICLE}#confirm-it")
    assert shown_variant(page) == "runtime:php os:debian"
    block = page.locator(".setup-variants").first.get_by_role("tabpanel")
    expect(block.locator("pre code")).to_contain_text("systemctl status php8.2-fpm --no-pager")
    value = block.locator("var.setup-value.is-filled").first
    expect(value).to_have_text("8.2")
    style = value.evaluate("v => getComputedStyle(v).textDecorationLine")
    assert "underline" in style  # marked by more than a colour
    port = page.locator("var[data-setup-value=port]").first
    expect(port).to_have_text("3000")
    # What nobody has given yet stays a placeholder, marked as one.
    unknown = page.locator("var[data-setup-value=container]").first
    expect(unknown).to_have_text("YOUR_CONTAINER")
    assert "is-filled" not in unknown.get_attribute("class")
    # It is kept: the outcome page fills the same values.
    page.goto(f"{site}{OUTCOME}")
    expect(page.locator("var[data-setup-value=port]").first).to_have_text("3000")
    assert page.js_errors == []


def test_a_setup_link_with_unknown_keys_or_bad_values_fills_nothing(page, site):
    bad = "#setup=web:iis;domain:evil.example;port:99999;socket:relative;php:<b>8</b>;x:y"
    page.goto(f"{site}{OUTCOME}{bad}")
    expect(page.locator("var[data-setup-value=port]").first).to_have_text("YOUR_PORT")
    stored = page.evaluate("JSON.parse(localStorage.getItem('portal-setup'))")
    assert stored == {"choice": {}, "values": {}, "log": {}}
    assert page.locator("b").count() == page.locator("main b").count()  # nothing injected


def test_a_diagnosed_log_line_fills_the_commands_of_other_pages(page, site):
    line = (
        "2026/11/21 03:12:45 [crit] 2211#2211: *4183 connect() to unix:/run/php/php8.3-fpm.sock "
        "failed (2: No such file or directory) while connecting to upstream, client: 203.0.113.7, "
        'server: example.com, request: "GET / HTTP/1.1", '
        'upstream: "fastcgi://unix:/run/php/php8.3-fpm.sock:", host: "example.com"'
    )
    page.goto(f"{site}/troubleshoot/diagnose/")
    page.get_by_label("Log line").fill(line)
    page.get_by_role("button", name="Diagnose").click()
    # The setup is learned from the answer: wait for it before leaving the page.
    page.wait_for_load_state("networkidle")
    page.goto(f"{site}{ARTICLE}")
    assert shown_variant(page) == "runtime:php os:debian"
    expect(page.locator("var[data-setup-value=php_version]").first).to_have_text("8.3")


def test_without_javascript_every_variant_shows_labelled(no_js_page, site):
    no_js_page.goto(f"{site}{OUTCOME}")
    variants = no_js_page.locator(".setup-variant")
    assert variants.count() >= 8
    for variant in variants.all():
        expect(variant).to_be_visible()
        expect(variant.locator(".setup-variant-label")).to_have_text(re.compile(r"^Setup: \S"))
    expect(no_js_page.locator("[role=tab]")).to_have_count(0)
    expect(no_js_page.locator(".your-setup")).to_be_hidden()
    expect(no_js_page.locator("var[data-setup-value=service]").first).to_have_text("YOUR_SERVICE")


@pytest.mark.parametrize("path", [OUTCOME, ARTICLE, "/kb/firewall-block/"])
def test_no_command_is_wider_than_its_box_without_a_visible_way_to_scroll(browser_page, site, path):
    page = browser_page
    page.goto(f"{site}{path}")
    page.wait_for_timeout(200)
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for block in page.locator(".code-block").all():
        if not block.is_visible():
            continue
        box = block.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5
        pre = block.locator("pre")
        wide = pre.evaluate("p => p.scrollWidth > p.clientWidth + 1")
        if wide:
            assert pre.evaluate("p => getComputedStyle(p).overflowX") in ("auto", "scroll")
            expect(block.locator(".scroll-hint")).to_be_visible()
        copy = block.get_by_role("button", name="Copy this code")
        copy_box = copy.bounding_box()
        assert copy_box["x"] + copy_box["width"] <= width + 0.5


def test_the_setup_form_and_the_tabs_pass_axe_in_light_and_dark(browser, site):
    from tests.browser.conftest import _close, _new_page, axe_violations

    for scheme in ("light", "dark"):
        page = _new_page(browser, viewport={"width": 390, "height": 844}, color_scheme=scheme)
        page.goto(f"{site}{OUTCOME}#setup=runtime:node;docker:no;port:3000")
        page.locator(".your-setup summary").click()
        assert axe_violations(page) == [], scheme
        _close(page)


def test_a_setup_link_with_a_broken_anchor_still_fills_the_commands(page, site):
    page.goto(f"{site}{OUTCOME}#%E0%A4%A&setup=port:3000;socket:%E0%A4%A")
    expect(page.locator("var[data-setup-value=port]").first).to_have_text("3000")
    assert page.js_errors == []


def test_the_link_an_agent_copies_from_a_ticket_fills_the_customers_commands(
    browser, page, site, agent
):
    from tests.browser.conftest import _close, _new_page
    from tests.conftest import AGENT, AGENT_PASSWORD
    from tickets.models import Ticket

    ticket = Ticket.objects.create(
        vps="203.0.113.10", domain="shop.example.com", error="502", docker="no",
        email="owner@example.com", description="Down.", submission="link",
        diagnosed_cause="backend-down", outcome="backend-down",
        log="2026/11/21 03:12:45 [crit] 2211#2211: *1 connect() to unix:/run/php/php8.3-fpm.sock "
        "failed (2: No such file or directory) while connecting to upstream, client: 203.0.113.7, "
        'server: shop.example.com, request: "GET / HTTP/1.1", '
        'upstream: "fastcgi://unix:/run/php/php8.3-fpm.sock:", host: "shop.example.com"',
    )  # fmt: skip
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", AGENT)
    page.fill("#id_password", AGENT_PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{site}/admin/tickets/ticket/{ticket.pk}/change/")
    page.get_by_role("button", name="Copy a link for this customer").last.click()
    expect(page.get_by_role("button", name="Link copied")).to_be_visible()
    link = page.evaluate("navigator.clipboard.readText()")
    assert link.startswith(f"{site}/kb/backend-down/#confirm-it&setup=")
    for personal in ("shop.example.com", "owner@", "203.0.113"):
        assert personal not in link

    customer = _new_page(browser, viewport={"width": 390, "height": 844})
    customer.goto(link)
    assert shown_variant(customer) == "runtime:php os:debian"
    panel = customer.locator(".setup-variants").first.get_by_role("tabpanel")
    expect(panel.locator("pre code")).to_contain_text("systemctl status php8.3-fpm --no-pager")
    expect(panel.locator("var.setup-value.is-filled")).to_have_text("8.3")
    _close(customer)


def test_answering_that_the_app_runs_in_docker_shows_the_docker_commands_elsewhere(page, site):
    from tests.test_setup_values import query_reaching

    page.goto(f"{site}/troubleshoot/?{query_reaching('backend-running')}")
    # The answer is kept as soon as the address changes, not after htmx's settling delay:
    # a long delay here makes leaving at once certain to lose it if it were kept later.
    page.evaluate("htmx.config.defaultSettleDelay = 2000")
    page.get_by_role("link", name="It runs in Docker, next to a proxy container").click()
    expect(page).to_have_url(re.compile("backend-running=docker"))  # swapped in by htmx
    page.goto(f"{site}{OUTCOME}")
    assert shown_variant(page) == "docker:yes"
