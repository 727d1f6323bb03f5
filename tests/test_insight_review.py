"""Articles past their review date: readers are told, on the day it passes, even on a
page cached before; a fresh article says nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kb.models import review_cutoff

pytestmark = pytest.mark.django_db


def months_ago(today, months):
    """The same day `months` months before `today` (the 28th at most)."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return today.replace(year=year, month=month + 1, day=min(today.day, 28))


def test_an_article_past_its_review_date_tells_readers_and_a_fresh_one_does_not(
    client, content, today
):
    content.write("backend-down", reviewed=months_ago(today, 13).isoformat())
    content.write("disk-full", reviewed=months_ago(today, 2).isoformat())
    content.load()
    old = client.get("/kb/backend-down/").content.decode()
    assert "This article was last reviewed on" in old
    assert "and may be out of date" in old
    fresh = client.get("/kb/disk-full/").content.decode()
    assert "may be out of date" not in fresh


def test_the_review_period_is_a_setting(client, content, today, settings):
    content.write("backend-down", reviewed=months_ago(today, 4).isoformat())
    content.load()
    assert "may be out of date" not in client.get("/kb/backend-down/").content.decode()
    settings.REVIEW_AFTER_MONTHS = 3
    assert "may be out of date" in client.get("/kb/backend-down/?again").content.decode()


def test_the_notice_appears_on_the_day_the_review_falls_due_even_on_a_cached_page(
    client, content, today, monkeypatch
):
    # Reviewed on the cutoff itself: due from tomorrow.
    content.write("backend-down", reviewed=review_cutoff(today).isoformat())
    content.load()
    first = client.get("/kb/backend-down/")
    assert "may be out of date" not in first.content.decode()
    assert client.get("/kb/backend-down/")["X-Page-Cache"] == "hit"

    tomorrow = timezone.now() + timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    again = client.get("/kb/backend-down/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert "may be out of date" in again.content.decode()
