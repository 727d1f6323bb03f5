"""Many customers at once, against a live server on the SQLite file database."""

import re
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar

import pytest
from django.conf import settings

from tickets.models import Ticket

SUBMISSIONS = 32


def open_ticket(base, number):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = opener.open(f"{base}/tickets/new/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    submission = re.search(r'name="submission" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "submission": submission,
            "error": "502",
            "domain": f"site{number}.example.com",
            "vps": f"vps-{100000 + number}",
            "docker": "no",
            "log": "connect() failed (111: Connection refused) while connecting to upstream",
            "description": "Down since the deploy.",
            "email": f"owner{number}@example.com",
        }  # fmt: skip
    ).encode()
    request = urllib.request.Request(f"{base}/tickets/new/", data=data, headers={"Referer": base})
    with opener.open(request) as response:
        return response.status, response.url


@pytest.mark.reliability("Concurrency", "double submits and 32 tickets at once")
@pytest.mark.django_db(transaction=True)
def test_32_concurrent_submissions_are_all_saved(live_server, monkeypatch):
    assert settings.DATABASES["default"]["ENGINE"].endswith(("sqlite3", "postgresql"))
    monkeypatch.setattr(settings, "TICKETS_PER_HOUR", 1000)
    # urllib keeps Secure cookies off plain http, as a browser on another host would.
    monkeypatch.setattr(settings, "CSRF_COOKIE_SECURE", False)
    with ThreadPoolExecutor(max_workers=SUBMISSIONS) as pool:
        results = list(pool.map(lambda n: open_ticket(live_server.url, n), range(SUBMISSIONS)))
    assert all(status == 200 and "/tickets/" in url for status, url in results), results
    assert Ticket.objects.count() == SUBMISSIONS
    assert len(set(Ticket.objects.values_list("reference", flat=True))) == SUBMISSIONS
