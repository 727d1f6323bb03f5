"""The pages whose speed `make bench` measures, pinned to the queries they make.

A page that starts asking the database once per article or per tag fails here first.
Each is asked for twice, so what a process reads once (the flowchart, templates) and
the page cache (turned off) do not count.
"""

import os

import pytest

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_page_cache(settings, real_content):
    settings.PAGE_CACHE_SECONDS = 0


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/", 1),  # the categories with their article counts
        # the article with its version (which the ETag is made from too), the related
        # articles' links and the article as rendered, both stored by the content load
        ("/kb/backend-down/", 1),
        # the ETag (version and archived), the version with its article
        ("/kb/backend-down/v1/", 2),
        ("/kb/", 3),  # the categories with their counts, the newest ids of each, their articles
        ("/kb/categories/causes/", 4),  # the category, its count, a page of ids, their articles
        ("/kb/tags/nginx/", 4),
        # the ranked matches; the page shown's titles, summaries and prose (marked in
        # Python), on both engines. On PostgreSQL the ranking runs in a transaction of
        # its own that turns sequential scans off for it: the setting, and a savepoint
        # and its release here, inside the test's own transaction.
        ("/search/?q=php-fpm+socket", 5 if ON_POSTGRES else 2),
        ("/troubleshoot/", 0),  # the flowchart is content, read once per process
        ("/troubleshoot/?code=502&log-502=refused", 0),
    ],
)
def test_each_page_makes_a_fixed_number_of_queries(client, django_assert_num_queries, url, queries):
    assert client.get(url).status_code == 200
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_a_ticket_is_saved_with_a_fixed_number_of_queries(
    client, django_assert_num_queries, settings
):
    """Sent as deployed (the outbox): whether this form was sent before, the address's
    count, the ticket and its two emails in one insert, inside a transaction (a
    savepoint and its release here, inside the test's own). The open incident it is
    tagged with comes from the cache the form's notice read, and the flowchart version
    walked from the ids this process already read."""
    from tests.test_tickets import form_values

    settings.TICKET_MAIL = "outbox"
    values = form_values(client)
    client.post("/tickets/new/", {**values, "submission": "a" * 32})
    with django_assert_num_queries(6):
        response = client.post("/tickets/new/", {**values, "submission": "b" * 32})
    assert response.status_code == 302
