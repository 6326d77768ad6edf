"""Signing in: password reset by email, two factors for administrators and oversight officers
(django-otp TOTP), and single sign-on over OpenID Connect against a stub identity provider (no
network), with `private_key_jwt` client authentication as Login.gov and GOV.UK One Login
require. Issue "Trust", point 14."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from steward.core.tests.api_support import token_client
from steward.parties.models import Role
from steward.testing.factories import PASSWORD

# ---------------------------------------------------------------- password reset


def test_forgotten_password_sends_a_link_through_the_outbox(
    manager, mailoutbox, django_capture_on_commit_callbacks
):
    from steward.core.models import OutboundEmail

    client = Client()
    assert b"Forgotten your password?" in client.get("/login/").content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/password-reset/", {"email": manager.email})
    assert response.status_code == 302
    (mail,) = mailoutbox
    assert mail.to == [manager.email] and "/account/password/" in mail.body
    assert OutboundEmail.objects.filter(subject="Choose your Steward password").exists()
    link = mail.body.split("Open it in Steward: ", 1)[1].strip()
    path = urlparse(link).path
    form = client.get(path, follow=True)
    assert b"Choose your password" in form.content
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "brand-new-passphrase-9", "new_password2": "brand-new-passphrase-9"},
    )
    manager.refresh_from_db()
    assert manager.check_password("brand-new-passphrase-9")


def test_unknown_address_gets_the_same_answer_and_no_email(db, mailoutbox):
    response = Client().post("/account/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302 and mailoutbox == []


# ---------------------------------------------------------------- two factors


def _sign_in(username: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


@pytest.mark.two_factor
@pytest.mark.parametrize(
    "role", [Role.OVERSIGHT_OFFICER, Role.ADMINISTRATOR, Role.AGENCY_ADMINISTRATOR]
)
def test_roles_that_need_two_factors_register_an_app_then_confirm_each_sign_in(make_user, role):
    person = make_user(role, username="needs2fa")
    client = _sign_in("needs2fa")
    home = client.get("/")
    assert home.status_code == 302 and home["Location"].startswith("/account/two-factor/")
    setup = client.get("/account/two-factor/", follow=True)
    assert b"Set up your authenticator app" in setup.content
    device = TOTPDevice.objects.get(user=person, confirmed=False)
    wrong = client.post("/account/two-factor/setup/", {"code": "000000", "next": "/"})
    assert b"That code is not right" in wrong.content
    too_soon = client.post("/account/two-factor/setup/", {"code": _code(device), "next": "/"})
    assert b"Too many wrong codes" in too_soon.content  # django-otp throttles guesses
    device.refresh_from_db()
    device.throttle_reset()
    ok = client.post("/account/two-factor/setup/", {"code": _code(device), "next": "/"})
    assert ok.status_code == 302
    assert client.get("/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    # next time: the code, not the set-up
    again = _sign_in("needs2fa")
    page = again.get("/account/two-factor/")
    assert b"Confirm it is you" in page.content
    device.refresh_from_db()
    device.last_t = -1  # a new time step for the next code (codes are single-use)
    device.save()
    assert (
        again.post("/account/two-factor/", {"code": _code(device), "next": "/"}).status_code == 302
    )
    assert again.get("/").status_code == 200


@pytest.mark.two_factor
def test_session_api_calls_wait_for_the_second_factor_but_tokens_do_not(make_user):
    officer = make_user(Role.OVERSIGHT_OFFICER, username="officer")
    client = _sign_in("officer")
    refused = client.get("/api/v1/me/work")
    assert refused.status_code == 403 and refused.json()["code"] == "two_factor_required"
    assert token_client(officer).get("/api/v1/me/work").status_code == 200


@pytest.mark.two_factor
def test_other_roles_are_not_asked_for_a_second_factor(manager):
    assert _sign_in("manager").get("/").status_code == 200


@pytest.mark.two_factor
def test_administrator_resets_a_lost_app(make_user, agency):
    admin = make_user(Role.AGENCY_ADMINISTRATOR, username="aa")
    officer = make_user(Role.SENIOR_MANAGER, username="sm")
    TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    client = Client()
    client.force_login(admin)
    device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    client.post("/account/two-factor/", {"code": _code(device), "next": "/"})
    assert b"lost the phone" in client.get(f"/people/{officer.pk}/two-factor-reset/").content
    assert client.post(f"/people/{officer.pk}/two-factor-reset/").status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert officer.history.first().history_change_reason == "Two-factor set-up reset"


# ---------------------------------------------------------------- single sign-on


class StubIdentityProvider:
    """An OpenID Connect provider in memory: it issues codes, checks the client's signed
    assertion on the token endpoint, and signs ID tokens with its own RSA key."""

    issuer = "https://idp.example.test"

    def __init__(self, client_public_key: Any) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.client_public_key = client_public_key
        self.codes: dict[str, dict[str, Any]] = {}
        self.token_requests: list[dict[str, Any]] = []

    def public_pem(self) -> str:
        return (
            self.key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )

    def authorize(self, url: str, claims: dict[str, Any]) -> tuple[str, str]:
        query = parse_qs(urlparse(url).query)
        code = f"code-{len(self.codes)}"
        self.codes[code] = {"nonce": query["nonce"][0], "claims": claims}
        return code, query["state"][0]

    def post(self, url: str, data: dict[str, Any], **kwargs: Any) -> Any:
        self.token_requests.append(dict(data))
        assert "client_secret" not in data
        assert (
            data["client_assertion_type"]
            == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        )
        jwt.decode(  # raises unless signed by the client's private key for this endpoint
            data["client_assertion"],
            self.client_public_key,
            algorithms=["RS256"],
            audience="https://idp.example.test/token",
            issuer="steward-client",
        )
        grant = self.codes.pop(data["code"])
        now = int(time.time())
        id_token = jwt.encode(
            {
                "iss": self.issuer,
                "aud": "steward-client",
                "sub": "abc",
                "nonce": grant["nonce"],
                "iat": now,
                "exp": now + 300,
            },
            self.key,
            algorithm="RS256",
        )
        self.userinfo = grant["claims"]
        return _Response({"id_token": id_token, "access_token": "at", "token_type": "Bearer"})

    def get(self, url: str, **kwargs: Any) -> Any:
        return _Response(self.userinfo)


class _Response:
    status_code = 200
    url = "https://idp.example.test"
    headers = {"content-type": "application/json"}

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.text = ""

    def json(self) -> dict[str, Any]:
        return self.body

    def raise_for_status(self) -> None:
        return None


@pytest.fixture
def idp(settings, monkeypatch):
    client_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    stub = StubIdentityProvider(client_key.public_key())
    settings.OIDC_RP_CLIENT_ID = "steward-client"
    settings.OIDC_RP_CLIENT_SECRET = ""
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://idp.example.test/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://idp.example.test/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://idp.example.test/userinfo"
    settings.OIDC_RP_IDP_SIGN_KEY = stub.public_pem()
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.STEWARD_OIDC_CLIENT_AUTH = "private_key_jwt"
    settings.STEWARD_OIDC_PRIVATE_KEY = client_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    settings.STEWARD_OIDC_PROVIDER_NAME = "Login.gov"
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "steward.parties.accounts.StewardOIDCBackend",
    ]
    import mozilla_django_oidc.auth as oidc_auth

    monkeypatch.setattr(oidc_auth.requests, "post", stub.post)
    monkeypatch.setattr(oidc_auth.requests, "get", stub.get)
    return stub


def _sso(idp: StubIdentityProvider, claims: dict[str, Any]) -> tuple[Client, Any]:
    client = Client()
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302 and start["Location"].startswith(
        "https://idp.example.test/authorize"
    )
    assert "code_challenge" in start["Location"]  # PKCE
    code, state = idp.authorize(start["Location"], claims)
    return client, client.get("/oidc/callback/", {"code": code, "state": state})


def test_single_sign_on_signs_in_the_invited_person_with_a_signed_client_assertion(idp, manager):
    assert b"Sign in with Login.gov" in Client().get("/login/").content
    client, done = _sso(idp, {"email": manager.email.upper(), "email_verified": True})
    assert done.status_code == 302 and "sso=failed" not in done["Location"]
    assert client.get("/").status_code == 200
    assert int(client.session["_auth_user_id"]) == manager.pk
    assert "client_assertion" in idp.token_requests[0]


def test_single_sign_on_never_creates_accounts(idp, db):
    from steward.parties.models import User

    before = User.objects.count()
    client, done = _sso(idp, {"email": "stranger@example.org", "email_verified": True})
    assert "sso=failed" in done["Location"]
    assert User.objects.count() == before
    assert b"did not sign you in" in client.get(done["Location"]).content


def test_single_sign_on_refuses_a_deactivated_account(idp, manager):
    manager.is_active = False
    manager.save()
    _client, done = _sso(idp, {"email": manager.email, "email_verified": True})
    assert "sso=failed" in done["Location"]
