from django.urls import path

from steward.risk import views

app_name = "risk"
urlpatterns = [
    path("", views.portfolio, name="portfolio"),
    path("analysis/", views.analysis, name="analysis"),
    path("concerns/", views.concern_list, name="concerns"),
    path("concerns/new/", views.concern_create, name="concern_create"),
    path("concerns/<int:pk>/", views.concern_detail, name="concern_detail"),
    path("concerns/<int:pk>/edit/", views.concern_edit, name="concern_edit"),
    path("concerns/<int:pk>/comment/", views.concern_comment, name="concern_comment"),
    path("concerns/<int:pk>/referrals/", views.referral_create, name="referral_create"),
    path("contracts/<int:pk>/", views.contract_risk, name="contract"),
    path("contracts/<int:pk>/provider-view/", views.provider_view, name="provider_view"),
    path("contracts/<int:pk>/<str:action>/", views.contract_risk_action, name="contract_action"),
    path("providers/<slug:slug>/", views.provider_risk, name="provider"),
]
