"""Fixtures for procurement tests: a Scottish council (pack scottish-childrens) running a
tender with two bidders, notified on 2 March 2026."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from steward.contracts.services import contract_create, contract_execute
from steward.parties.models import Role
from steward.procurement import services
from steward.procurement import services_placements as placement_services
from steward.procurement.services_compliance import procurement_record_set
from steward.testing.factories import AgencyFactory, UserFactory

NOTIFIED = date(2026, 3, 2)


@pytest.fixture
def scc(packs):
    return AgencyFactory(name="Scottish Council", slug="scc", pack=packs["scottish-childrens"])


@pytest.fixture
def officer(scc):
    return UserFactory(role=Role.PROCUREMENT_OFFICER, agency=scc, username="officer")


@pytest.fixture
def ccm(scc):
    return UserFactory(role=Role.CONTRACT_MANAGER, agency=scc, username="ccm", email="ccm@scc.test")


@pytest.fixture
def bidder(other_provider):
    return UserFactory(
        role=Role.PROVIDER_USER, provider=other_provider, agency=None, username="bidder"
    )


@pytest.fixture
def winner_user(provider):
    return UserFactory(role=Role.PROVIDER_USER, provider=provider, agency=None, username="winner")


@pytest.fixture
def solicitation(scc, ccm):
    return services.solicitation_create(
        actor=ccm,
        agency=scc,
        data={"reference": "SCC-T-01", "title": "Supported lodgings", "estimated_value": "150000"},
        criteria=[("Quality", "60"), ("Price", "40")],
    )


@pytest.fixture
def bids(solicitation, ccm, provider, other_provider):
    win = services.bid_record(
        actor=ccm,
        solicitation=solicitation,
        provider=provider,
        price="140000",
        received_on=date(2026, 1, 10),
    )
    lose = services.bid_record(
        actor=ccm,
        solicitation=solicitation,
        provider=other_provider,
        price="120000",
        received_on=date(2026, 1, 11),
    )
    quality, price = solicitation.criteria.all()
    for bid, q, p in ((win, 90, 70), (lose, 60, 80)):
        services.score_record(actor=ccm, bid=bid, criterion=quality, score=q)
        services.score_record(actor=ccm, bid=bid, criterion=price, score=p)
    return win, lose


@pytest.fixture
def notified(solicitation, bids, ccm):
    win, lose = bids
    services.solicitation_award(
        actor=ccm,
        solicitation=solicitation,
        bid=win,
        contract_data={
            "number": "SCC-C-01",
            "start_date": date(2026, 4, 1),
            "end_date": date(2027, 3, 31),
        },
    )
    advertise(ccm, solicitation.contract)
    contract_execute(actor=ccm, contract=solicitation.contract, executed_on=NOTIFIED)
    services.notices_send(actor=ccm, solicitation=solicitation, notified_on=NOTIFIED)
    solicitation.refresh_from_db()
    return solicitation, win, lose


def advertise(actor, contract):
    """seed 003: a tender above £20,000 is advertised before the contract is executed."""
    return procurement_record_set(
        actor=actor,
        contract=contract,
        data={"advertised_on_pcs": True, "advertised_on": date(2026, 1, 5)},
    )


# ------------------------------------------------------------------ seed 003 placements

EXECUTED = date(2026, 3, 1)


@pytest.fixture
def team(scc, ccm, provider):
    """The council's people in seed 003's roles (each with an email address), and a user of
    the provider."""

    def person(role, name):
        return UserFactory(role=role, agency=scc, username=name, email=f"{name}@scc.test")

    people = {
        "ccm": ccm,
        "lead": person(Role.CONTRACT_MONITOR, "lead"),
        "key": person(Role.KEY_WORKER, "key"),
        "key2": person(Role.KEY_WORKER, "key2"),
        "reviewer": person(Role.REVIEWING_OFFICER, "reviewer"),
        "rag": person(Role.RAG_ADMINISTRATOR, "rag"),
        "finance": person(Role.FINANCE_OFFICER, "finance"),
        "holder": person(Role.BUDGET_HOLDER, "holder"),
        "big": person(Role.BUDGET_HOLDER, "big"),
        "supplier": UserFactory(
            role=Role.PROVIDER_USER,
            provider=provider,
            agency=None,
            username="supplier",
            email="supplier@bright.test",
        ),
    }
    placement_services.delegated_limit_set(actor=ccm, user=people["holder"], amount="10000")
    placement_services.delegated_limit_set(actor=ccm, user=people["big"], amount="100000")
    return people


def _contract(ccm, scc, provider, number, category, places=None):
    contract = contract_create(
        actor=ccm,
        agency=scc,
        data={
            "number": number,
            "title": f"Placements {number}",
            "contract_type": "block",
            "service_type": "Residential care",
            "provider": provider,
            "start_date": date(2026, 4, 1),
            "end_date": date(2027, 3, 31),
            "maximum_obligation": Decimal("900000.00"),
            "compensation_structure": "unit_rate",
            "procurement_method": "tendered",
            "authority_category": category,
        },
    )
    advertise(ccm, contract)
    contract = contract_execute(actor=ccm, contract=contract, executed_on=EXECUTED)
    if places is not None:
        placement_services.capacity_set(actor=ccm, contract=contract, places=places)
    return contract


@pytest.fixture
def contracts(scc, ccm, provider, other_provider, team):
    return {
        "A": _contract(ccm, scc, provider, "HC-A-1", "A", places=1),
        "B": _contract(ccm, scc, provider, "HC-B-1", "B"),
        "C": _contract(ccm, scc, provider, "HC-C-1", "C"),
        "C2": _contract(ccm, scc, other_provider, "HC-C-2", "C"),
    }
