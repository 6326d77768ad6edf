"""Consistent status codes (issue 19 point 12; docs/security.md §12): a closed window or a step
out of order is 409 everywhere, input that does not validate is 422, in the one error shape."""

from __future__ import annotations

from datetime import date

import pytest

from steward.core.tests.api_support import call, session_client
from steward.performance import services as performance
from steward.testing.factories import ContractFactory

pytestmark = pytest.mark.django_db


def test_proposing_a_plan_without_indicators_is_409(agency, provider, manager):
    """Seed 001: the plan's indicators come before the proposal: a step out of order, 409; a
    plan without the sponsor's outcomes is input that does not validate, 422."""
    contract = ContractFactory(agency=agency, provider=provider, status="executed")
    client = session_client(manager)
    path = f"/performance/contracts/{contract.pk}/plan"
    blank = call(client, "put", path, {"desired_outcomes": " "})
    assert blank.status_code == 422, blank.content
    performance.plan_save(
        actor=manager, contract=contract, data={"desired_outcomes": "Fewer children in care"}
    )
    response = call(client, "post", path + "/versions")
    assert response.status_code == 409, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert body["code"] == "transition_not_allowed"


def test_assessing_the_risk_of_a_draft_contract_is_409(agency, provider, manager):
    """Seed 003: only executed or active contracts are assessed; asking for a draft's is a step
    out of order (409), not bad input."""
    contract = ContractFactory(agency=agency, provider=provider, status="draft")
    response = call(
        session_client(manager),
        "post",
        f"/contracts/{contract.pk}/risk/recompute",
        {"as_of": date(2026, 6, 15).isoformat()},
    )
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "transition_not_allowed"
