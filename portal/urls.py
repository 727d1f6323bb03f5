from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from kb.sitemaps import sitemaps as kb_sitemaps
from portal import sitemaps as portal_sitemaps
from portal import views
from portal.login import admin_login
from troubleshooter import api
from troubleshooter.sitemaps import OutcomeSitemap

sitemaps = {**kb_sitemaps, "outcomes": OutcomeSitemap}


class Favicon(RedirectView):
    # Not permanent: the target's hashed name changes with the icon.
    def get_redirect_url(self, *args, **kwargs):
        return static("img/favicon.svg")


urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("kb/", include("kb.urls")),
    path("troubleshoot/", include("troubleshooter.urls")),
    path("tickets/", include("tickets.urls")),
    path("incidents/", include("incidents.urls")),
    path("api/diagnose", api.diagnose, name="api-diagnose"),
    path("events/", include("events.urls")),
    # Browsers ask for /favicon.ico whatever the page names; the icon is a static file.
    path("favicon.ico", Favicon.as_view(), name="favicon"),
    # An index of one file per section, each split into pages (`?p=2`) past its limit.
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        portal_sitemaps.section,
        {"sitemaps": sitemaps},
        name="sitemap-section",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
    # The staff dashboard sits beside the admin it is linked from.
    path("admin/insight/", include("insight.urls")),
    path("admin/login/", admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
]

handler400 = "portal.views.bad_request"
handler404 = "portal.views.page_not_found"
