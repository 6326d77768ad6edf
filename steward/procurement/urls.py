from django.urls import path

from steward.procurement import views, views_file
from steward.procurement import views_compliance as vc
from steward.procurement import views_placements as vp

app_name = "procurement"
urlpatterns = [
    path("", views.solicitation_index, name="list"),
    path("new/", views.solicitation_create, name="create"),
    path("limits/", views.delegated_limits, name="limits"),
    path("<int:pk>/", views.solicitation_detail, name="detail"),
    path("bids/<int:pk>/", views.bid_detail, name="bid"),
    path("debriefings/<int:pk>/", views.debriefing_detail, name="debriefing"),
    path("<int:pk>/file-pdf/", views.solicitation_pdf, name="pdf"),
    path("<int:pk>/documents/", views_file.document_upload, name="document_upload"),
    path("<int:pk>/issue/", views_file.issue, name="issue"),
    path("documents/<int:pk>/", views_file.document_download, name="document"),
    path("providers/<int:pk>/forms/", views_file.provider_forms, name="provider_forms"),
    path("provider-forms/<int:pk>/", views_file.provider_form, name="provider_form"),
    path("<int:pk>/do/<slug:action>/", views.solicitation_action, name="action"),
    path("<int:pk>/bids/<int:bid_pk>/<slug:action>/", views.bid_action, name="bid_action"),
    path("<int:pk>/appeals/<int:appeal_pk>/decide/", views.appeal_decide, name="appeal_decide"),
    path("contracts/<int:contract_pk>/placements/", vp.placements, name="placements"),
    path("contracts/<int:contract_pk>/capacity/", vp.capacity_set, name="capacity"),
    path("contracts/<int:contract_pk>/termination/", vp.termination, name="termination"),
    path("contracts/<int:contract_pk>/procurement/", vc.procurement_record, name="record"),
    path(
        "contracts/<int:contract_pk>/termination/notice/preview/",
        vp.termination_notice,
        name="termination_notice",
    ),
    path(
        "contracts/<int:contract_pk>/termination/<slug:action>/",
        vp.termination_action,
        name="termination_action",
    ),
    path(
        "contracts/<int:contract_pk>/termination/notice.pdf",
        vp.termination_notice_pdf,
        name="termination_pdf",
    ),
    path("placements/", vp.agency_placements, name="agency_placements"),
    path("placements/<int:pk>/", vp.placement_detail, name="placement"),
    path("placements/<int:pk>/<slug:step>/", vp.placement_step, name="placement_step"),
    path("finance/", vp.finance_notices, name="finance_notices"),
]
