from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from kb.models import Version


class ArticleChanges(Feed):
    feed_type = Atom1Feed
    title = "Article changes"
    subtitle = "Every new version of a help article, with what changed."

    def link(self):
        return reverse("kb:index")

    def items(self):
        return Version.objects.for_feed()[:50]

    def item_title(self, item):
        return f"{item.title} (version {item.number})"

    def item_description(self, item):
        return f"{item.change_note}\n\n{item.summary}"

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.created_at

    def item_categories(self, item):
        return [item.category_slug, *item.tags]
