"""The provider and agency directory pages."""

from django.urls import path

from steward.workspace import directory_views as views

app_name = "directory"
urlpatterns = [
    path("providers/", views.provider_list, name="provider_list"),
    path("providers/new/", views.provider_new, name="provider_create"),
    path("providers/<slug:slug>/", views.provider_detail, name="provider_detail"),
    path("providers/<slug:slug>/edit/", views.provider_edit, name="provider_edit"),
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/new/", views.agency_new, name="agency_create"),
    path("agencies/<slug:slug>/", views.agency_detail, name="agency_detail"),
    path("agencies/<slug:slug>/edit/", views.agency_edit, name="agency_edit"),
]
