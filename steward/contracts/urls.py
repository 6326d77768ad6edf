from django.urls import path

from steward.contracts import register_views, report_views, views, views_due_dates

app_name = "contracts"
urlpatterns = [
    path("", views.contract_register, name="list"),
    path(
        "due-dates/<int:pk>/not-needed/",
        views_due_dates.due_date_not_needed_page,
        name="due_not_needed",
    ),
    path("due-dates/<int:pk>/reopen/", views_due_dates.due_date_reopen_page, name="due_reopen"),
    path("new/", views.contract_create, name="create"),
    path("import/", register_views.contract_import, name="import"),
    path("import/template.csv", register_views.import_template, name="import_template"),
    path("import/<int:pk>/confirm/", register_views.import_confirm, name="import_confirm"),
    path("export/", register_views.contract_export, name="export"),
    path("expiring/", report_views.expiring_report, name="report_expiring"),
    path("annual-report/", report_views.annual_report, name="report_annual"),
    path("<int:pk>/renewals/new/", register_views.renewal_create, name="renewal_create"),
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
