"""Risk signals (risk_signals.py), recompute, override lifecycle and the concerns services (seeds
002 stage 1, 003)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command

from steward.contracts import hooks
from steward.core.errors import PermissionDeniedError, ValidationFailed
from steward.parties.models import InspectionRating, Role
from steward.risk import selectors, services
from steward.risk.models import Concern, ConcernCategory, ConcernStatus, RiskAssessment
from steward.risk.risk_signals import ContractRow, gather
from steward.risk.tests.factories import category, make_concern
from steward.testing.factories import ContractFactory

AS_OF = date(2026, 6, 30)


def _row(contract) -> ContractRow:
    return ContractRow(
        id=contract.pk,
        agency_id=contract.agency_id,
        provider_id=contract.provider_id,
        start_date=contract.start_date,
        rules=contract.agency.pack.parsed.risk,
    )


def _signals(contract, as_of=AS_OF) -> dict[str, int]:
    return gather([_row(contract)], as_of)[contract.pk]


def test_concern_window_edges(agency, provider, contract):
    """seed 003: concerns count within the pack's window (90 days): day 90 in, day 91 out."""
    make_concern(agency, provider, contract, received_on=AS_OF - timedelta(days=89))
    make_concern(agency, provider, contract, received_on=AS_OF - timedelta(days=90))
    make_concern(agency, provider, contract, received_on=AS_OF + timedelta(days=1))
    assert _signals(contract)["concerns"] == 1


def test_high_severity_and_financial(agency, provider, contract):
    """seed 003: severity (high, critical) and financial concerns are their own signals;
    compliments never count."""
    day = AS_OF - timedelta(days=5)
    make_concern(agency, provider, contract, received_on=day, severity="high")
    make_concern(agency, provider, contract, received_on=day, severity="critical")
    make_concern(agency, provider, contract, received_on=day, code="financial")
    make_concern(agency, provider, contract, received_on=day, kind="compliment", code="compliment")
    sig = _signals(contract)
    assert (sig["concerns"], sig["high_severity_concerns"], sig["financial_concerns"]) == (3, 2, 1)


def test_provider_level_concern_counts_for_agency_contracts_only(
    agency, other_agency, provider, contract
):
    """A concern about the provider without a contract bears on all the provider's contracts
    with that agency, not on its contracts with other agencies."""
    other = ContractFactory(agency=other_agency, provider=provider, status="active")
    make_concern(agency, provider, None, received_on=AS_OF)
    assert _signals(contract)["concerns"] == 1
    assert _signals(other)["concerns"] == 0


def test_inspection_latest_rating(agency, provider, contract):
    """The provider's latest inspection rating on or before as_of counts when poor."""
    InspectionRating.objects.create(
        provider=provider, body="CQC", rating="Inadequate", inspected_on=date(2025, 1, 1)
    )
    assert _signals(contract)["inspection_poor"] == 1
    InspectionRating.objects.create(
        provider=provider, body="CQC", rating="Good", inspected_on=date(2026, 1, 1)
    )
    assert _signals(contract)["inspection_poor"] == 0
    assert _signals(contract, date(2025, 6, 1))["inspection_poor"] == 1


def test_review_overdue_comes_from_the_review_meetings_not_the_time_since_a_rating_review(
    agency, provider
):
    """A contract with no review meeting due is not review-overdue however long ago it
    started; the review meetings not held by their date are the monitoring area's source
    (steward/monitoring/tests/test_deadlines.py)."""
    c = ContractFactory(
        agency=agency, provider=provider, status="active", start_date=date(2025, 1, 1)
    )
    assert _signals(c, date(2027, 1, 2))["review_overdue"] == 0


def test_actions_overdue_is_zero_until_there_are_actions(contract):
    """No actions model yet: the signal is always 0 (documented)."""
    assert _signals(contract)["actions_overdue"] == 0


def test_registered_source_is_weighed(agency, provider, contract):
    """A source registered with register_risk_signal_source is gathered and scored
    (the performance area registers indicators_missed, returns_late, returns_missing)."""
    seen = {}

    def fake(contract_ids, as_of):
        seen["ids"] = list(contract_ids)
        return {contract.pk: {"indicators_missed": 2, "returns_missing": 1}}

    hooks.register_risk_signal_source("test-fake", fake)
    try:
        assert services.recompute(as_of=AS_OF) == 1
    finally:
        hooks._risk_signal_sources.pop("test-fake", None)
    a = RiskAssessment.objects.get(contract=contract)
    assert seen["ids"] == [contract.pk]
    assert a.signals["indicators_missed"] == 2
    assert a.computed_rating == "amber" and a.score == 4
    assert "2 indicators missed (+2)" in a.reasons
    assert "1 return missing (+2)" in a.reasons
    assert a.monitoring_level == "standard"


