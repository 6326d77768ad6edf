"""API authentication (bearer tokens and the browser session with CSRF), the one error shape,
the OpenAPI document and the token management command."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.http import Http404
from django.test import Client

from steward.api import api
from steward.core.tests.api_support import API, call, session_client, token_client
from steward.parties.models import ApiToken, Provider, Role
from steward.parties.tokens import token_authenticate, token_create, token_digest, token_revoke

ERROR_KEYS = {"detail", "code", "errors"}


def _operations():
    schema = api.get_openapi_schema(path_prefix="")
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            responses = {str(code): value for code, value in operation["responses"].items()}
            yield path, method, {**operation, "responses": responses}


OPERATIONS = [
    pytest.param(path, method, id=f"{method.upper()} {path}") for path, method, _ in _operations()
]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_every_endpoint_refuses_anonymous_callers_with_401(path, method):
    concrete = re.sub(r"\{contract_id\}", "1", re.sub(r"\{slug\}", "dcf", path))
    response = call(Client(enforce_csrf_checks=True), method, concrete, {})
    assert response.status_code == 401
    assert set(response.json()) == ERROR_KEYS
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


# ---------------------------------------------------------------- bearer tokens


def test_bearer_token_authenticates(make_user):
    user = make_user(Role.CONTRACT_MONITOR)
    response = call(token_client(user), "get", "/me")
    assert response.status_code == 200
    assert response.json()["username"] == user.username
    assert response.json()["agency"] == {"slug": "dcf", "name": user.agency.name}


@pytest.mark.django_db
def test_unknown_token_is_refused():
    client = Client(headers={"Authorization": "Bearer stw_thisisnotarealtokenatall0123456789"})
    assert call(client, "get", "/me").status_code == 401


def test_revoked_token_is_refused(make_user):
    issued = token_create(user=make_user(Role.CONTRACT_MANAGER), name="laptop")
    client = Client(headers={"Authorization": f"Bearer {issued.raw}"})
    assert call(client, "get", "/me").status_code == 200
    token_revoke(prefix=issued.token.prefix)
    assert call(client, "get", "/me").status_code == 401


def test_inactive_users_token_is_refused(make_user):
    user = make_user(Role.CONTRACT_MANAGER)
    issued = token_create(user=user, name="laptop")
    user.is_active = False
    user.save()
    client = Client(headers={"Authorization": f"Bearer {issued.raw}"})
    assert call(client, "get", "/me").status_code == 401


def test_token_is_stored_only_as_digest_and_prefix(make_user):
    issued = token_create(user=make_user(Role.CONTRACT_MANAGER), name="ci")
    stored = ApiToken.objects.get()
    assert stored.digest == token_digest(issued.raw) != issued.raw
    assert stored.prefix == issued.raw[:8]
    assert len(stored.prefix) == 8
    assert issued.raw not in {stored.digest, stored.prefix, stored.name}


def test_last_used_at_is_written_at_most_once_a_minute(make_user):
    issued = token_create(user=make_user(Role.CONTRACT_MANAGER), name="ci")
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        assert token_authenticate(issued.raw) is not None
    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        token_authenticate(issued.raw)
    issued.token.refresh_from_db()
    assert issued.token.last_used_at == start
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        token_authenticate(issued.raw)
    issued.token.refresh_from_db()
    assert issued.token.last_used_at == start + timedelta(seconds=61)


def test_token_request_within_the_minute_makes_no_write(make_user, django_assert_num_queries):
    issued = token_create(user=make_user(Role.CONTRACT_MANAGER), name="ci")
    token_authenticate(issued.raw)
    with django_assert_num_queries(1):  # the lookup only, no UPDATE
        token_authenticate(issued.raw)


def test_token_post_needs_no_csrf_token(make_user):
    raw = token_create(user=make_user(Role.CONTRACT_MANAGER), name="ci").raw
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {raw}"})
    response = call(client, "post", "/providers", {"legal_name": "Open Door Services"})
    assert response.status_code == 201, response.content


def test_token_create_refuses_a_blank_name(make_user):
    from steward.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="Name the token"):
        token_create(user=make_user(Role.CONTRACT_MANAGER), name="  ")


# ---------------------------------------------------------------- session + CSRF


def test_session_post_without_csrf_token_is_refused_and_writes_nothing(make_user):
    client = session_client(make_user(Role.CONTRACT_MANAGER), enforce_csrf=True)
    response = call(client, "post", "/providers", {"legal_name": "Open Door Services"})
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert not Provider.objects.filter(legal_name="Open Door Services").exists()


def test_session_post_with_csrf_token_is_accepted(make_user):
    client = session_client(make_user(Role.CONTRACT_MANAGER), enforce_csrf=True)
    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    response = client.post(
        f"{API}/providers",
        {"legal_name": "Open Door Services"},
        content_type="application/json",
        headers={"X-CSRFToken": secret},
    )
    assert response.status_code == 201, response.content


def test_session_get_needs_no_csrf_token(make_user):
    client = session_client(make_user(Role.CONTRACT_MANAGER), enforce_csrf=True)
    assert call(client, "get", "/me").status_code == 200


@pytest.mark.django_db
def test_anonymous_post_is_401_not_a_csrf_403():
    response = call(Client(enforce_csrf_checks=True), "post", "/providers", {"legal_name": "X"})
    assert response.status_code == 401


# ---------------------------------------------------------------- the one error shape


def test_validation_error_names_the_field(manager):
    response = call(session_client(manager), "get", "/contracts", {"ends_before": "next week"})
    assert response.status_code == 422
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == "validation_failed"
    assert list(body["errors"]) == ["ends_before"]
    assert "ends_before" in body["detail"]


def test_not_found_has_the_error_shape(manager):
    response = call(session_client(manager), "get", "/contracts/424242")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such contract.", "code": "not_found", "errors": {}}


def test_transition_refusal_is_409_with_the_reason(manager, contract):
    response = call(
        session_client(manager),
        "post",
        f"/contracts/{contract.pk}/execute",
        {"executed_on": "2026-01-05"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    assert "only when it is draft" in response.json()["detail"]


# ---------------------------------------------------------------- OpenAPI and docs


def test_openapi_documents_every_operation():
    schema = api.get_openapi_schema(path_prefix="")
    assert "Bearer" in schema["info"]["description"]
    assert set(schema["components"]["securitySchemes"]) == {"BearerToken", "BrowserSession"}
    missing = []
    for path, method, operation in _operations():
        # 202: long work started in the background answers its job at once
        ok_status = {"200", "201", "202"} & set(operation["responses"])
        if not (
            operation.get("summary")
            and operation.get("description")
            and operation.get("tags")
            and ok_status
            and "401" in operation["responses"]
            and "content" in operation["responses"][ok_status.pop()]
        ):
            missing.append(f"{method.upper()} {path}")
    assert missing == [], missing


@pytest.mark.django_db
def test_openapi_json_and_docs_are_served(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    assert Client().get(f"{API}/openapi.json").json()["info"]["title"] == "Steward API"
    docs = Client().get(f"{API}/docs")
    assert docs.status_code == 200
    assert b"swagger-ui-bundle.js" in docs.content
    assert b"<script>" not in docs.content  # CSP: no inline script


# ---------------------------------------------------------------- the token command


def test_token_command_creates_a_working_token_and_revokes_it(make_user):
    user = make_user(Role.FINANCE_OFFICER)
    out = StringIO()
    call_command("token", "create", user.username, "--name", "finance export", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert call(client, "get", "/me").status_code == 200

    call_command("token", "revoke", raw[:8], stdout=StringIO())
    assert call(client, "get", "/me").status_code == 401


@pytest.mark.django_db
def test_token_command_names_an_unknown_user():
    with pytest.raises(CommandError, match="No user called 'nobody'"):
        call_command("token", "create", "nobody", "--name", "x", stdout=StringIO())


@pytest.mark.django_db
def test_token_revoke_with_unknown_prefix_says_so():
    with pytest.raises(CommandError, match="No live token"):
        call_command("token", "revoke", "stw_zzzz", stdout=StringIO())


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (PermissionDenied("No."), 403, "permission_denied"),
        (Http404("gone"), 404, "not_found"),
    ],
)
def test_django_exceptions_get_the_one_error_shape(rf, exc, status, code):
    from steward import api as api_module

    handler = api._lookup_exception_handler(exc)
    response = handler(rf.get("/api/v1/x"), exc)
    assert response.status_code == status
    assert set(json.loads(response.content)) == ERROR_KEYS
    assert json.loads(response.content)["code"] == code
    assert handler in {api_module.on_permission_denied, api_module.on_not_found}
