"""A property-based fuzzer of the published OpenAPI schema (issue 19 point 8; docs/security.md §8).

Schemathesis reads /api/v1/openapi.json from the WSGI application in-process (no network) and,
for every operation, sends requests generated from the schema — huge integers, NUL bytes,
nulls, long strings, numbers past a decimal's digits — as a contract manager, a provider user
and an oversight officer. No response may be a server error (5xx), and every error on /api/
must have the documented shape {"detail", "code", "errors"}.

Path parameters that name records are mostly pointed at records that exist (so that bodies reach
the services, not only the 404), sometimes left as generated. The budget is bounded:
STEWARD_FUZZ_EXAMPLES examples per operation (default 3, each sent as the three roles); raise it
for a deeper run, e.g. `STEWARD_FUZZ_EXAMPLES=50 pytest -m fuzz`.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from steward.parties.models import Role
from steward.parties.tokens import token_create
from steward.testing.factories import ContractFactory
from steward.wsgi import application

EXAMPLES = int(os.environ.get("STEWARD_FUZZ_EXAMPLES", "3"))

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

pytestmark = pytest.mark.fuzz


@pytest.fixture
def fuzz_world(agency, provider, packs, make_user):
    """A contract the three roles can all see, and a bearer token per role."""
    contract = ContractFactory(agency=agency, provider=provider, status="active")
    users = {
        "contract manager": make_user(Role.CONTRACT_MANAGER, username="fuzz-manager"),
        "provider user": make_user(Role.PROVIDER_USER, username="fuzz-provider"),
        "oversight officer": make_user(Role.OVERSIGHT_OFFICER, username="fuzz-oversight"),
    }
    tokens = {role: token_create(user=user, name="fuzz").raw for role, user in users.items()}
    known: dict[str, Any] = {"contract_id": contract.pk, "provider_id": provider.pk}
    slugs = {"/packs/": "connecticut-opm", "/agencies/": agency.slug, "/providers/": provider.slug}
    return {"tokens": tokens, "known": known, "slugs": slugs}


def _point_at_known_records(case: Any, world: dict[str, Any], salt: int) -> None:
    params = case.path_parameters or {}
    if salt % 4 == 3:  # sometimes leave the generated value (unknown ids, odd slugs)
        return
    for name in list(params):
        if name in world["known"]:
            params[name] = world["known"][name]
        elif name == "slug":
            for prefix, slug in world["slugs"].items():
                if prefix in case.path:
                    params[name] = slug


def _check_error_shape(response: Any, label: str, role: str) -> None:
    if response.status_code < 400:
        return
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        body = None
    assert isinstance(body, dict) and {"detail", "code", "errors"} <= set(body), (
        f"{label} as {role}: {response.status_code} without the error shape: "
        f"{response.content[:300]!r}"
    )


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_for_any_role(case: Any, fuzz_world: dict[str, Any]) -> None:
    """issue 19: the fuzzer, as a contract manager, a provider and an oversight officer, finds
    no server error; every /api/ error has the documented shape."""
    for salt, (role, token) in enumerate(fuzz_world["tokens"].items()):
        _point_at_known_records(case, fuzz_world, salt + hash(case.path) % 4)
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        case.validate_response(response, checks=[not_a_server_error])
        _check_error_shape(response, case.operation.label, role)
