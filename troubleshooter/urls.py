from django.urls import path

from troubleshooter import views

app_name = "troubleshooter"
urlpatterns = [
    path("", views.step, name="step"),
    path("map/", views.flowchart_map, name="map"),
    path("history/", views.history, name="history"),
    path("history/compare/", views.compare, name="compare"),
    path("history/v<int:number>/", views.version, name="version"),
    path("diagnose/", views.diagnose, name="diagnose"),
    path("cause/<slug:slug>/", views.outcome, name="outcome"),
    path("cause/<slug:slug>/feedback/", views.outcome_feedback, name="outcome_feedback"),
]
