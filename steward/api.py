"""The REST API under /api/v1/ (django-ninja): authentication, the one error shape, routers.

Authentication, tried in order:
1. `Authorization: Bearer <token>` — tokens made with `steward token create USERNAME --name NAME`;
   only a SHA-256 digest is stored; revoked tokens are refused.
2. The browser session (a logged-in Steward user). Unsafe methods (POST, PUT, PATCH, DELETE) must
   carry the CSRF token (`X-CSRFToken` header), as for any Django form.
Anything else is 401. Every error has the shape {"detail": str, "code": str, "errors": {field:
[messages]}}.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from steward.core.errors import ApplicationError
from steward.parties.tokens import token_authenticate

logger = logging.getLogger("steward.errors")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class CsrfFailed(ApplicationError):
    status_code = 403
    code = "csrf_failed"


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`: the token's user, or None (then the session is tried)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        return token_authenticate(token.strip())


class BrowserSession(APIKeyCookie):
    """The Django session, with Django's CSRF check on unsafe methods.

    Unlike ninja's SessionAuth, an anonymous request is simply not authenticated here (→ 401)
    rather than refused for a missing CSRF token (ninja checks CSRF before it looks for a user,
    so an anonymous POST would otherwise get 403)."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        unsafe = request.method not in SAFE_METHODS
        if self.csrf and unsafe and not exempt and check_csrf(request) is not None:
            raise CsrfFailed(
                "CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken "
                "header, or authenticate with a bearer token."
            )
        return user


API_DESCRIPTION = """
Steward's register of agencies, providers, contracts, amendments, documents and policy packs.

**Authentication.** Send `Authorization: Bearer <token>` (an operator creates one with
`steward token create USERNAME --name NAME` and revokes it with `steward token revoke PREFIX`),
or use the browser session of a logged-in user; with the session, POST/PUT/PATCH need the CSRF
token in the `X-CSRFToken` header. Without either, every endpoint answers 401.

**What you see.** The same permissions as the web pages: agency staff see their own agency's
contracts (oversight officers and administrators see all); a provider user sees only its own
organisation's contracts, once executed, and never the agency-internal `notes` (returned as
`null`). A contract you may not see answers 404, one you may see but not change 403.

**Errors.** Every error is JSON `{"detail": "...", "code": "...", "errors": {"field": ["..."]}}`:
401 not authenticated, 403 not allowed, 404 not found, 409 workflow transition not allowed,
422 invalid input (the field is named in `errors`).
"""

api = NinjaAPI(
    title="Steward API",
    version="1",
    description=API_DESCRIPTION.strip(),
    urls_namespace="api",
    auth=[BearerToken(), BrowserSession()],
)


def error_response(
    request: HttpRequest,
    *,
    status: int,
    detail: str,
    code: str,
    errors: dict[str, list[str]] | None = None,
) -> HttpResponse:
    """Return the API's one error shape."""
    return api.create_response(
        request, {"detail": detail, "code": code, "errors": errors or {}}, status=status
    )


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    response = error_response(
        request, status=exc.status_code, detail=exc.message, code=exc.code, errors=exc.errors
    )
    etag = getattr(exc, "etag", None)  # a stale edit (412) names the record's current version
    if etag:
        response["ETag"] = etag
    return response


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    source, *parts = [str(p) for p in loc] or ["body"]
    if source == "body" and len(parts) > 1:
        parts = parts[1:]  # drop the name of the body parameter ("payload")
    # pydantic adds the union member tried ("literal['']", "function-after[...]"): not a field
    parts = [p for p in parts if "[" not in p]
    return ".".join(parts) or source


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for item in exc.errors:
        errors.setdefault(_field_name(item.get("loc", ())), []).append(str(item.get("msg", "")))
    summary = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
    return error_response(
        request,
        status=422,
        detail=f"Invalid input. {summary}" if summary else "Invalid input.",
        code="validation_failed",
        errors=errors,
    )


@api.exception_handler(AuthenticationError)
def on_not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(
        request,
        status=401,
        detail="Authentication required: send 'Authorization: Bearer <token>' or log in.",
        code="not_authenticated",
    )
    response["WWW-Authenticate"] = 'Bearer realm="steward"'
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, status=exc.status_code, detail=str(exc), code="http_error")


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(
        request,
        status=403,
        detail=str(exc) or "You do not have permission to do this.",
        code="permission_denied",
    )


@api.exception_handler(DataError)
def on_data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    """A value the database cannot hold (a number too large, a text too long) that no check
    caught earlier: refused as invalid input, never a 500 (the service's transaction is rolled
    back, so nothing is half-written)."""
    logger.warning("DataError on %s %s: %s", request.method, request.path, exc)
    return error_response(
        request,
        status=422,
        detail="A value is too large or too long to be stored.",
        code="validation_failed",
    )


@api.exception_handler(IntegrityError)
def on_integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    """A write the database's constraints refuse (a required value left empty, a duplicate)
    that no check caught earlier: 409, never a 500."""
    logger.warning("IntegrityError on %s %s: %s", request.method, request.path, exc)
    return error_response(
        request,
        status=409,
        detail="This change conflicts with what is already recorded, or leaves out a required "
        "value.",
        code="conflict",
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, status=404, detail="Not found.", code="not_found")


def _register_routers() -> None:
    from steward.commissioning.api import router as commissioning_router
    from steward.contracts.api import router as contracts_router
    from steward.core.api import router as core_router
    from steward.evaluations.api import router as evaluations_router
    from steward.monitoring.api import router as monitoring_router
    from steward.monitoring.api_lead import router as lead_router
    from steward.monitoring.api_opsreports import router as opsreports_router
    from steward.opendata.api import router as opendata_router
    from steward.parties.api import router as parties_router
    from steward.performance.api import router as performance_router
    from steward.pricing.api import router as pricing_router
    from steward.procurement.api import router as procurement_router
    from steward.risk.api import router as risk_router
    from steward.workspace.api import router as workspace_router

    api.add_router("", core_router)
    api.add_router("", parties_router)
    api.add_router("", contracts_router)
    api.add_router("", performance_router)
    api.add_router("", risk_router)
    api.add_router("", pricing_router)
    api.add_router("", procurement_router)
    api.add_router("", evaluations_router)
    api.add_router("", monitoring_router)
    api.add_router("", commissioning_router)
    api.add_router("", lead_router)
    api.add_router("", opsreports_router)
    api.add_router("", workspace_router)
    api.add_router("", opendata_router)


_register_routers()
