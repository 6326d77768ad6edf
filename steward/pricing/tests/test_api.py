"""API behaviour of the pricing endpoints (seed 004)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from steward.core.tests.api_support import call, session_client
from steward.parties.models import Role
from steward.testing.factories import ContractFactory, ProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ma(other_agency, make_user):
    provider = ProviderFactory(slug="bay", for_profit=True)
    contract = ContractFactory(agency=other_agency, provider=provider)
    return contract, session_client(make_user(Role.FINANCE_OFFICER, agency=other_agency))


def test_rate_create_returns_every_line(ma):
    """seed 004: 85% exactly gives $322.32 and $999,997.80 with eleven lines."""
    contract, api = ma
    body = {
        "program_cost": "1000000",
        "capacity": "10",
        "units_per_period": "365",
        "utilization_factor": "0.85",
    }
    response = call(api, "post", f"/pricing/contracts/{contract.pk}/rate-calculations", body)
    assert response.status_code == 201
    data = response.json()
    assert D(data["unit_rate"]) == D("322.32")
    assert D(data["maximum_obligation"]) == D("999997.80")
    assert len(data["lines"]) == 11 and data["lines"][6]["formula"] == "line 5 × line 6"


def test_rate_below_85_is_422_naming_the_field(ma):
    """seed 004: 84.99% without a reason is refused."""
    contract, api = ma
    body = {
        "program_cost": "1000000",
        "capacity": "10",
        "units_per_period": "365",
        "utilization_factor": "0.8499",
    }
    response = call(api, "post", f"/pricing/contracts/{contract.pk}/rate-calculations", body)
    assert response.status_code == 422
    assert "exceptional_reason" in response.json()["errors"]


def test_execute_refused_through_api_then_allowed(ma, other_agency, make_user):
    """seed 004: a for-profit POS contract with pricing started needs its fee (409)."""
    contract, api = ma
    body = {
        "program_cost": "1000",
        "capacity": "1",
        "units_per_period": "10",
        "utilization_factor": "1",
    }
    call(api, "post", f"/pricing/contracts/{contract.pk}/rate-calculations", body)
    call(api, "put", f"/pricing/contracts/{contract.pk}/attachments/1", {"completed": True})
    manager = session_client(make_user(Role.CONTRACT_MANAGER, agency=other_agency))
    refused = call(
        manager, "post", f"/contracts/{contract.pk}/execute", {"executed_on": "2025-12-01"}
    )
    assert refused.status_code == 409 and "commercial fee" in refused.json()["detail"]
    call(
        api,
        "put",
        f"/pricing/contracts/{contract.pk}/fee",
        {"kind": "percentage", "value": "5", "basis": "total_payments"},
    )
    # seed 004: the fee is noted on Attachment 3, now required (issue 22)
    needs_budget = call(
        manager, "post", f"/contracts/{contract.pk}/execute", {"executed_on": "2025-12-01"}
    )
    assert needs_budget.status_code == 409 and "Attachment 3" in needs_budget.json()["detail"]
    call(api, "put", f"/pricing/contracts/{contract.pk}/attachments/3", {"completed": True})
    ok = call(manager, "post", f"/contracts/{contract.pk}/execute", {"executed_on": "2025-12-01"})
    assert ok.status_code == 200, ok.content


def test_bill_out_and_fee_deficit(ma):
    """seed 004: bill-out projection and no fee retained from a deficit."""
    contract, api = ma
    contract.maximum_obligation = D("273000")
    contract.save()
    call(
        api,
        "post",
        f"/pricing/contracts/{contract.pk}/payments",
        {
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
            "units": "270",
            "amount": "90000",
        },
    )
    data = call(api, "get", f"/pricing/contracts/{contract.pk}/bill-out").json()
    assert data["bill_out_date"] == "2026-09-30" and data["early"] is True
    assert "total capacity purchased" in data["reminder"]
    fee = call(
        api,
        "put",
        f"/pricing/contracts/{contract.pk}/fee",
        {
            "kind": "percentage",
            "value": "5",
            "basis": "total_payments",
            "year_revenue": "500000",
            "year_expenses": "510000",
        },
    ).json()
    assert D(fee["retainable_fee"]) == D("0")
