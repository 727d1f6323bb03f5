from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from kb.models import Article, Tag


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Article.objects.published().listed()

    def lastmod(self, article):
        return article.current_version.created_at


class PageSitemap(Sitemap):
    priority = 0.5

    def items(self):
        return ["home", "kb:index"]

    def location(self, name):
        return reverse(name)


class TagSitemap(Sitemap):
    priority = 0.3

    def items(self):
        return Tag.objects.filter(articles__archived_at__isnull=True).distinct()


sitemaps = {"pages": PageSitemap, "articles": ArticleSitemap, "tags": TagSitemap}
