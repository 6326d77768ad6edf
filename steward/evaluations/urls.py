from django.urls import path

from steward.evaluations import (
    views,
    views_charter,
    views_in_lieu,
    views_past_performance,
    views_renewal,
)

app_name = "evaluations"

urlpatterns = [
    # the workflow (views.py)
    path("", views.due_list, name="due"),
    path("compliance/", views.compliance, name="compliance"),
    path("contracts/<int:pk>/start/", views.evaluation_start, name="start"),
    path("<int:pk>/", views.evaluation_detail, name="detail"),
    path("<int:pk>/edit/", views.evaluation_edit, name="edit"),
    path("<int:pk>/evidence/", views.evaluation_refresh, name="refresh"),
    path("<int:pk>/release/", views.evaluation_release, name="release"),
    path("<int:pk>/comment/", views.evaluation_comment, name="comment"),
    path("<int:pk>/finalise/", views.evaluation_finalise, name="finalise"),
    path("<int:pk>/reopen/", views.evaluation_reopen, name="reopen"),
    path("<int:pk>/correct/", views.evaluation_correct, name="correct"),
    path("<int:pk>/pdf/", views.evaluation_pdf, name="pdf"),
    # past performance (views_past_performance.py)
    path("providers/<int:pk>/", views_past_performance.provider_history, name="provider"),
    # reports in lieu (views_in_lieu.py)
    path("in-lieu/", views_in_lieu.in_lieu_list, name="in_lieu_list"),
    path("contracts/<int:pk>/in-lieu/", views_in_lieu.in_lieu_new, name="in_lieu_new"),
    path("in-lieu/<int:pk>/", views_in_lieu.in_lieu_detail, name="in_lieu"),
    path("in-lieu/<int:pk>/file/", views_in_lieu.in_lieu_file, name="in_lieu_file"),
    # renewal eligibility (views_renewal.py)
    path("contracts/<int:pk>/renewal/", views_renewal.renewal, name="renewal"),
    # the Charter School Contract Review Team (views_charter.py, seed 001)
    path("contracts/<int:pk>/charter-review/", views_charter.charter_review, name="charter_review"),
]
