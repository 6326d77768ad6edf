"""The risk demo extension logs concerns through the services and assesses the contracts."""

from __future__ import annotations

from datetime import date

from steward.risk.demo import demo_concerns_and_risk
from steward.risk.models import Concern, RiskAssessment
from steward.testing.factories import ContractFactory
from steward.workspace.demo import DemoContext


def test_demo_extension(manager, agency, provider, contract):
    second = ContractFactory(agency=agency, provider=provider, status="active", number="DCF-2")
    ctx = DemoContext(
        today=date(2026, 6, 30),
        admin=manager,
        users={"manager": manager},
        agencies={"dcf": agency},
        providers={provider.slug: provider},
        contracts={contract.number: contract, second.number: second},
    )
    counts = demo_concerns_and_risk(ctx)
    # each agency's own concerns, three on its first contract and two others on its second:
    # never the same ones copied onto every contract
    assert counts["concerns"] == 5 == Concern.objects.count()
    first = set(Concern.objects.filter(contract=contract).values_list("summary", flat=True))
    other = set(Concern.objects.filter(contract=second).values_list("summary", flat=True))
    assert sorted([len(first), len(other)]) == [2, 3] and not first & other
    assert counts["risk assessments"] >= 2
    assert set(RiskAssessment.objects.values_list("contract_id", flat=True)) == {
        contract.pk,
        second.pk,
    }
