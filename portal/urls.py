from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from kb import views as kb_views
from kb.sitemaps import sitemaps
from portal.login import admin_login
from troubleshooter import api

urlpatterns = [
    path("", kb_views.home, name="home"),
    path("search/", kb_views.search, name="search"),
    path("kb/", include("kb.urls")),
    path("troubleshoot/", include("troubleshooter.urls")),
    path("tickets/", include("tickets.urls")),
    path("api/diagnose", api.diagnose, name="api-diagnose"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
    path("admin/login/", admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
]

handler404 = "kb.views.page_not_found"
