from django.urls import path

from steward.monitoring import (
    views,
    views_calendar,
    views_lead,
    views_opsreports,
    views_reports,
    views_reviews,
)

app_name = "monitoring"

urlpatterns = [
    # the cycle and its action plans' follow-up (views.py)
    path("", views.cycle_list, name="cycles"),
    path("results-letters/", views.results_letters, name="results_letters"),
    path("contracts/<int:pk>/", views.contract_monitoring, name="contract"),
    path("contracts/<int:pk>/start/", views.cycle_start, name="start"),
    path("<int:pk>/", views.cycle_detail, name="cycle"),
    path("<int:pk>/notify/", views.cycle_notify, name="notify"),
    path("<int:pk>/notification.pdf", views.notification_pdf, name="notification_pdf"),
    path("<int:pk>/self-assessment/", views.self_assessment, name="self_assessment"),
    path("<int:pk>/assess/", views.cycle_assess, name="assess"),
    path("<int:pk>/visit/", views.visit, name="visit"),
    path("<int:pk>/visit/date/", views.visit_date, name="visit_date"),
    path("<int:pk>/judgement/", views.judgement, name="judge"),
    path("<int:pk>/discussion/", views.discussion, name="discuss"),
    path("<int:pk>/letter/", views.letter, name="letter"),
    path("<int:pk>/appeal/", views.appeal, name="appeal"),
    path("<int:pk>/appeal/record/", views.record_appeal, name="record_appeal"),
    path("<int:pk>/appeal/decision/", views.appeal_decision, name="decide"),
    path("<int:pk>/close/", views.cycle_close, name="close"),
    path("actions/<int:pk>/done/", views.action_done, name="action_done"),
    # review meetings (views_reviews.py)
    path(
        "contracts/<int:pk>/reviews/schedule/",
        views_reviews.reviews_schedule,
        name="reviews_schedule",
    ),
    path("reviews/<int:pk>/", views_reviews.review, name="review"),
    # the lead professional's advice and requests (views_lead.py)
    path("contracts/<int:pk>/lead-requests/", views_lead.lead_requests, name="lead_requests"),
    path(
        "lead-requests/<int:pk>/<str:decision>/",
        views_lead.lead_request_answer,
        name="lead_request_answer",
    ),
    # operational monitoring reports and their templates (views_opsreports.py)
    path("report-templates/", views_opsreports.ops_templates, name="ops_templates"),
    path("report-templates/<int:pk>/", views_opsreports.ops_template, name="ops_template"),
    path(
        "contracts/<int:pk>/operational-reports/",
        views_opsreports.ops_reports,
        name="ops_reports",
    ),
    path(
        "contracts/<int:pk>/operational-reports/new/<int:template_pk>/",
        views_opsreports.ops_report_new,
        name="ops_report_new",
    ),
    # the calendar (views_calendar.py)
    path("calendar/", views_calendar.calendar, name="calendar"),
    path("calendar.ics", views_calendar.calendar_ics, name="calendar_ics"),
    path("calendar/feed/<str:token>.ics", views_calendar.calendar_feed, name="calendar_feed"),
    # reports across contracts, stages 9 and 10 (views_reports.py)
    path("reports/exceptions/", views_reports.exceptions, name="exceptions"),
    path("reports/commissioning/", views_reports.reports, name="reports"),
    path("reports/commissioning/<int:pk>/", views_reports.report, name="report"),
    path("reports/commissioning/<int:pk>/send/", views_reports.report_send, name="report_send"),
    path("reports/exceptions/send/", views_reports.exceptions_send, name="exceptions_send"),
    path("reports/recipients/", views_reports.recipients, name="recipients"),
]
