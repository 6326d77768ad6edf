from django.urls import path

from steward.performance import views

app_name = "performance"

urlpatterns = [
    path("", views.portfolio, name="portfolio"),
    path("library/", views.library, name="library"),
    path("pep/", views.pep, name="pep"),
    path("import/", views.import_returns, name="import"),
    path("contracts/<int:pk>/", views.contract_performance, name="contract"),
    path("contracts/<int:pk>/specification/", views.specification_edit, name="specification"),
    path("contracts/<int:pk>/milestones/new/", views.milestone_new, name="milestone_new"),
    path("contracts/<int:pk>/indicators/new/", views.indicator_new, name="indicator_new"),
    path("contracts/<int:pk>/plan/", views.plan_edit, name="plan"),
    path("contracts/<int:pk>/plan/propose/", views.plan_propose, name="plan_propose"),
    path("contracts/<int:pk>/plan/timeline/", views.plan_timeline, name="plan_timeline"),
    path("contracts/<int:pk>/metrics/sign-off/", views.metrics_sign_off, name="metrics_sign_off"),
    path("plan-versions/<int:pk>/", views.plan_version, name="plan_version"),
    path("contracts/<int:pk>/surveys/new/", views.survey_new, name="survey_new"),
    path("contracts/<int:pk>/inspections/new/", views.inspection_new, name="inspection_new"),
    path("indicators/<int:pk>/", views.indicator_edit, name="indicator"),
    path("returns/<int:pk>/", views.return_detail, name="return"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
]
