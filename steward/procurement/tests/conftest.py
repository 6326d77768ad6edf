"""Fixtures for procurement tests: a Scottish council (pack scottish-childrens) running a
tender with two bidders, notified on 2 March 2026."""

from __future__ import annotations

from datetime import date

import pytest

from steward.contracts.services import contract_execute
from steward.parties.models import Role
from steward.procurement import services
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
    contract_execute(actor=ccm, contract=solicitation.contract, executed_on=NOTIFIED)
    services.notices_send(actor=ccm, solicitation=solicitation, notified_on=NOTIFIED)
    solicitation.refresh_from_db()
    return solicitation, win, lose
