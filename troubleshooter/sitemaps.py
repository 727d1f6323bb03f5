from django.contrib.sitemaps import Sitemap

from troubleshooter import flowchart


class OutcomeSitemap(Sitemap):
    """The outcome pages: stable addresses, one per cause, worth finding from a search
    engine. The steps are not listed: they are one question of a walk each."""

    changefreq = "weekly"
    priority = 0.7

    def items(self):
        return sorted(flowchart.get().outcomes.values(), key=lambda outcome: outcome.slug)
