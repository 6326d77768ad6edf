from django.urls import path

from steward.commissioning import views

app_name = "commissioning"
urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.needs_import, name="import"),
    path("sector/", views.sector, name="sector"),
    path("sector/export/", views.sector_export, name="sector_export"),
    path("sector/decision/", views.decision_create, name="decision_create"),
    path("intelligence/", views.intelligence, name="intelligence"),
    path("contracts/<int:pk>/area/", views.contract_area, name="contract_area"),
]
