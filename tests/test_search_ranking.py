"""Search over the real knowledge base puts the article that fixes a cause first for the
words a customer with that cause would type: the two or three words of the symptom or
the log, not the article's title."""

import pytest

from kb import search

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
