"""The home page."""

from django.urls import path

from steward.workspace import views, views_audit

app_name = "workspace"
urlpatterns = [
    path("", views.home, name="home"),
    path("work/", views.work, name="work"),
    path("history/<slug:kind>/<int:pk>/", views_audit.record_history_page, name="history"),
    path("access-log/", views_audit.access_log_page, name="access_log"),
]
