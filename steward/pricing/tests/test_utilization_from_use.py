"""seed 004 "Utilization factor for unit rates": the suggested factor comes from actual use,
units delivered (the provider's submitted returns) against the capacity purchased, never from
the factor negotiated last time. Through the rules, the selector, the API and the page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from steward.core.tests.api_support import call, token_client
from steward.parties.models import Role
from steward.performance import services as performance
from steward.performance.models import Return
from steward.performance.tests.factories import with_plan
from steward.pricing import calc, selectors, services
from steward.testing.factories import ContractFactory, ProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ma_manager(make_user, other_agency):
    return make_user(Role.CONTRACT_MANAGER, agency=other_agency)


def priced(actor, contract, factor=D("0.95")):
    """Capacity 2 × 365 units = 730 units of capacity over the 2026 term."""
    return services.rate_calculation_create(
        actor=actor,
        contract=contract,
        program_cost=D("100000"),
        capacity=D("2"),
        units_per_period=D("365"),
        utilization_factor=factor,
    )


def delivered(contract, manager, provider_user, units):
    """Submit the first quarters' returns with `units` delivered each, through the services."""
    with_plan(contract, manager)
    returns = Return.objects.filter(contract=contract).order_by("period_start")
    for ret, amount in zip(returns, units, strict=False):
        performance.return_submit(
            actor=provider_user,
            ret=ret,
            values={},
            volumes={"units_delivered": str(amount)},
            on=ret.period_end,
        )


def test_actual_utilization_arithmetic_seed_004():
    """seed 004: units delivered ÷ the capacity of the same periods (line 5 spread over the
    term). Q1 2026 is 90 of 365 days: 730 × 90 ÷ 365 = 180 units of capacity; 153 delivered is
    85%."""
    use = calc.actual_utilization(
        label="C-1",
        total_capacity=D("730"),
        term_start=date(2026, 1, 1),
        term_end=date(2026, 12, 31),
        delivered=[(date(2026, 1, 1), date(2026, 3, 31), D("153"))],
    )
    assert use is not None and use.capacity == D("180") and use.factor == D("0.8500")
    assert "153 units delivered" in use.arithmetic and "= 85%" in use.arithmetic
    # more use than capacity is capped at the maximum, and the arithmetic says so
    over = calc.actual_utilization(
        label="C-2",
        total_capacity=D("730"),
        term_start=date(2026, 1, 1),
        term_end=date(2026, 12, 31),
        delivered=[(date(2026, 1, 1), date(2026, 3, 31), D("198"))],
    )
    assert over is not None
    capped = calc.suggest_from_use([over], [])
    assert capped.factor == D("1") and capped.actual == D("1.1000")
    assert "capped" in capped.arithmetic[-1]
    assert calc.suggest_from_use([], []).factor is None


def test_suggestion_comes_from_units_delivered_not_the_negotiated_factor_seed_004(
    other_agency, ma_manager, make_user
):
    """seed 004: "should be based on the program's prior utilization history": last year's
    contract was negotiated at 95% but delivered 162 + 171 units in two quarters of capacity
    180 + 182 (90 and 91 of 365 days of 730): 333 ÷ 362 = 91.99%, which is suggested."""
    provider = ProviderFactory(legal_name="Pioneer Valley Supports")
    past = ContractFactory(agency=other_agency, provider=provider, status="active")
    priced(ma_manager, past, D("0.95"))
    provider_user = make_user(Role.PROVIDER_USER, provider=provider)
    delivered(past, ma_manager, provider_user, [162, 171])
    new = ContractFactory(
        agency=other_agency,
        provider=provider,
        start_date=date(2027, 1, 1),
        end_date=date(2027, 12, 31),
    )
    suggestion = selectors.utilization_suggestion(new)
    assert suggestion.factor == D("0.9199")
    assert "prior utilization" in suggestion.basis
    assert any("333 units delivered in 2 period(s)" in line for line in suggestion.arithmetic)
    api = call(
        token_client(ma_manager), "get", f"/pricing/contracts/{new.pk}/utilization-suggestion"
    )
    assert api.status_code == 200, api.content
    assert D(str(api.json()["factor"])) == D("0.9199")
    assert api.json()["arithmetic"] == suggestion.arithmetic


def test_without_history_the_average_of_the_same_type_is_suggested_seed_004(
    other_agency, ma_manager, make_user
):
    """seed 004: "... or the average for all programs of the same type": two other providers'
    programs of the same service type used 85% and 95% of Q1 capacity (153 and 171 of 180):
    90% is suggested; a program of another type does not count."""
    for name, units, service in (
        ("Hampden Homes", 153, "Family support"),
        ("Essex Care", 171, "Family support"),
        ("Cape Respite", 90, "Respite"),
    ):
        provider = ProviderFactory(legal_name=name)
        contract = ContractFactory(
            agency=other_agency, provider=provider, status="active", service_type=service
        )
        priced(ma_manager, contract)
        delivered(contract, ma_manager, make_user(Role.PROVIDER_USER, provider=provider), [units])
    newcomer = ContractFactory(agency=other_agency, provider=ProviderFactory(legal_name="New Co"))
    suggestion = selectors.utilization_suggestion(newcomer)
    assert suggestion.factor == D("0.9000")
    assert "average" in suggestion.basis and "2 program(s)" in suggestion.basis
    assert suggestion.arithmetic[-1] == "Average of 2 program(s): 85% + 95% ÷ 2 = 90%"


def test_suggestion_is_internal_and_shown_with_its_arithmetic(
    client, other_agency, agency, ma_manager, make_user
):
    """seed 004: the suggestion is negotiation data: the contract's agency reads it (page and
    API); another agency and the provider get 404."""
    provider = ProviderFactory(legal_name="Berkshire Family Partners")
    past = ContractFactory(agency=other_agency, provider=provider, status="active")
    priced(ma_manager, past)
    provider_user = make_user(Role.PROVIDER_USER, provider=provider)
    delivered(past, ma_manager, provider_user, [153])
    new = ContractFactory(agency=other_agency, provider=provider, status="active")
    client.force_login(ma_manager)
    page = client.get(reverse("pricing:contract", args=[new.pk]))
    assert page.status_code == 200
    assert "How the suggestion is worked out" in page.content.decode()
    assert "153 units delivered" in page.content.decode()
    for outsider in (make_user(Role.CONTRACT_MANAGER, agency=agency), provider_user):
        response = call(
            token_client(outsider), "get", f"/pricing/contracts/{new.pk}/utilization-suggestion"
        )
        assert response.status_code == 404, outsider
