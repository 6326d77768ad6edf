"""Massachusetts OSD Appendix F (seed 004) as written: a commercial fee only for a for-profit
provider; the bill-out projection compared with each fiscal year's obligation, never a date
after the contract ends. Through the rules, the services and the API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.tests.api_support import call, token_client
from steward.parties.models import Role
from steward.pricing import calc, services
from steward.testing.factories import ContractFactory, ProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ma_manager(make_user, other_agency):
    return make_user(Role.CONTRACT_MANAGER, agency=other_agency)


def test_a_non_profit_provider_cannot_carry_a_commercial_fee_seed_004(other_agency, ma_manager):
    """seed 004 "Commercial fees for for-profit contractors pursuant to 808 CMR 1.03(6)": a
    non-profit's surplus is limited by 808 CMR 1.03(7), it earns no fee; stating zero is fine."""
    non_profit = ProviderFactory(legal_name="Greenfield Family Services", for_profit=False)
    contract = ContractFactory(agency=other_agency, provider=non_profit)
    with pytest.raises(ValidationFailed, match="Only a for-profit provider"):
        services.commercial_fee_set(
            actor=ma_manager, contract=contract, kind="percentage", value=D("3")
        )
    api = token_client(ma_manager)
    refused = call(
        api, "put", f"/pricing/contracts/{contract.pk}/fee", {"kind": "amount", "value": "500"}
    )
    assert refused.status_code == 422, refused.content
    zero = services.commercial_fee_set(actor=ma_manager, contract=contract, kind="zero")
    assert zero.value == 0
    for_profit = ContractFactory(
        agency=other_agency, provider=ProviderFactory(legal_name="Bay LLC", for_profit=True)
    )
    fee = services.commercial_fee_set(
        actor=ma_manager, contract=for_profit, kind="percentage", value=D("3")
    )
    assert fee.value == D("3")


def test_a_contract_ending_in_2027_never_projects_a_bill_out_in_2035_seed_004():
    """seed 004: a bill-out is reaching the maximum obligation "before the end of the contract
    period"; slow billing projects no date after the end."""
    result = calc.project_bill_out(
        maximum_obligation=D("1000000"),
        billed_to_date=D("10000"),
        start=date(2026, 7, 1),
        as_of=date(2026, 9, 30),
        end=date(2027, 6, 30),
    )
    assert result.bill_out_date is None and not result.early
    assert "not reached" in result.explanation


def test_billing_is_compared_with_each_fiscal_years_obligation_seed_004():
    """seed 004 (line 5 of Attachment 4, "bills out before the end of the contract period"):
    a two-year contract's obligation is shared by fiscal year; a first year billed fast bills
    out within that year even if the whole contract would not."""
    years = [
        (2027, date(2026, 7, 1), date(2027, 6, 30)),
        (2028, date(2027, 7, 1), date(2028, 6, 30)),
    ]
    rows = calc.bill_out_by_fiscal_year(
        maximum_obligation=D("730000"),
        start=date(2026, 7, 1),
        end=date(2028, 6, 30),
        years=years,
        payments=[(date(2026, 12, 31), D("300000"))],
    )
    assert [r.fiscal_year for r in rows] == [2027, 2028]
    assert rows[0].obligation + rows[1].obligation == D("730000.00")
    assert rows[0].obligation == D("364500.68")  # 365 of 731 days (2028 is a leap year)
    assert rows[0].billed == D("300000.00")
    assert rows[0].bill_out.early and rows[0].bill_out.bill_out_date < date(2027, 6, 30)
    assert rows[1].billed == 0 and rows[1].bill_out.bill_out_date is None


def test_the_api_shows_each_fiscal_year_seed_004(other_agency, ma_manager, provider):
    contract = ContractFactory(
        agency=other_agency,
        provider=provider,
        start_date=date(2026, 7, 1),
        end_date=date(2027, 6, 30),
        maximum_obligation=D("365000"),
    )
    services.payment_record(
        actor=ma_manager,
        contract=contract,
        period_start=date(2026, 7, 1),
        period_end=date(2026, 7, 31),
        units=D("10"),
        amount=D("1000"),
    )
    body = call(token_client(ma_manager), "get", f"/pricing/contracts/{contract.pk}/bill-out")
    assert body.status_code == 200, body.content
    data = body.json()
    assert data["bill_out_date"] is None  # not some day in the 2030s
    assert [y["fiscal_year"] for y in data["fiscal_years"]] == [2027]
    assert data["fiscal_years"][0]["obligation"] == "365000.00"


def test_a_rate_set_contract_refuses_a_self_computed_rate_seed_004(other_agency, ma_manager):
    """seed 004 (Chapter 257 of the Acts of 2008; "Departments must use prices ... established
    pursuant to an independent price setting authority"): no rate calculation until the
    authorised rate is recorded; then the rate is the authorised one, its source shown."""
    contract = ContractFactory(
        agency=other_agency,
        rate_setting=True,
        rate_setting_authority="EOHHS rate regulation 101 CMR 414.00",
    )
    figures = {
        "program_cost": D("100000"),
        "capacity": D("2"),
        "units_per_period": D("365"),
        "utilization_factor": D("0.9"),
    }
    with pytest.raises(TransitionNotAllowed, match="rate-set"):
        services.rate_calculation_create(actor=ma_manager, contract=contract, **figures)
    api = token_client(ma_manager)
    path = f"/pricing/contracts/{contract.pk}/rate-calculations"
    body = {k: str(v) for k, v in figures.items()}
    assert call(api, "post", path, body).status_code == 409
    services.price_limits_set(actor=ma_manager, contract=contract, authorised_rate=D("152.40"))
    rc = services.rate_calculation_create(actor=ma_manager, contract=contract, **figures)
    assert rc.unit_rate == D("152.40")
