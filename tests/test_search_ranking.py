"""Search over the real knowledge base puts the article that fixes a cause first for the
words a customer with that cause would type: the two or three words of the symptom or
the log, not the article's title."""

import re

import pytest

from kb import search
from tests.samples import FPM_LINE, SOCKET_LINE

pytestmark = pytest.mark.django_db

# cause (an outcome of the flowchart): what a customer types, the article expected first
TYPICAL = {
    "backend-crash": ("connection reset by peer upstream", "backend-crash"),
    "backend-down": ("php-fpm not running", "backend-down"),
    "backend-slow": ("upstream timed out", "backend-slow"),
    "bot-floods": ("crawlers bots", "bot-floods"),
    "cdn-origin": ("cloudflare 522", "cdn-origin"),
    "certificate-expired": ("certbot renew", "certbot-renewal"),
    "database-down": ("error establishing database connection", "database-down"),
    "disk-full": ("no space left on device", "disk-full"),
    "docker-network": ("docker containers network", "docker-network"),
    "firewall-block": ("firewall blocks backend", "firewall-block"),
    "header-too-big": ("upstream sent too big header", "header-too-big"),
    "invalid-upstream-response": ("upstream sent invalid header", "invalid-upstream-response"),
    "limits-under-load": ("worker_connections are not enough", "limits-under-load"),
    "maintenance-mode": ("maintenance mode", "maintenance-mode"),
    "needs-support": ("open a ticket", "what-to-put-in-a-ticket"),
    "no-ready-endpoints": ("kubernetes endpoints", "app-servers-ruby-go-k8s"),
    "oom-killed": ("oom killer", "oom-killed"),
    "proxy-config-error": ("nginx -t emerg", "proxy-config-error"),
    "proxy-manager-config": ("nginx proxy manager", "proxy-manager-config"),
    "public-port-closed": ("port 443 closed", "inbound-firewall"),
    "rate-limited": ("limiting requests", "rate-limited"),
    "security-module": ("selinux", "security-module"),
    "socket-permission": ("socket permission denied", "socket-permission"),
    "stale-dns": ("stale dns", "stale-dns"),
    "swarm-ipvs": ("docker swarm", "swarm-ipvs"),
    "upstream-tls": ("ssl handshake upstream", "upstream-tls"),
    "varnish-backend-fetch-failed": ("backend fetch failed", "varnish-backend-fetch-failed"),
    "vps-unreachable": ("vps down", "is-it-the-platform"),
    "waf-blocked": ("modsecurity", "apache-under-load"),
    "websocket-proxy": ("websocket", "websockets-behind-proxy"),
    "wordpress-fatal-error": ("wordpress critical error", "wordpress-fatal-error"),
    "wordpress-floods": ("xmlrpc wp-login", "wordpress-floods"),
    "worker-pool-exhausted": ("pm.max_children", "worker-pool-exhausted"),
    "wrong-upstream-address": ("wrong port", "wrong-upstream-address"),
}


def test_the_article_for_each_cause_comes_first_for_its_typical_words(real_content):
    from troubleshooter import flowchart

    # The web server being down has no words of its own: nothing answers at all.
    causes = set(flowchart.get().outcomes) - {"web-server-down"}
    assert causes - set(TYPICAL) == set(), "a cause without typical words"
    misses = {}
    for cause, (words, expected) in sorted(TYPICAL.items()):
        found = [result.article.slug for result in search.search(words)]
        if found[:1] != [expected]:
            misses[cause] = (words, expected, found[:3])
    assert misses == {}, "\n".join(f"{c}: {m}" for c, m in misses.items())


# A line pasted from a log, and the cause the diagnosis reads in it.
PASTED = {
    "wrong-upstream-address": SOCKET_LINE,
    "worker-pool-exhausted": FPM_LINE,
    "disk-full": "2026/11/21 03:12:45 [crit] 2211#2211: *4183 open() "
    '"/var/lib/nginx/body/0000000001" failed (28: No space left on device)',
    "oom-killed": "Nov 21 03:12:45 vps kernel: Out of memory: Killed process 2211 (php-fpm8.2) "
    "total-vm:812344kB, anon-rss:402112kB",
}


@pytest.mark.parametrize("cause", sorted(PASTED))
def test_a_pasted_line_puts_the_articles_of_the_cause_it_shows_first(client, real_content, cause):
    from troubleshooter import flowchart

    response = client.get("/search/", {"q": PASTED[cause]})
    assert response.context["findings"][0]["outcome"].slug == cause
    expected = [link.slug for link in flowchart.get().outcomes[cause].articles]
    shown = [result.article.slug for result in response.context["results"]]
    first = list(dict.fromkeys(expected))
    assert shown[: len(first)] == first
    html = response.content.decode()
    # The diagnosis, then the articles: the first article named is the cause's own.
    assert html.index('class="diagnosis"') < html.index(f'href="/kb/{first[0]}/"')


def test_a_search_for_a_causes_words_offers_its_outcome_page(client, real_content):
    html = client.get("/search/", {"q": "disk full"}).content.decode()
    outcome = html.index('href="/troubleshoot/cause/disk-full/"')
    assert outcome < html.index('href="/kb/disk-full/"')
    assert "Step-by-step fixes" in html


def test_a_search_that_only_finds_an_outcome_is_not_a_failed_search(client, real_content):
    from events.models import Event

    response = client.get("/search/", {"q": "inodes"})
    assert [o.slug for o in response.context["outcomes"]] == ["disk-full"]
    assert not Event.objects.filter(kind="search_empty").exists()


def test_snippets_are_sentences_and_mark_no_stop_word_or_number(client, real_content):
    response = client.get("/search/", {"q": "the 502 on php socket"})
    results = list(response.context["results"])
    assert results
    for result in results:
        marked = re.findall(r"<mark>(.*?)</mark>", str(result.snippet) + str(result.title))
        assert {word.lower() for word in marked} & {"the", "on", "502"} == set(), marked
    # The pool-sizing article lists log paths in a table: its snippet is a sentence.
    html = client.get("/search/", {"q": "error log php"}).content.decode()
    snippets = re.findall(r'<p class="snippet">(.*?)</p>', html, re.S)
    assert snippets and not any("/var/log/php8.2-fpm.log" in s for s in snippets), snippets
