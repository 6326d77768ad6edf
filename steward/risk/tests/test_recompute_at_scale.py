"""The recompute's fast path (services.recompute, docs/risk.md "Performance"; seeds 002 stage 1,
003): its chunks name their contracts by a subquery, read only each contract's latest
assessment, run the rule once per distinct set of signals under one pack, and write plain rows.
These tests hold it to the same answers as the plain path: the same signals, the same ratings
under each pack, only the contracts whose signals changed re-rated, overrides kept."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from steward.contracts import hooks
from steward.contracts.models import Contract
from steward.core.services import policy_pack_copy, policy_pack_update
from steward.parties.models import InspectionRating, Role
from steward.risk import services
from steward.risk.models import RiskAssessment
from steward.risk.risk_signals import ContractRow, gather
from steward.risk.tests.factories import make_concern
from steward.testing.factories import ContractFactory, ProviderFactory

AS_OF = date(2026, 6, 30)

pytestmark = pytest.mark.django_db


def _rows(contracts) -> list[ContractRow]:
    return [
        ContractRow(
            id=c.pk,
            agency_id=c.agency_id,
            provider_id=c.provider_id,
            start_date=c.start_date,
            rules=c.agency.pack.parsed.risk,
        )
        for c in contracts
    ]


def _assessments(contract) -> list[RiskAssessment]:
    return list(RiskAssessment.objects.filter(contract=contract).order_by("as_of", "id"))


def test_the_chunks_subquery_gathers_the_same_signals_as_the_list_of_ids(
    agency, other_agency, provider, contract
):
    """seed 003: concerns about the contract and about its provider with no contract named
    (same agency only), high-severity and financial ones, compliments left out, the provider's
    poor inspection: counted the same whether the contracts come as a list or a subquery."""
    second = ProviderFactory()
    theirs = ContractFactory(agency=agency, provider=second, status="active")
    elsewhere = ContractFactory(agency=other_agency, provider=provider, status="executed")
    ContractFactory(agency=agency, provider=provider, status="draft")  # in the id range, not live
    make_concern(agency, provider, contract, received_on=AS_OF, severity="critical")
    make_concern(
        agency, provider, contract, received_on=AS_OF - timedelta(days=10), code="financial"
    )
    make_concern(agency, provider, contract, received_on=AS_OF, kind="compliment")
    make_concern(agency, provider, None, received_on=AS_OF - timedelta(days=3))
    make_concern(agency, second, theirs, received_on=AS_OF - timedelta(days=91))  # outside
    make_concern(other_agency, provider, None, received_on=AS_OF, severity="high")
    InspectionRating.objects.create(
        provider=provider, body="CQC", rating="Requires improvement", inspected_on=AS_OF
    )
    live = Contract.objects.filter(status__in=services.LIVE_STATUSES).order_by("pk")
    contracts = list(live)
    by_list = gather(_rows(contracts), AS_OF)
    by_query = gather(_rows(contracts), AS_OF, chunk=live)
    assert by_query == by_list
    assert by_list[contract.pk]["concerns"] == 3  # two of its own, one about the provider
    assert by_list[contract.pk]["high_severity_concerns"] == 1
    assert by_list[contract.pk]["financial_concerns"] == 1
    assert by_list[contract.pk]["inspection_poor"] == 1
    assert by_list[theirs.pk]["concerns"] == 0
    assert by_list[elsewhere.pk]["concerns"] == 1 and by_list[elsewhere.pk]["inspection_poor"]


def test_only_the_contract_whose_signals_changed_is_rated_again(
    manager, agency, provider, contract
):
    """A recompute the same day re-rates the contract whose signals changed (its previous
    rating kept for the trend) and writes nothing for the others, whose override stands."""
    other = ContractFactory(agency=agency, provider=ProviderFactory(), status="active")
    assert services.recompute(as_of=AS_OF) == 2
    (kept,) = _assessments(other)
    services.risk_override(actor=manager, assessment=kept, rating="amber", reason="Site visit")
    for _ in range(2):
        make_concern(agency, provider, contract, received_on=AS_OF, severity="high")
    assert services.recompute(as_of=AS_OF) == 1
    first, latest = _assessments(contract)
    assert (first.computed_rating, latest.computed_rating) == ("green", "red")
    assert latest.previous_rating == "green" and latest.score == 6
    assert latest.reasons == [
        "2 concerns in 90 days (+2)",
        "2 high-severity concerns in 90 days (+4)",
    ]
    assert latest.signals["high_severity_concerns"] == 2
    assert _assessments(other) == [kept]
    kept.refresh_from_db()
    assert kept.rating == "amber" and kept.override_reason == "Site visit"
    assert services.recompute(as_of=AS_OF) == 0  # idempotent
    # the next day every contract is assessed again and the override lapses
    assert services.recompute(as_of=AS_OF + timedelta(days=1)) == 2
    assert _assessments(other)[-1].previous_rating == "amber"
    assert _assessments(other)[-1].rating == "green"


def test_the_same_signals_rate_by_each_contracts_own_pack(
    make_user, agency, other_agency, provider, contract
):
    """seed 003: the weights are the agency's pack's: the same signals under a pack that
    weighs a concern 3 rate amber where the shipped pack (weight 1) rates green; in one chunk
    and across chunks of one contract, with the same rows either way."""
    admin = make_user(Role.ADMINISTRATOR, username="admin")
    heavy = policy_pack_copy(actor=admin, source=other_agency.pack, slug="heavy", name="Heavy")
    rules = dict(heavy.rules)
    rules["risk"] = {**rules["risk"], "weights": {**rules["risk"]["weights"], "concerns": 3}}
    heavy = policy_pack_update(actor=admin, pack=heavy, rules=rules, reason="Concerns weigh 3")
    other_agency.pack = heavy
    other_agency.save()
    theirs = ContractFactory(agency=other_agency, provider=provider, status="active")
    make_concern(agency, provider, contract, received_on=AS_OF)
    make_concern(other_agency, provider, theirs, received_on=AS_OF)

    def ratings():
        return {
            a.contract_id: (a.computed_rating, a.score, a.reasons, a.signals, a.monitoring_level)
            for a in RiskAssessment.objects.all()
        }

    assert services.recompute(as_of=AS_OF) == 2
    together = ratings()
    assert together[contract.pk][:3] == ("green", 1, ["1 concern in 90 days (+1)"])
    assert together[theirs.pk][:3] == ("amber", 3, ["1 concern in 90 days (+3)"])
    assert together[theirs.pk][4] == "standard"
    RiskAssessment.objects.all().delete()
    assert services.recompute(as_of=AS_OF, chunk=1) == 2
    assert ratings() == together


def test_a_contracts_latest_assessment_is_the_one_compared(agency, provider, contract):
    """The assessment compared and whose rating becomes the previous one is the contract's
    latest on or before the date (by date, then the later of two on one day)."""
    make_concern(agency, provider, contract, received_on=AS_OF - timedelta(days=5))
    assert services.recompute(as_of=AS_OF - timedelta(days=5)) == 1
    for _ in range(3):
        make_concern(agency, provider, contract, received_on=AS_OF - timedelta(days=2))
    assert services.recompute(as_of=AS_OF - timedelta(days=2)) == 1  # 4 concerns: amber
    assert services.recompute(as_of=AS_OF - timedelta(days=2)) == 0
    # assessing an earlier day compares with the assessment of that day or before
    assert services.recompute(as_of=AS_OF - timedelta(days=5)) == 0
    assert services.recompute(as_of=AS_OF) == 1
    latest = _assessments(contract)[-1]
    assert latest.previous_rating == "amber" and latest.as_of == AS_OF


def test_a_signal_named_with_quotes_and_a_backslash_is_stored_as_given(contract):
    """A registered source's signal is stored and explained as named, whatever its characters
    (the rows are written in COPY's text format on PostgreSQL: escaped)."""
    name = 'visits "late"\\night'

    def odd(contract_ids, as_of):
        return {pk: {name: 2} for pk in contract_ids}

    hooks.register_risk_signal_source("test-odd", odd)
    try:
        assert services.recompute(as_of=AS_OF) == 1
    finally:
        hooks._risk_signal_sources.pop("test-odd", None)
    (a,) = _assessments(contract)
    assert a.signals[name] == 2
    assert a.reasons == ['2 visits "late"\\night (+2)']
    assert a.computed_rating == "green" and a.score == 2
