from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from kb.models import Article, Category, Tag

# Addresses in one sitemap file; /sitemap.xml is the index of the files.
PER_FILE = 2_000


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = PER_FILE

    def items(self):
        return Article.objects.published().listed()

    def lastmod(self, article):
        return article.current_version.created_at

    def get_latest_lastmod(self):
        # For the index: one query, not a pass over every article.
        return Article.objects.published().aggregate(newest=Max("current_version__created_at"))[
            "newest"
        ]


class PageSitemap(Sitemap):
    priority = 0.5

    def items(self):
        return ["home", "kb:index"]

    def location(self, name):
        return reverse(name)


class CategorySitemap(Sitemap):
    priority = 0.4
    limit = PER_FILE

    def items(self):
        return Category.objects.filter(
            articles__archived_at__isnull=True, articles__current_version__isnull=False
        ).distinct()


class TagSitemap(Sitemap):
    priority = 0.3
    limit = PER_FILE

    def items(self):
        return Tag.objects.filter(articles__archived_at__isnull=True).distinct()


sitemaps = {
    "pages": PageSitemap,
    "categories": CategorySitemap,
    "articles": ArticleSitemap,
    "tags": TagSitemap,
}
