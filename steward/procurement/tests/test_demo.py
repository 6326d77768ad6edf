"""The procurement demo extension adds a notified solicitation with a debriefing request."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import timezone

from steward.parties.models import Role
from steward.procurement.demo import procurement_demo
from steward.procurement.models import DebriefingRequest, Solicitation
from steward.testing.factories import ContractFactory, ProviderFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_demo_extension_builds_a_debriefing_request(agency):
    """The award links the demo's existing contract (the core demo counts its contracts)."""
    nutmeg = ProviderFactory(slug="demo-nutmeg")
    riverbend = ProviderFactory(slug="demo-riverbend")
    existing = ContractFactory(agency=agency, provider=riverbend, status="active")
    ctx = SimpleNamespace(
        contracts={"DCF-POS-0388": existing},
        today=timezone.localdate(),
        agencies={"ct-dcf": agency},
        providers={"demo-nutmeg": nutmeg, "demo-riverbend": riverbend},
        users={
            "manager": UserFactory(role=Role.CONTRACT_MANAGER, agency=agency),
            "provider": UserFactory(role=Role.PROVIDER_USER, provider=nutmeg, agency=None),
        },
    )
    counts = procurement_demo(ctx)
    assert counts == {"solicitations": 1, "bids": 2, "debriefing requests": 1}
    solicitation = Solicitation.objects.get(reference="DCF-RFP-2026-01")
    assert solicitation.contract == existing
    assert DebriefingRequest.objects.get().bid.provider == nutmeg
    assert (
        procurement_demo(SimpleNamespace(agencies={}, users={}, providers={}, contracts={})) == {}
    )
