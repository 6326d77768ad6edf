from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from steward.api import api
from steward.parties import views_accounts
from steward.parties.accounts import OutboxPasswordResetForm, sso_only

urlpatterns = [
    path("admin/", admin.site.urls),
    # Accounts: password reset (Django's views, email through the outbox), two factors, SSO.
    path(
        "account/password-reset/",
        auth_views.PasswordResetView.as_view(
            form_class=OutboxPasswordResetForm,
            email_template_name="registration/password_reset_email.txt",
        ),
        name="password_reset",
    ),
    path(
        "account/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "account/password/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(post_reset_login=False),
        name="password_reset_confirm",
    ),
    path(
        "account/password/saved/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("account/two-factor/", views_accounts.two_factor_verify, name="two_factor_verify"),
    path("account/two-factor/setup/", views_accounts.two_factor_setup, name="two_factor_setup"),
    # Single sign-on: 404 unless configured (STEWARD_OIDC_CLIENT_ID).
    path(
        "oidc/authenticate/",
        sso_only(OIDCAuthenticationRequestView.as_view()),
        name="oidc_authentication_init",
    ),
    path(
        "oidc/callback/",
        sso_only(OIDCAuthenticationCallbackView.as_view()),
        name="oidc_authentication_callback",
    ),
    path("api/v1/", api.urls),
    path("", include("steward.core.urls")),
    path("", include("steward.workspace.urls")),
    path("", include("steward.workspace.directory_urls")),
    path("contracts/", include("steward.contracts.urls")),
    path("performance/", include("steward.performance.urls")),
    path("risk/", include("steward.risk.urls")),
    path("pricing/", include("steward.pricing.urls")),
    path("procurement/", include("steward.procurement.urls")),
    path("evaluations/", include("steward.evaluations.urls")),
    path("monitoring/", include("steward.monitoring.urls")),
    path("commissioning/", include("steward.commissioning.urls")),
    path("people/", include("steward.parties.urls")),
    path("opendata/", include("steward.opendata.urls")),
]
