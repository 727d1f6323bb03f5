from django.urls import path

from tickets import views

app_name = "tickets"
urlpatterns = [
    path("new/", views.new, name="new"),
    path("<str:reference>/<str:token>/", views.status, name="status"),
]
