from django.urls import path

from steward.opendata import views

app_name = "opendata"

urlpatterns = [path("ocds.json", views.ocds_download, name="ocds")]
