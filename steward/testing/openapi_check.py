"""Every API response the test suite produces must match the published OpenAPI schema (issue 19
point 10).

`check_response(method, path, response)` looks the operation up in the schema served at
/api/v1/openapi.json (built once from the same `NinjaAPI` object), checks that the status code
is documented for it and, for a JSON body, validates the body against the documented schema
with `jsonschema-rs` (JSON Schema 2020-12, the dialect of OpenAPI 3.1). The root conftest wraps
`django.test.Client.request` with it, so every test that calls the API checks the contract
without doing anything.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import jsonschema_rs

API_PREFIX = "/api/v1/"
# the schema and the interactive docs describe the API; they are not operations of it
NOT_OPERATIONS = frozenset({"/api/v1/openapi.json", "/api/v1/docs"})


class SchemaViolation(AssertionError):
    """A response the published schema does not allow."""


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    responses: dict[str, Any]


@cache
def published_schema() -> dict[str, Any]:
    """Return the OpenAPI document exactly as /api/v1/openapi.json serves it."""
    from steward.api import api

    return json.loads(json.dumps(api.get_openapi_schema(), default=str))


@cache
def _operations() -> list[Operation]:
    ops = []
    for template, item in published_schema()["paths"].items():
        regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        for method, op in item.items():
            ops.append(
                Operation(method.upper(), template, re.compile(f"^{regex}$"), op["responses"])
            )
    # literal paths before templated ones: /concerns/counts is not /concerns/{id}
    ops.sort(key=lambda o: (o.template.count("{"), -len(o.template)))
    return ops


def operation_for(method: str, path: str) -> Operation | None:
    """Return the documented operation serving `method path`, or None."""
    for op in _operations():
        if op.method == method and op.pattern.match(path):
            return op
    return None


@cache
def _validator(template: str, method: str, status: str) -> Any:
    op = next(o for o in _operations() if o.template == template and o.method == method)
    content = op.responses[status].get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return None
    root = {**schema, "components": published_schema().get("components", {})}
    return jsonschema_rs.Draft202012Validator(root)


def check_response(method: str, path: str, response: Any) -> None:
    """Raise SchemaViolation when `response` to `method path` breaks the published schema.

    Paths outside /api/v1/, the schema itself, streamed bodies and HEAD/OPTIONS are skipped.
    A path no operation serves must answer 404 or 405 (in the error shape, checked by the
    error-shape tests)."""
    if not path.startswith(API_PREFIX) or path.rstrip("/") in NOT_OPERATIONS:
        return
    if method in {"HEAD", "OPTIONS"} or getattr(response, "streaming", False):
        return
    if response.status_code in (405, 413):
        # 405: the path serves other methods; 413: refused from its declared size before any
        # endpoint runs (both in the error shape, checked by the error-shape tests)
        return
    op = operation_for(method, path)
    if op is None:
        return
    status = str(response.status_code)
    if status not in op.responses:
        if response.status_code in (404, 405) and "default" in op.responses:
            return
        raise SchemaViolation(
            f"{method} {path} answered {status}, which the schema does not document for "
            f"{op.template} (documented: {', '.join(sorted(op.responses))})."
        )
    if not response.get("Content-Type", "").startswith("application/json"):
        return
    validator = _validator(op.template, op.method, status)
    if validator is None:
        return
    body = json.loads(response.content or b"null")
    errors = list(validator.iter_errors(body))
    if errors:
        first = "; ".join(
            f"{e.message} at {'/'.join(map(str, e.instance_path))}" for e in errors[:3]
        )
        raise SchemaViolation(
            f"{method} {path} → {status} breaks the published schema of {op.template}: {first}"
        )
