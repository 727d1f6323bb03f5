from django.contrib.sitemaps import Sitemap
from django.db.models import Subquery
from django.urls import reverse

from kb.models import Article, Category, Tag, Version

# Addresses in one sitemap file; /sitemap.xml is the index of the files.
PER_FILE = 2_000


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = PER_FILE

    def items(self):
        return (
            Article.objects.published()
            .select_related("current_version")
            .only("slug", "current_version__created_at")
        )

    def lastmod(self, article):
        return article.current_version.created_at

    def get_latest_lastmod(self):
        # For the index: the newest version has the highest id, so one version's date
        # is read, not every article's.
        newest = Article.objects.published().order_by("-current_version_id")
        return (
            Version.objects.filter(pk=Subquery(newest.values("current_version_id")[:1]))
            .values_list("created_at", flat=True)
            .first()
        )


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
        tagged = Article.tags.through.objects.filter(article__archived_at__isnull=True)
        return Tag.objects.filter(pk__in=tagged.values("tag_id"))


sitemaps = {
    "pages": PageSitemap,
    "categories": CategorySitemap,
    "articles": ArticleSitemap,
    "tags": TagSitemap,
}
