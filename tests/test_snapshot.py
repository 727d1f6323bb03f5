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


def test_a_test_that_does_not_ask_for_the_content_finds_none(_real_content_rows):
    # On PostgreSQL the rows stay committed between tests; the others must not see them.
    from kb.models import SearchWord

    assert not Article.objects.exists()
    assert not SearchWord.objects.exists()
    assert not search("gunicorn worker timeout").results


def test_what_a_test_changes_in_the_content_is_gone_for_the_next(real_content):
    from kb.models import SearchWord

    SearchWord.objects.all().delete()
    Article.objects.filter(slug="backend-slow").update(slug="renamed-in-a-test")


def test_the_content_is_whole_after_a_test_that_changed_it(real_content):
    from kb.models import SearchWord

    assert SearchWord.objects.exists()
    assert Article.objects.filter(slug="backend-slow").exists()
