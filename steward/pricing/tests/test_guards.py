"""Execution guards (seed 004) through contract_execute, and the pricing services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from steward.contracts.services import contract_execute
from steward.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from steward.parties.models import Role
from steward.pricing import services
from steward.pricing.models import RateCalculation
from steward.testing.factories import ContractFactory, ProviderFactory

pytestmark = pytest.mark.django_db
DAY = date(2025, 12, 1)


@pytest.fixture
def ma_manager(make_user, other_agency):
    return make_user(Role.CONTRACT_MANAGER, agency=other_agency)


@pytest.fixture
def for_profit():
    return ProviderFactory(legal_name="Bay State Recovery LLC", slug="bay", for_profit=True)


def draft(agency, provider, **kw):
    return ContractFactory(agency=agency, provider=provider, **kw)


def started(actor, contract):
    return services.rate_calculation_create(
        actor=actor,
        contract=contract,
        program_cost=D("100000"),
        capacity=D("2"),
        units_per_period=D("365"),
        utilization_factor=D("0.9"),
    )


def execute(actor, contract):
    return contract_execute(actor=actor, contract=contract, executed_on=DAY)


def test_for_profit_without_fee_is_refused_then_zero_fee_executes(
    other_agency, for_profit, ma_manager
):
    """seed 004: a for-profit contract must state its fee (zero counts) before execution."""
    contract = draft(other_agency, for_profit)
    started(ma_manager, contract)
    services.attachment_set(
        actor=ma_manager, contract=contract, number=1, required=True, completed=True
    )
    with pytest.raises(TransitionNotAllowed) as exc:
        execute(ma_manager, contract)
    assert "commercial fee" in exc.value.message
    services.commercial_fee_set(actor=ma_manager, contract=contract, kind="zero")
    assert execute(ma_manager, contract).status == "executed"


def test_cost_reimbursement_with_fee_refused(other_agency, for_profit, ma_manager):
    """seed 004: a cost-reimbursement contract cannot carry a fee: the service refuses it and,
    were one recorded, execution is refused too."""
    contract = draft(other_agency, for_profit, compensation_structure="cost_reimbursement")
    with pytest.raises(ValidationFailed) as exc:
        services.commercial_fee_set(
            actor=ma_manager, contract=contract, kind="percentage", value=D("4")
        )
    assert "cost-reimbursement" in exc.value.message
    from steward.pricing.models import CommercialFee

    CommercialFee.objects.create(contract=contract, kind="percentage", value=D("4"))
    with pytest.raises(TransitionNotAllowed) as exc2:
        execute(ma_manager, contract)
    assert "cost-reimbursement" in exc2.value.message


def test_risk_sharing_needs_consultation(other_agency, provider, ma_manager):
    """seed 004: consult OSD and the Secretariat before using a risk-sharing structure."""
    contract = draft(other_agency, provider, compensation_structure="risk_sharing")
    with pytest.raises(TransitionNotAllowed) as exc:
        execute(ma_manager, contract)
    assert "consultation" in exc.value.message
    services.risk_consultation_record(
        actor=ma_manager, contract=contract, consulted_on=DAY, consulted_with="OSD"
    )
    services.attachment_set(
        actor=ma_manager, contract=contract, number=1, required=True, completed=True
    )
    assert execute(ma_manager, contract).status == "executed"


def test_pos_contract_without_any_pricing_record_is_refused(other_agency, ma_manager):
    """seed 004: a for-profit provider's POS contract needs its fee stated and Attachment 1,
    even when nobody has opened its pricing yet."""
    from steward.testing.factories import ProviderFactory

    for_profit = ProviderFactory(for_profit=True)
    contract = draft(other_agency, for_profit)
    with pytest.raises(TransitionNotAllowed) as exc:
        execute(ma_manager, contract)
    message = exc.value.message
    assert "fee" in message and "Attachment 1" in message


def test_required_attachment_missing_refused(other_agency, provider, ma_manager):
    """seed 004: Attachment 1 always, 2–6 as required; uploaded or completed satisfies."""
    contract = draft(other_agency, provider)
    services.attachment_set(actor=ma_manager, contract=contract, number=4, required=True)
    with pytest.raises(TransitionNotAllowed) as exc:
        execute(ma_manager, contract)
    assert exc.value.errors["__all__"] == [
        "POS Attachment 1 (Program Cover Page) is required at execution and is missing.",
        "POS Attachment 4 (Rate Calculation/Maximum Obligation Calculation Page) is required at "
        "execution and is missing.",
    ]
    services.attachment_set(
        actor=ma_manager, contract=contract, number=1, required=True, completed=True
    )
    services.attachment_set(
        actor=ma_manager, contract=contract, number=4, required=True, completed=True
    )
    assert execute(ma_manager, contract).status == "executed"


def test_guards_do_not_apply_to_other_packs(agency, for_profit, manager):
    """seed 004 rules are Massachusetts rules: a Connecticut contract is not held up."""
    contract = draft(agency, for_profit, compensation_structure="risk_sharing")
    started(manager, contract)
    assert execute(manager, contract).status == "executed"


def test_guards_apply_to_a_copy_of_the_massachusetts_pack(other_agency, for_profit, ma_manager):
    """A copied Massachusetts pack keeps the seed 004 guards."""
    from steward.core.models import PolicyPack

    original = other_agency.pack
    copy = PolicyPack.objects.create(
        slug="ma-copy",
        name="MA copy",
        copied_from=original,
        rules={**original.rules, "slug": "ma-copy"},
    )
    other_agency.pack = copy
    other_agency.save()
    contract = draft(other_agency, for_profit)
    started(ma_manager, contract)
    with pytest.raises(TransitionNotAllowed):
        execute(ma_manager, contract)


def test_rate_versions_and_suggested_factor(other_agency, provider, ma_manager, make_user):
    """Each calculation is a new version; the finance officer may write; a monitor may not."""
    contract = draft(other_agency, provider)
    assert started(ma_manager, contract).version == 1
    finance = make_user(Role.FINANCE_OFFICER, agency=other_agency)
    assert started(finance, contract).version == 2
    monitor = make_user(Role.CONTRACT_MONITOR, agency=other_agency)
    with pytest.raises(PermissionDeniedError):
        started(monitor, contract)
    from steward.pricing.selectors import suggested_factor

    other = draft(other_agency, ProviderFactory(), service_type=contract.service_type)
    # seed 004: from units delivered, not the negotiated factors: none are recorded here
    assert suggested_factor(other)[0] is None
    assert RateCalculation.objects.filter(contract=contract).count() == 2


def test_below_85_percent_needs_reason_through_service(other_agency, provider, ma_manager):
    """seed 004: 84.99% refused without a reason (422 on exceptional_reason)."""
    contract = draft(other_agency, provider)
    with pytest.raises(ValidationFailed) as exc:
        services.rate_calculation_create(
            actor=ma_manager,
            contract=contract,
            program_cost=D("1000000"),
            capacity=D("10"),
            units_per_period=D("365"),
            utilization_factor=D("0.8499"),
        )
    assert "exceptional_reason" in exc.value.errors


def test_lowest_price_refuses_higher_rate(other_agency, provider, ma_manager):
    """seed 004 (808 CMR 1.03(4)): the rate may not exceed the lowest price to others."""
    contract = draft(other_agency, provider)
    services.price_limits_set(actor=ma_manager, contract=contract, lowest_price_to_others=D("100"))
    with pytest.raises(ValidationFailed) as exc:
        started(ma_manager, contract)  # 100,000 ÷ 657 = 152.21 > 100
    assert "lowest_price_to_others" in exc.value.errors


def test_authorised_rate_needs_rate_set_contract(other_agency, provider, ma_manager):
    """seed 004: authorised prices are used where the contract is rate-set."""
    contract = draft(other_agency, provider)
    with pytest.raises(ValidationFailed):
        services.price_limits_set(actor=ma_manager, contract=contract, authorised_rate=D("90"))
    rate_set = draft(other_agency, provider, rate_setting=True, rate_setting_authority="EOHHS")
    services.price_limits_set(actor=ma_manager, contract=rate_set, authorised_rate=D("90"))
    assert started(ma_manager, rate_set).unit_rate == D("90.00")
