"""A query compiled once (lib.prepared) returns what its queryset returns, on SQLite and
(make test's second pass) PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb.models import Article
from kb.views import PAGE_ARTICLE
from lib.prepared import Prepared

pytestmark = pytest.mark.django_db


def fields(obj):
    return {field.attname: obj.__dict__.get(field.attname) for field in obj._meta.concrete_fields}


def test_every_article_comes_back_as_its_queryset_gives_it(real_content, django_assert_num_queries):
    slugs = list(Article.objects.values_list("slug", flat=True))
    assert len(slugs) > 10
    for slug in slugs:
        expected = Article.objects.for_page().get(slug=slug)
        with django_assert_num_queries(1):
            found = PAGE_ARTICLE.first(slug)
            # What select_related reads with it comes in the same query.
            related = {
                name: getattr(found, name) for name in ("current_version", "category", "page")
            }
        assert fields(found) == fields(expected)
        for name, obj in related.items():
            assert fields(obj) == fields(getattr(expected, name))
        assert found.current_version.get_deferred_fields() == (
            expected.current_version.get_deferred_fields()
        )
        assert found.related() == expected.related()
        assert found.current_version.reviewed == expected.current_version.reviewed


def test_an_unknown_value_finds_nothing_and_a_hostile_one_is_only_a_value(real_content):
    assert PAGE_ARTICLE.first("no-such-article") is None
    assert PAGE_ARTICLE.first("backend-down' OR '1'='1") is None
    assert PAGE_ARTICLE.first("backend-down").slug == "backend-down"


def test_it_is_compiled_once_and_run_as_one_query(real_content):
    prepared = Prepared(lambda slug: Article.objects.filter(slug=slug)[:1])
    prepared.first("backend-down")
    sql = prepared.compiled[connection.alias].sql
    with CaptureQueriesContext(connection) as queries:
        assert prepared.first("socket-permission").slug == "socket-permission"
    assert len(queries) == 1
    assert prepared.compiled[connection.alias].sql is sql


def test_a_query_whose_value_is_not_a_parameter_is_refused(real_content):
    with pytest.raises(ValueError, match="once among the parameters"):
        Prepared(lambda slug: Article.objects.all()[:1]).first("backend-down")
