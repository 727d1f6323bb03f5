from django.contrib.sitemaps import Sitemap
from django.db.models import Subquery
from django.urls import reverse
from django.utils.functional import cached_property

from kb.models import Article, Category, Tag, Version

# Addresses in one sitemap file; /sitemap.xml is the index of the files.
PER_FILE = 2_000


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = PER_FILE

    def items(self):
        # (slug, when its current version was written): rows, not model instances, as
        # a file lists 2,000 of them.
        return (
            Article.objects.published()
            .order_by("slug")
            .values_list("slug", "current_version__created_at")
        )

    def location(self, item):
        # The address is put together from the slug around one reversed address, not
        # reversed for each of the file's articles.
        before, after = self._around_slug
        return f"{before}{item[0]}{after}"

    @cached_property
    def _around_slug(self):
        marker = "slug-of-the-article"
        before, _, after = reverse("kb:article", args=[marker]).rpartition(marker)
        return before, after

    def lastmod(self, item):
        return item[1]

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
