"""seed 004 "Required Forms/Use of POS Attachments" (issue 22): which POS attachments a
contract needs follows the contract: Attachment 3 for a cost-reimbursement contract and where
a commercial fee is shown; Steward's own rate calculation counts as Attachment 4; each is due
with the bid or at execution; every required one is checked at execution (409)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from steward.contracts.services import contract_execute
from steward.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from steward.core.tests.api_support import call, token_client
from steward.parties.models import Role
from steward.pricing import calc, services
from steward.pricing.execution_checks import attachment_statuses
from steward.testing.factories import ContractFactory, ProviderFactory

pytestmark = pytest.mark.django_db
DAY = date(2025, 12, 1)


@pytest.fixture
def ma_manager(make_user, other_agency):
    return make_user(Role.CONTRACT_MANAGER, agency=other_agency)


def _by_number(contract):
    return {s.number: s for s in attachment_statuses(contract)}


def test_a_cost_reimbursement_contract_needs_attachment_3_seed_004(other_agency, ma_manager):
    """seed 004: program budgets are required "as a result of a cost reimbursement compensation
    structure": execution is refused (409) until Attachment 3 is uploaded or completed."""
    contract = ContractFactory(
        agency=other_agency,
        provider=ProviderFactory(for_profit=False),
        compensation_structure="cost_reimbursement",
    )
    services.attachment_set(
        actor=ma_manager, contract=contract, number=1, required=True, completed=True
    )
    status = _by_number(contract)[3]
    assert status.required and "cost-reimbursement" in status.because
    with pytest.raises(TransitionNotAllowed, match="Attachment 3"):
        contract_execute(actor=ma_manager, contract=contract, executed_on=DAY)
    services.attachment_set(
        actor=ma_manager, contract=contract, number=3, required=True, completed=True
    )
    contract_execute(actor=ma_manager, contract=contract, executed_on=DAY)


def test_a_shown_fee_needs_attachment_3_and_a_zero_fee_does_not_seed_004(other_agency, ma_manager):
    """seed 004: "The amount of fees that a contractor may retain must be noted ... on POS
    Attachment 3": a for-profit provider's 4% fee makes Attachment 3 required (API shows why);
    a zero fee does not."""
    provider = ProviderFactory(legal_name="Bay LLC", for_profit=True)
    zero = ContractFactory(agency=other_agency, provider=provider)
    services.commercial_fee_set(actor=ma_manager, contract=zero, kind="zero")
    assert not _by_number(zero)[3].required
    shown = ContractFactory(agency=other_agency, provider=provider)
    services.commercial_fee_set(actor=ma_manager, contract=shown, kind="percentage", value=D("4"))
    rows = call(
        token_client(ma_manager), "get", f"/pricing/contracts/{shown.pk}/attachments"
    ).json()
    three = next(r for r in rows if r["number"] == 3)
    assert three["required"] and "commercial fee" in three["required_because"]


def test_the_rate_calculation_counts_as_attachment_4_seed_004(other_agency, ma_manager):
    """seed 004: Attachment 4 is the "Rate Calculation/Maximum Obligation Calculation Page":
    marked required, it is satisfied by the rate calculation recorded in Steward."""
    contract = ContractFactory(agency=other_agency, provider=ProviderFactory(for_profit=False))
    services.attachment_set(
        actor=ma_manager, contract=contract, number=1, required=True, completed=True
    )
    services.attachment_set(actor=ma_manager, contract=contract, number=4, required=True)
    with pytest.raises(TransitionNotAllowed, match="Attachment 4"):
        contract_execute(actor=ma_manager, contract=contract, executed_on=DAY)
    services.rate_calculation_create(
        actor=ma_manager,
        contract=contract,
        program_cost=D("100000"),
        capacity=D("2"),
        units_per_period=D("365"),
        utilization_factor=D("0.9"),
    )
    four = _by_number(contract)[4]
    assert four.satisfied and "rate calculation" in four.satisfied_by
    contract_execute(actor=ma_manager, contract=contract, executed_on=DAY)


def test_attachments_are_due_with_the_bid_or_at_execution_seed_004(
    other_agency, agency, ma_manager, make_user
):
    """seed 004: "Departments have the option to require Bidders to complete as part of their
    response or complete at time of contract execution": recorded per attachment (page and
    API); another agency's staff get 404, a monitor 403, an unknown choice 422."""
    contract = ContractFactory(agency=other_agency)
    api = token_client(ma_manager)
    put = call(
        api,
        "put",
        f"/pricing/contracts/{contract.pk}/attachments/2",
        {"required": True, "due_with": "response"},
    )
    assert put.status_code == 200, put.content
    assert put.json()["due_with"] == "response" and put.json()["required_because"]
    assert _by_number(contract)[2].due_with == "response"
    with pytest.raises(ValidationFailed):
        services.attachment_set(
            actor=ma_manager, contract=contract, number=2, required=True, due_with="later"
        )
    monitor = make_user(Role.CONTRACT_MONITOR, agency=other_agency)
    with pytest.raises(PermissionDeniedError):
        services.attachment_set(actor=monitor, contract=contract, number=2, required=True)
    outsider = token_client(make_user(Role.CONTRACT_MANAGER, agency=agency))
    assert call(outsider, "get", f"/pricing/contracts/{contract.pk}/attachments").status_code == 404
    assert calc.DUE_WITH["response"].startswith("with the bid")
