"""Request hygiene for every page and the API (docs/security.md §8).

- A NUL character in a query string, a form or a JSON body is refused before any view runs:
  PostgreSQL cannot store or compare it ("A string literal cannot contain NUL"), so it would
  otherwise be a server error wherever the value reaches a query.
- A request larger than the upload it may carry is refused (413) as soon as its
  Content-Length is known, before its body is read: a document up to STEWARD_MAX_UPLOAD_BYTES,
  a register or returns import (an address ending in /import or /import/) up to
  STEWARD_MAX_IMPORT_BYTES, each with 1 MB for the rest of the form.
- Under /api/, every error answers with the API's one JSON shape
  (`{"detail", "code", "errors"}`), including the 404 of an unknown address, the 405 of a
  method an endpoint does not take, and a 500 (logged with its traceback, never shown).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

logger = logging.getLogger("steward.errors")

API_PREFIX = "/api/"

_MESSAGES = {
    400: ("Bad request.", "bad_request"),
    401: ("Authentication required.", "not_authenticated"),
    403: ("You do not have permission to do this.", "permission_denied"),
    404: ("Not found.", "not_found"),
    405: ("This method is not allowed here.", "method_not_allowed"),
    413: ("The request is too large.", "too_large"),
    500: ("Something went wrong on our side; it has been logged.", "server_error"),
}


def api_error(status: int, detail: str | None = None, code: str | None = None, **kw: Any) -> Any:
    """A JsonResponse in the API's error shape."""
    default_detail, default_code = _MESSAGES.get(status, ("Request failed.", "error"))
    return JsonResponse(
        {"detail": detail or default_detail, "code": code or default_code, "errors": kw},
        status=status,
    )


def _nul_field(request: HttpRequest) -> str | None:
    """The name of the first parameter carrying a NUL character, or None."""
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in v for v in values):
            return name.replace("\x00", "") or "query"
    content_type = request.content_type or ""
    if request.method in {"POST", "PUT", "PATCH"}:
        if content_type == "application/x-www-form-urlencoded":
            for name, values in request.POST.lists():
                if "\x00" in name or any("\x00" in v for v in values):
                    return name.replace("\x00", "") or "body"
        elif content_type == "application/json" and (
            b"\\u0000" in request.body or b"\x00" in request.body
        ):
            return "body"
    return None


class RequestHygieneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        is_api = request.path.startswith(API_PREFIX)
        too_large = _too_large(request)
        if too_large is not None:
            if is_api:
                return api_error(413, too_large, "too_large", file=[too_large])
            from django.shortcuts import render

            return render(
                request, "error.html", {"message": too_large, "status_code": 413}, status=413
            )
        field = _nul_field(request)
        if field is not None:
            message = "A value contains a NUL character (\\u0000), which Steward does not accept."
            if is_api:
                return api_error(422, message, "validation_failed", **{field: [message]})
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        response = self.get_response(request)
        if is_api and response.status_code >= 400 and not _is_json(response):
            shaped = api_error(response.status_code)
            for header in ("Allow", "WWW-Authenticate", "Retry-After"):
                if header in response:
                    shaped[header] = response[header]
            return shaped
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> Any:
        if not request.path.startswith(API_PREFIX) or settings.DEBUG:
            return None
        from django.core.exceptions import PermissionDenied, SuspiciousOperation
        from django.http import Http404

        if isinstance(exception, Http404):
            return api_error(404)
        if isinstance(exception, PermissionDenied):
            return api_error(403)
        if isinstance(exception, SuspiciousOperation):
            return api_error(400)
        logger.error("Server error on %s %s", request.method, request.path, exc_info=exception)
        return api_error(500)


FORM_ALLOWANCE = 1024 * 1024


def _too_large(request: HttpRequest) -> str | None:
    """Why the request is too large to read, or None (judged by Content-Length alone)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    path = request.path.rstrip("/")
    limit = (
        settings.STEWARD_MAX_IMPORT_BYTES
        if path.endswith("/import")
        else settings.STEWARD_MAX_UPLOAD_BYTES
    )
    if length <= limit + FORM_ALLOWANCE:
        return None
    return (
        f"The file is {length / 1024 / 1024:.1f} MB; the largest accepted here is "
        f"{limit / 1024 / 1024:.0f} MB."
    )


def _is_json(response: HttpResponse) -> bool:
    if not response.get("Content-Type", "").startswith("application/json"):
        return False
    if getattr(response, "streaming", False):
        return True
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return False
    return isinstance(body, dict) and "detail" in body
