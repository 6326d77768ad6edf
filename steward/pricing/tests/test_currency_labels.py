"""Issue 17 "Labels" (seed 003, a Scottish council buying in pounds): the pricing pages show the
agency's currency, never dollars; the rate calculation's lines and the bill-out projection are
written in it; and the performance page calls the plan of returns Milwaukee's "Performance
Evaluation Plan" only where the pack uses it, and never heads inspections "Effectiveness"."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from steward.parties.models import Role
from steward.pricing import calc, services
from steward.testing.factories import AgencyFactory, ContractFactory


def signed_in(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


pytestmark = pytest.mark.django_db


@pytest.fixture
def highland(packs):
    return AgencyFactory(name="Highland Council", slug="highland", pack=packs["scottish-childrens"])


@pytest.fixture
def gbp_contract(highland, provider):
    return ContractFactory(
        agency=highland,
        provider=provider,
        number="HC-1",
        currency="GBP",
        status="draft",
        maximum_obligation=D("450000"),
    )


def test_fmt_money_in_each_currency():
    """seed 003 (GBP) and seed 004 (USD): the symbol of the contract's currency, else its code."""
    assert calc.fmt_money(D("1234.5"), "GBP") == "£1,234.50"
    assert calc.fmt_money(D("1234.5")) == "$1,234.50"
    assert calc.fmt_money(D("-3"), "GBP") == "-£3.00"
    assert calc.fmt_money(D("10"), "CAD") == "CAD 10.00"


def test_seed_003_pricing_page_of_a_gbp_contract_shows_pounds_not_dollars(
    gbp_contract, highland, make_user
):
    """issue 17 labels, seed 003: a GBP contract's pricing page and its rate lines are in £."""
    manager = make_user(Role.CONTRACT_MANAGER, agency=highland, username="hc-manager")
    services.rate_calculation_create(
        actor=manager,
        contract=gbp_contract,
        program_cost=D("100000"),
        capacity=D("2"),
        units_per_period=D("365"),
        utilization_factor=D("0.85"),
    )
    result = services.compute(
        contract=gbp_contract,
        program_cost=D("100000"),
        capacity=D("2"),
        units_per_period=D("365"),
        utilization_factor=D("0.85"),
    )
    assert result.lines[0].value == "£100,000.00"
    page = signed_in(manager).get(reverse("pricing:contract", args=[gbp_contract.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "£450,000.00" in html
    assert "dollars" not in html.lower()
    assert "$" not in html.replace("$(", "")  # no dollar amounts (a script's "$(" aside)
    assert "(GBP)" in html  # the form labels


def test_pricing_page_permissions_for_the_gbp_contract(gbp_contract, highland, make_user):
    """The page stays closed to another agency's staff (404) and to anonymous users."""
    other = make_user(Role.CONTRACT_MANAGER, username="elsewhere")  # the default agency
    url = reverse("pricing:contract", args=[gbp_contract.pk])
    assert signed_in(other).get(url).status_code == 404
    from django.test import Client

    assert Client().get(url).status_code == 302


@pytest.mark.parametrize(
    ("pack", "plan"),
    [
        ("scottish-childrens", "Returns and reporting plan"),
        ("west-london-sp", "Returns and reporting plan"),
        ("milwaukee-mps", "Performance Evaluation Plan"),
    ],
)
def test_seed_001_plan_named_only_where_the_pack_uses_it_and_no_effectiveness_heading(
    packs, provider, make_user, pack, plan
):
    """issue 17 labels: seed 001's "Performance Evaluation Plan" only for Milwaukee's pack;
    inspections are evidence of quality and compliance with national standards (seed 003), not
    "Effectiveness"."""
    agency = AgencyFactory(name=f"Agency {pack}", slug=pack, pack=packs[pack])
    contract = ContractFactory(agency=agency, provider=provider, number="P-1", status="active")
    manager = make_user(Role.CONTRACT_MANAGER, agency=agency, username=f"m-{pack}")
    page = signed_in(manager).get(reverse("performance:contract", args=[contract.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert plan in html
    if plan != "Performance Evaluation Plan":
        assert "Performance Evaluation Plan" not in html
    assert "Effectiveness" not in html
    assert "Inspection reports" in html
