"""Links that carry a customer's setup: from a ticket in the staff queue, a link to the
outcome and the article section that fit, carrying only the non-personal values of the
ticket's setup, in the fragment (which neither the page cache nor a server log sees)."""

import html
import re

import pytest

from lib.yoursetup import fragment
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

LOG = (
    "2024/05/01 10:00:00 [crit] 123#123: *1 connect() to unix:/run/php/php8.2-fpm.sock "
    "failed (2: No such file or directory) while connecting to upstream, client: 198.51.100.7, "
    'server: shop.example.com, request: "GET /cart HTTP/1.1", '
    'upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "shop.example.com"'
)


def ticket(**fields):
    return Ticket.objects.create(
        vps="203.0.113.10", domain="shop.example.com", error="502", docker="no",
        email="owner@example.com", description="Down since the upgrade.", log=LOG,
        submission="links", **fields,
    )  # fmt: skip


def links(page):
    return [html.unescape(url) for url in re.findall(r'data-copy-link="([^"]+)"', page)]


def test_the_ticket_page_offers_links_carrying_the_setup(agent_client, real_content):
    sent = ticket(diagnosed_cause="backend-down", outcome="backend-down")
    page = agent_client.get(f"/admin/tickets/ticket/{sent.pk}/change/").content.decode()
    assert "Copy a link for this customer" in page
    outcome, article = links(page)
    setup = (
        "setup=web:nginx;os:debian;runtime:php;docker:no;php:8.2;socket:/run/php/php8.2-fpm.sock"
    )
    assert outcome == f"/troubleshoot/cause/backend-down/#{setup}"
    assert article == f"/kb/backend-down/#confirm-it&{setup}"
    assert 'src="/static/js/portal.js"' in page


def test_a_link_never_carries_anything_personal(agent_client, real_content):
    sent = ticket(diagnosed_cause="backend-down", outcome="backend-down")
    page = agent_client.get(f"/admin/tickets/ticket/{sent.pk}/change/").content.decode()
    for url in links(page):
        for personal in ("shop.example.com", "owner@", "203.0.113.10", "198.51.100.7", "cart"):
            assert personal not in url


def test_an_outcome_where_the_log_names_the_wrong_address_gets_only_what_it_takes(
    agent_client, real_content
):
    # wrong-upstream-address takes only the socket from a log: the PHP version there is
    # the one the proxy wrongly names, so it does not travel.
    sent = ticket(diagnosed_cause="wrong-upstream-address")
    (url, *_) = links(agent_client.get(f"/admin/tickets/ticket/{sent.pk}/change/").content.decode())
    assert url.startswith("/troubleshoot/cause/wrong-upstream-address/#setup=")
    assert "socket:/run/php/php8.2-fpm.sock" in url and "php:" not in url


def test_a_ticket_without_an_outcome_has_no_links(agent_client, real_content):
    sent = ticket()
    page = agent_client.get(f"/admin/tickets/ticket/{sent.pk}/change/").content.decode()
    assert "Copy a link for this customer" not in page


def test_only_known_keys_of_the_right_shape_travel():
    assert fragment({"web": "nginx", "php": "8.3", "port": "3000"}) == (
        "setup=web:nginx;php:8.3;port:3000"
    )
    assert fragment(
        {
            "web": "iis", "os": "<script>", "php": "8.3;domain:x", "port": "70000",
            "socket": "/run/a b", "domain": "example.com", "email": "a@b.c",
        }
    ) == ""  # fmt: skip
    assert fragment({"socket": "/run/php/php8.3-fpm.sock", "docker": "yes"}) == (
        "setup=docker:yes;socket:/run/php/php8.3-fpm.sock"
    )
