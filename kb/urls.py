from django.urls import path

from kb import views
from kb.feeds import ArticleChanges

app_name = "kb"
urlpatterns = [
    path("", views.index, name="index"),
    path("feed/", ArticleChanges(), name="feed"),
    path("categories/<slug:category>/", views.category, name="category"),
    path("tags/<slug:tag>/", views.tag, name="tag"),
    path("<slug:slug>/", views.article, name="article"),
    path("<slug:slug>/history/", views.history, name="history"),
    path("<slug:slug>/compare/", views.compare, name="compare"),
    path("<slug:slug>/v<int:number>/", views.version, name="version"),
    path("<slug:slug>/v<int:number>.md", views.raw, name="raw"),
    path("<slug:slug>/v<int:number>/feedback/", views.feedback, name="feedback"),
]