def test_recompute_skips_unchanged_and_keeps_trend(agency, provider, contract):
    """Recomputing the same day with the same signals makes no new assessment; a change makes
    one whose previous rating is the last one's (trend)."""
    assert services.recompute(as_of=AS_OF) == 1
    assert services.recompute(as_of=AS_OF) == 0
    for _ in range(2):
        make_concern(agency, provider, contract, received_on=AS_OF, severity="high")
    assert services.recompute(as_of=AS_OF) == 1
    latest = RiskAssessment.objects.filter(contract=contract).first()
    assert latest.previous_rating == "green"
    assert latest.computed_rating == "red"  # 2 concerns + 2*2 high = 6
    assert latest.monitoring_level == "enhanced"


def test_recompute_only_live_contracts(agency, provider):
    ContractFactory(agency=agency, provider=provider, status="draft")
    ContractFactory(agency=agency, provider=provider, status="completed")
    assert services.recompute(as_of=AS_OF) == 0


def test_command_recompute_as_of(agency, provider, contract):
    """`steward risk_recompute --as-of DATE` assesses all live contracts."""
    call_command("risk_recompute", "--as-of", "2026-06-30")
    assert RiskAssessment.objects.get(contract=contract).as_of == AS_OF


def test_override_lifecycle(make_user, manager, agency, provider, contract):
    """seed 003: a contract manager overrides with a written reason (audited); the override
    lapses at the next assessment."""
    services.recompute(as_of=AS_OF)
    a = RiskAssessment.objects.get(contract=contract)
    monitor = make_user(Role.CONTRACT_MONITOR)
    with pytest.raises(PermissionDeniedError):
        services.risk_override(actor=monitor, assessment=a, rating="red", reason="x")
    with pytest.raises(ValidationFailed) as exc:
        services.risk_override(actor=manager, assessment=a, rating="red", reason="  ")
    assert "reason" in exc.value.errors
    services.risk_override(actor=manager, assessment=a, rating="red", reason="Police inquiry")
    a.refresh_from_db()
    assert a.rating == "red" and a.computed_rating == "green"
    assert a.monitoring_level == "enhanced" and a.overridden_by == manager
    assert a.history.first().history_change_reason == "Rating overridden to red: Police inquiry"
    make_concern(agency, provider, contract, received_on=AS_OF)
    services.recompute(as_of=AS_OF + timedelta(days=1))
    new = RiskAssessment.objects.filter(contract=contract).first()
    assert new.pk != a.pk
    assert new.override_rating == "" and new.rating == "green"
    assert new.previous_rating == "red"
    with pytest.raises(ValidationFailed):
        services.risk_override(actor=manager, assessment=a, rating="amber", reason="old one")


def test_override_other_agency_refused(make_user, other_agency, contract):
    services.recompute(as_of=AS_OF)
    a = RiskAssessment.objects.get(contract=contract)
    outsider = make_user(Role.CONTRACT_MANAGER, agency=other_agency)
    with pytest.raises(PermissionDeniedError):
        services.risk_override(actor=outsider, assessment=a, rating="red", reason="no")


def _data(agency, **over):
    data = {
        "kind": "complaint",
        "received_on": AS_OF,
        "source": "family",
        "channel": "email",
        "category": category(agency, "safeguarding"),
        "severity": "high",
        "summary": "Bruising not reported",
        "description": "Family reports bruising not recorded.",
        "complainant_reference": "CASE-77",
    }
    data.update(over)
    return data


def test_logging_a_concern_recomputes(manager, agency, provider, contract):
    """Recomputed when signals change: logging a concern assesses the contract."""
    concern = services.concern_log(
        actor=manager,
        agency=agency,
        provider=provider,
        data=_data(agency, contract=contract),
        today=AS_OF,
    )
    a = RiskAssessment.objects.get(contract=contract)
    assert a.signals["high_severity_concerns"] == 1 and a.score == 3 and a.rating == "amber"
    services.concern_update(actor=manager, concern=concern, data={"severity": "low"}, today=AS_OF)
    assert RiskAssessment.objects.filter(contract=contract).first().rating == "green"


