from django.urls import path

from steward.parties import views

app_name = "people"
urlpatterns = [
    path("", views.people_list, name="list"),
    path("invite/", views.person_new, name="invite"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/deactivate/", views.person_deactivate_view, name="deactivate"),
    path("<int:pk>/reactivate/", views.person_reactivate_view, name="reactivate"),
    path("<int:pk>/invite-again/", views.person_resend_view, name="resend"),
    path("<int:pk>/two-factor-reset/", views.person_two_factor_reset_view, name="two_factor_reset"),
]
