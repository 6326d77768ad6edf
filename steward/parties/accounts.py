"""Signing in: password reset by email (through the outbox), two-factor confirmation with an
authenticator app (django-otp TOTP) for the roles that need it, and single sign-on over
OpenID Connect (mozilla-django-oidc) with `private_key_jwt` client authentication.

- **Password reset** uses Django's views and token (valid PASSWORD_RESET_TIMEOUT, 3 days);
  the email is queued in the outbox like every other email, with an absolute link built
  from STEWARD_SITE_URL (never from the request's Host header).
- **Two factors**: people whose role is in TWO_FACTOR_ROLES (administrators, agency
  administrators, oversight officers) must confirm a code from an authenticator app after
  their password (or SSO) before any page other than the two-factor pages and sign-out. The
  first time, they register the app. `STEWARD_TWO_FACTOR_REQUIRED` (default on) turns it off
  for a demo.
- **Single sign-on**: when STEWARD_OIDC_CLIENT_ID is set, the sign-in page offers "Sign in
  with <provider>". The person must already have an active account with the same email
  address (invited by an administrator): SSO never creates accounts or roles. The identity
  provider authenticates the person; Steward still decides what they may do.
"""

from __future__ import annotations

import time
import uuid
from functools import wraps
from typing import Any

import jwt
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template import loader
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from steward.parties.models import TWO_FACTOR_ROLES, User

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


# ---------------------------------------------------------------- password reset


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending its email through Steward's outbox."""

    def send_mail(  # type: ignore[override]
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        from steward.core.mail import send_after_commit

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        link = reverse(
            "password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]}
        )
        send_after_commit(subject=subject, body=body, to=[to_email], link=link)


# ---------------------------------------------------------------- two factors


def two_factor_required(user: Any) -> bool:
    """Whether `user` must confirm a second factor before using Steward."""
    return bool(
        getattr(settings, "STEWARD_TWO_FACTOR_REQUIRED", True)
        and user.is_authenticated
        and user.role in TWO_FACTOR_ROLES
    )


TWO_FACTOR_EXEMPT_PREFIXES = ("/static/", "/account/", "/logout/", "/login/", "/oidc/")


class TwoFactorRequiredMiddleware:
    """Send a person who must confirm a second factor, and has not yet in this session, to
    the two-factor page (API calls with the session get 403 in the API's error shape).
    Bearer-token API calls are not affected: a token is issued to an account by an
    administrator and is itself a second credential."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and two_factor_required(user)
            and not user.is_verified()  # type: ignore[union-attr]
            and not request.path.startswith(TWO_FACTOR_EXEMPT_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                if request.headers.get("Authorization", "").startswith("Bearer "):
                    return self.get_response(request)
                return JsonResponse(
                    {
                        "detail": "Confirm the code from your authenticator app first.",
                        "code": "two_factor_required",
                        "errors": {},
                    },
                    status=403,
                )
            target = reverse("two_factor_verify")
            return redirect(f"{target}?next={request.get_full_path()}")
        return self.get_response(request)


# ---------------------------------------------------------------- single sign-on (OIDC)


def oidc_enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def sso_only(view: Any) -> Any:
    """`view`, answering 404 while single sign-on is not configured."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not oidc_enabled():
            raise Http404("Single sign-on is not set up.")
        return view(request, *args, **kwargs)

    return wrapper


class StewardOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, matching an existing active account by email (never
    creating one) and authenticating the client with a signed JWT (`private_key_jwt`, as
    Login.gov and GOV.UK One Login require) when STEWARD_OIDC_CLIENT_AUTH says so."""

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        email = (claims.get("email") or "").strip()
        if not email:
            return self.UserModel.objects.none()
        if getattr(settings, "STEWARD_OIDC_REQUIRE_VERIFIED_EMAIL", True) and (
            claims.get("email_verified") is False
        ):
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email, is_active=True)

    def create_user(self, claims: dict[str, Any]) -> User:  # pragma: no cover - never called
        raise AssertionError("Steward never creates accounts from single sign-on.")

    def client_assertion(self) -> str:
        """A JWT signed with the client's private key (RFC 7523), valid for 5 minutes."""
        now = int(time.time())
        headers = {}
        if getattr(settings, "STEWARD_OIDC_PRIVATE_KEY_ID", ""):
            headers["kid"] = settings.STEWARD_OIDC_PRIVATE_KEY_ID
        return jwt.encode(
            {
                "iss": self.OIDC_RP_CLIENT_ID,
                "sub": self.OIDC_RP_CLIENT_ID,
                "aud": self.OIDC_OP_TOKEN_ENDPOINT,
                "jti": uuid.uuid4().hex,
                "iat": now,
                "exp": now + 300,
            },
            settings.STEWARD_OIDC_PRIVATE_KEY,
            algorithm=getattr(settings, "STEWARD_OIDC_CLIENT_ASSERTION_ALGO", "RS256"),
            headers=headers or None,
        )

    def get_token(self, payload: dict[str, Any]) -> Any:
        if getattr(settings, "STEWARD_OIDC_CLIENT_AUTH", "") == "private_key_jwt":
            payload = dict(payload)
            payload.pop("client_secret", None)
            payload["client_assertion_type"] = CLIENT_ASSERTION_TYPE
            payload["client_assertion"] = self.client_assertion()
        return super().get_token(payload)
