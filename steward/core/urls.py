from django.contrib.auth import views as auth_views
from django.urls import path

from steward.core import views
from steward.core.forms import SignInForm

app_name = "core"
urlpatterns = [
    path(
        "login/",
        views.SignInView.as_view(
            template_name="registration/login.html",
            authentication_form=SignInForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("packs/", views.pack_list, name="pack_list"),
    path("packs/<slug:slug>/", views.pack_detail, name="pack_detail"),
    path("packs/<slug:slug>/copy/", views.pack_copy, name="pack_copy"),
    path("packs/<slug:slug>/edit/", views.pack_edit, name="pack_edit"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/report/", views.job_report, name="job_report"),
    path("jobs/<int:pk>/retry/", views.job_retry, name="job_retry"),
    path("mail/", views.mail_list, name="mail_list"),
    path("mail/<int:pk>/send-again/", views.mail_send_again, name="mail_send_again"),
]