def test_default_categories_per_agency(agency, other_agency):
    """seed 003: agency-kept categories; the default list is created on first use."""
    assert not ConcernCategory.objects.exists()
    cats = list(selectors.categories_for(agency))
    assert len(cats) >= 10 and any(c.financial for c in cats)
    assert not ConcernCategory.objects.filter(agency=other_agency).exists()


def test_category_of_other_agency_refused(manager, agency, other_agency, provider):
    with pytest.raises(ValidationFailed) as exc:
        services.concern_log(
            actor=manager,
            agency=agency,
            provider=provider,
            data=_data(agency, category=category(other_agency, "other")),
        )
    assert "category" in exc.value.errors


def test_contract_must_match(manager, agency, provider, other_provider):
    wrong = ContractFactory(agency=agency, provider=other_provider, status="active")
    with pytest.raises(ValidationFailed) as exc:
        services.concern_log(
            actor=manager, agency=agency, provider=provider, data=_data(agency, contract=wrong)
        )
    assert "contract" in exc.value.errors
    assert not Concern.objects.exists()


def test_provider_procedure_and_resolution(manager, agency, provider, contract):
    """seed 003: the first step for a complaint is the provider's own procedure, recorded and
    monitored through to resolution."""
    concern = services.concern_log(
        actor=manager,
        agency=agency,
        provider=provider,
        data=_data(
            agency,
            provider_procedure_started_on=AS_OF,
            provider_procedure_due_on=AS_OF + timedelta(days=20),
        ),
        today=AS_OF,
    )
    assert concern.status == ConcernStatus.PROVIDER_PROCEDURE
    with pytest.raises(ValidationFailed) as exc:
        services.concern_update(
            actor=manager,
            concern=concern,
            data={"provider_procedure_resolved_on": AS_OF - timedelta(days=1)},
        )
    assert "provider_procedure_resolved_on" in exc.value.errors
    concern.refresh_from_db()
    with pytest.raises(ValidationFailed) as exc:
        services.concern_update(actor=manager, concern=concern, data={"status": "resolved"})
    assert "resolved_on" in exc.value.errors
    concern.refresh_from_db()
    services.concern_update(
        actor=manager,
        concern=concern,
        data={
            "status": "resolved",
            "resolved_on": AS_OF + timedelta(days=10),
            "provider_procedure_resolved_on": AS_OF + timedelta(days=10),
            "provider_procedure_outcome": "Upheld; staff retrained",
        },
    )
    concern.refresh_from_db()
    assert concern.is_closed


def test_referral_with_outcome(manager, agency, provider):
    concern = services.concern_log(
        actor=manager, agency=agency, provider=provider, data=_data(agency)
    )
    with pytest.raises(ValidationFailed):
        services.referral_add(
            actor=manager, concern=concern, party="police", referred_on=AS_OF - timedelta(days=1)
        )
    r = services.referral_add(
        actor=manager, concern=concern, party="safeguarding", referred_on=AS_OF
    )
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.REFERRED
    services.referral_outcome(
        actor=manager, referral=r, outcome="Strategy meeting held", outcome_on=AS_OF
    )
    r.refresh_from_db()
    assert r.outcome_on == AS_OF


def test_provider_cannot_log(make_user, agency, provider):
    with pytest.raises(PermissionDeniedError):
        services.concern_log(
            actor=make_user(Role.PROVIDER_USER),
            agency=agency,
            provider=provider,
            data=_data(agency),
        )


def test_monitoring_level_selector(contract):
    assert selectors.monitoring_level_for(contract) is None
    services.recompute(as_of=AS_OF)
    assert selectors.monitoring_level_for(contract) == "light"


def test_cumulative_concerns_across_agencies(manager, agency, other_agency, provider):
    """seed 003: cumulative concerns for a provider across all its contracts and agencies."""
    make_concern(agency, provider, None, received_on=AS_OF)
    make_concern(other_agency, provider, None, received_on=AS_OF)
    make_concern(other_agency, provider, None, received_on=AS_OF, kind="compliment")
    result = selectors.provider_cumulative_concerns(actor=manager, provider=provider)
    assert result["total"] == 3
    assert dict(result["by_agency"]) == {agency.name: 1, other_agency.name: 2}


def test_command_risk_recompute_spelling(agency, provider, contract):
    """`steward risk recompute --as-of DATE` (the issue's spelling)."""
    call_command("risk", "recompute", "--as-of", "2026-06-30")
    assert RiskAssessment.objects.get(contract=contract).as_of == AS_OF
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("risk", "recompute", "--as-of", "30/06/2026")
