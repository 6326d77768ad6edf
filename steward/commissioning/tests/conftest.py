"""Fixtures for commissioning tests: a Scottish council (pack scottish-childrens) with two
sectors: residential care (two providers, places, a placement) and fostering."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from steward.contracts.services import contract_create, contract_execute
from steward.parties.models import Role
from steward.procurement import services_placements as ps
from steward.procurement.services_compliance import procurement_record_set
from steward.testing.factories import AgencyFactory, UserFactory

TODAY = date(2026, 6, 1)
NEEDS_CSV = (
    "Service type,Area,Period start,Period end,Need,Use\n"
    "Residential care,North,2026-01-01,2026-03-31,4,3\n"
    "Residential care,South,2026-01-01,2026-03-31,2,2\n"
    "Residential care,North,2025-10-01,2025-12-31,9,9\n"
    "Fostering,North,2026-01-01,2026-03-31,6,5\n"
)


@pytest.fixture
def scc(packs):
    return AgencyFactory(name="Scottish Council", slug="scc", pack=packs["scottish-childrens"])


@pytest.fixture
def people(scc, provider, agency):
    def person(role, name, **extra):
        return UserFactory(role=role, agency=scc, username=name, email=f"{name}@scc.test", **extra)

    return {
        "ccm": person(Role.CONTRACT_MANAGER, "ccm"),
        "monitor": person(Role.CONTRACT_MONITOR, "monitor"),
        "senior": person(Role.SENIOR_MANAGER, "senior"),
        "finance": person(Role.FINANCE_OFFICER, "finance"),
        "key": person(Role.KEY_WORKER, "key"),
        "provider": UserFactory(
            role=Role.PROVIDER_USER, provider=provider, agency=None, username="supplier"
        ),
        "other": UserFactory(role=Role.CONTRACT_MANAGER, agency=agency, username="elsewhere"),
        "admin": UserFactory(role=Role.ADMINISTRATOR, agency=None, username="root"),
        "oversight": UserFactory(role=Role.OVERSIGHT_OFFICER, agency=agency, username="watch"),
    }


def make_contract(ccm, scc, provider, number, service_type, places=None, category="A"):
    contract = contract_create(
        actor=ccm,
        agency=scc,
        data={
            "number": number,
            "title": f"{service_type} {number}",
            "contract_type": "block",
            "service_type": service_type,
            "provider": provider,
            "start_date": date(2026, 1, 1),
            "end_date": date(2027, 3, 31),
            "maximum_obligation": Decimal("500000.00"),
            "compensation_structure": "unit_rate",
            "procurement_method": "tendered",
            "authority_category": category,
        },
    )
    # seed 003: a tender above the threshold records where it was advertised
    procurement_record_set(
        actor=ccm,
        contract=contract,
        data={"advertised_on_pcs": True, "advertised_on": date(2025, 9, 1)},
    )
    contract = contract_execute(actor=ccm, contract=contract, executed_on=date(2025, 12, 1))
    if places is not None:
        ps.capacity_set(actor=ccm, contract=contract, places=places)
    return contract


@pytest.fixture
def sector_contracts(scc, people, provider, other_provider):
    ccm = people["ccm"]
    contracts = {
        "res1": make_contract(ccm, scc, provider, "RC-1", "Residential care", places=2),
        "res2": make_contract(ccm, scc, other_provider, "RC-2", "Residential care", places=3),
        "fost": make_contract(ccm, scc, provider, "FO-1", "Fostering", places=5),
    }
    ps.placement_create(
        actor=ccm,
        contract=contracts["res1"],
        data={
            "case_reference": "CASE-1",
            "category": "A",
            "amount": "1000",
            "key_worker": people["key"],
            "start_date": date(2026, 2, 1),
            "anticipated_end": date(2026, 12, 31),
        },
        today=date(2026, 1, 20),
    )
    return contracts
