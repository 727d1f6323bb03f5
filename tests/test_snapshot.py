"""The restored content (tests/snapshot.py) is what a content load leaves behind."""

import io

import pytest
from django.core.management import call_command

from kb.models import Article
from kb.search import search

pytestmark = pytest.mark.django_db


def test_loading_again_over_the_restored_rows_changes_nothing(real_content):
    out = io.StringIO()
    call_command("load_content", stdout=out)
    report = out.getvalue()
    assert "0 new, 0 changed," in report
    assert "flowchart: unchanged (version 1)" in report


def test_the_restored_search_index_finds_articles_by_their_words(real_content):
    # The vocabulary that corrects typos is restored with the index.
    results = search("gunicorn workr timeout")
    assert results.results, "nothing found"
    assert results.corrected is not None


def test_rows_made_after_the_restore_get_new_ids(real_content):
    from kb.models import Category

    category = Category.objects.create(slug="made-after", title="Made after")
    article = Article.objects.create(slug="made-after", category=category)
    others = Article.objects.exclude(pk=article.pk).values_list("pk", flat=True)
    assert article.pk > max(others)
