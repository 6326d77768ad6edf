from django.urls import path

from steward.contracts import views

app_name = "contracts"
urlpatterns = [
    path("", views.contract_register, name="list"),
    path("new/", views.contract_create, name="create"),
    path("<int:pk>/", views.contract_detail, name="detail"),
    path("<int:pk>/edit/", views.contract_edit, name="edit"),
    path("<int:pk>/status/<slug:action>/", views.contract_transition, name="transition"),
    path("<int:pk>/amendments/new/", views.amendment_create, name="amendment_create"),
    path("<int:pk>/documents/new/", views.document_create, name="document_create"),
    path(
        "<int:pk>/documents/<int:document_pk>/",
        views.document_download,
        name="document_download",
    ),
]
