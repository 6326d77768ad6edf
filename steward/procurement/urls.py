from django.urls import path

from steward.procurement import views

app_name = "procurement"
urlpatterns = [
    path("", views.solicitation_index, name="list"),
    path("new/", views.solicitation_create, name="create"),
    path("limits/", views.delegated_limits, name="limits"),
    path("<int:pk>/", views.solicitation_detail, name="detail"),
    path("bids/<int:pk>/", views.bid_detail, name="bid"),
    path("debriefings/<int:pk>/", views.debriefing_detail, name="debriefing"),
    path("<int:pk>/file.pdf", views.solicitation_pdf, name="pdf"),
    path("<int:pk>/do/<slug:action>/", views.solicitation_action, name="action"),
    path("<int:pk>/bids/<int:bid_pk>/<slug:action>/", views.bid_action, name="bid_action"),
    path("<int:pk>/appeals/<int:appeal_pk>/decide/", views.appeal_decide, name="appeal_decide"),
    path("contracts/<int:contract_pk>/placements/", views.placements, name="placements"),
    path(
        "contracts/<int:contract_pk>/placements/<int:placement_pk>/end/",
        views.placement_end,
        name="placement_end",
    ),
    path("contracts/<int:contract_pk>/capacity/", views.capacity_set, name="capacity"),
    path("contracts/<int:contract_pk>/termination/", views.termination, name="termination"),
    path(
        "contracts/<int:contract_pk>/termination/notice/",
        views.termination_notice,
        name="termination_notice",
    ),
    path(
        "contracts/<int:contract_pk>/termination/takes-effect/",
        views.termination_take_effect,
        name="termination_take_effect",
    ),
    path(
        "contracts/<int:contract_pk>/termination/notice.pdf",
        views.termination_notice_pdf,
        name="termination_pdf",
    ),
]
