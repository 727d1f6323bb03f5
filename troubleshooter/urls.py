from django.urls import path

from troubleshooter import views

app_name = "troubleshooter"
urlpatterns = [
    path("", views.step, name="step"),
    path("map/", views.flowchart_map, name="map"),
    path("diagnose/", views.diagnose, name="diagnose"),
    path("cause/<slug:slug>/", views.outcome, name="outcome"),
    path("cause/<slug:slug>/feedback/", views.outcome_feedback, name="outcome_feedback"),
]
