"""The home page."""

from django.urls import path

from steward.workspace import views

app_name = "workspace"
urlpatterns = [
    path("", views.home, name="home"),
]
