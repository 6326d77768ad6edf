"""Procurement services: solicitations, notices, debriefings, appeals (seed 004); authority,
placements and termination (seed 003)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from steward.contracts.models import ContractStatus
from steward.contracts.services import contract_activate
from steward.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from steward.parties.models import Role
from steward.procurement import services
from steward.procurement.models import AppealStatus
from steward.testing.factories import ContractFactory

from .conftest import NOTIFIED

pytestmark = pytest.mark.django_db


def _solicit(actor, agency, value, **extra):
    return services.solicitation_create(
        actor=actor,
        agency=agency,
        data={"reference": f"R-{value}", "title": "T", "estimated_value": value, **extra},
        criteria=[("Quality", "1")],
    )


def test_threshold_exactly_20000_is_not_tendered(scc, officer):
    """seed 003: "more than £20,000" is tendered; exactly £20,000 is not (scottish pack)."""
    assert _solicit(officer, scc, "20000.00").tendering_required is False
    assert _solicit(officer, scc, "20000.01").tendering_required is True
    exempt = _solicit(
        officer, scc, "50000", best_value_exemption="Best Value analysis: sole local provider"
    )
    assert exempt.tendering_required is False
    assert exempt.best_value_exemption


def test_award_creates_the_contract_and_notices_go_to_every_bidder(notified):
    """seed 004: notification of contract execution to all bidders, dated."""
    solicitation, win, lose = notified
    contract = solicitation.contract
    assert contract.provider_id == win.provider_id
    assert contract.maximum_obligation == Decimal("140000.00")
    assert contract.procurement_method == "tendered"
    assert contract.currency == "GBP"
    assert win.notice.successful and not lose.notice.successful
    assert lose.notice.notified_on == NOTIFIED
    ranked = services.solicitation_ranking(solicitation)
    assert ranked[0].bid_id == win.pk  # 0.6*90+0.4*70 = 82 beats 0.6*60+0.4*80 = 68


def test_debriefing_request_on_day_14_allowed(notified, bidder):
    """seed 004: request within 14 days of notification: day 14 allowed."""
    _, _, lose = notified
    request = services.debriefing_request(
        actor=bidder, bid=lose, requested_on=NOTIFIED + timedelta(days=14)
    )
    assert request.meeting_due == NOTIFIED + timedelta(days=28)


def test_debriefing_request_on_day_15_refused(notified, bidder):
    """seed 004: day 15 after notification is refused: a closed window (409, issue 19)."""
    _, _, lose = notified
    with pytest.raises(TransitionNotAllowed, match="had to be requested"):
        services.debriefing_request(
            actor=bidder, bid=lose, requested_on=NOTIFIED + timedelta(days=15)
        )


def test_debriefing_refused_to_the_winner_and_to_other_providers(notified, winner_user, bidder):
    _, win, lose = notified
    with pytest.raises(TransitionNotAllowed):
        services.debriefing_request(actor=winner_user, bid=win, requested_on=NOTIFIED)
    with pytest.raises(PermissionDeniedError):
        services.debriefing_request(actor=winner_user, bid=lose, requested_on=NOTIFIED)


def test_changed_window_applies_with_a_reason(notified, bidder, officer):
    """seed 004: "These timeframes may be modified at the discretion of the SSST"."""
    solicitation, _, lose = notified
    with pytest.raises(ValidationFailed):
        services.solicitation_change_windows(
            actor=officer, solicitation=solicitation, request_days=21, meeting_days=None, reason=" "
        )
    services.solicitation_change_windows(
        actor=officer,
        solicitation=solicitation,
        request_days=21,
        meeting_days=7,
        reason="Easter closure",
    )
    lose.solicitation.refresh_from_db()
    request = services.debriefing_request(
        actor=bidder, bid=lose, requested_on=NOTIFIED + timedelta(days=21)
    )
    assert request.meeting_due == NOTIFIED + timedelta(days=28)


def _debrief(officer, bidder, lose, offset=14):
    request = services.debriefing_request(actor=bidder, bid=lose, requested_on=NOTIFIED)
    return services.debriefing_meeting_record(
        actor=officer,
        request=request,
        held_on=NOTIFIED + timedelta(days=offset),
        attendees="Officer; bidder's director",
        discussion="Scores on quality explained",
    )


def test_a_meeting_after_day_14_is_recorded_late_and_one_before_the_request_refused(
    notified, bidder, officer
):
    """seed 004: the meeting is due within 14 days of the request; held later, it is recorded
    all the same (late), so the bidder keeps its right to appeal."""
    _, _, lose = notified
    request = services.debriefing_request(actor=bidder, bid=lose, requested_on=NOTIFIED)
    with pytest.raises(ValidationFailed, match="cannot be before the request"):
        services.debriefing_meeting_record(
            actor=officer,
            request=request,
            held_on=NOTIFIED - timedelta(days=1),
            attendees="a",
            discussion="b",
        )
    meeting = services.debriefing_meeting_record(
        actor=officer,
        request=request,
        held_on=NOTIFIED + timedelta(days=15),
        attendees="a",
        discussion="b",
    )
    assert meeting.history.first().history_change_reason == "Debriefing held late"
    assert services.appeal_due(lose) == NOTIFIED + timedelta(days=29)


def test_appeal_refused_without_a_debriefing(notified, bidder):
    """seed 004: a debriefing is a prerequisite to an appeal."""
    _, _, lose = notified
    with pytest.raises(TransitionNotAllowed, match="debriefing must take place"):
        services.appeal_lodge(
            actor=bidder,
            bid=lose,
            ground="fundamental_unfairness",
            statement="x",
            lodged_on=NOTIFIED,
        )
    services.debriefing_request(actor=bidder, bid=lose, requested_on=NOTIFIED)
    with pytest.raises(TransitionNotAllowed, match="debriefing must take place"):
        services.appeal_lodge(
            actor=bidder,
            bid=lose,
            ground="fundamental_unfairness",
            statement="x",
            lodged_on=NOTIFIED,
        )


def test_appeal_refused_on_other_grounds(notified, bidder, officer):
    """seed 004: "Departments may reject appeal requests based on grounds other than" the two;
    "All documentation pertaining to appeals must be placed in the procurement file": the
    refused appeal is kept, with the reason."""
    _, _, lose = notified
    _debrief(officer, bidder, lose)
    appeal = services.appeal_lodge(
        actor=bidder,
        bid=lose,
        ground="price",
        statement="Our price was lower.",
        lodged_on=NOTIFIED + timedelta(days=15),
    )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REFUSED
    assert appeal.ground == "other"
    assert "two grounds" in appeal.decision
    assert appeal.decided_on == appeal.lodged_on
    assert appeal.history.count() == 1


def test_appeal_time_limit_from_the_pack(notified, bidder, officer):
    """seed 004 (time limitations for requesting an appeal; pack bid_appeal 14 days)."""
    _, _, lose = notified
    meeting = _debrief(officer, bidder, lose)
    late = meeting.held_on + timedelta(days=15)
    with pytest.raises(TransitionNotAllowed, match="time limit"):
        services.appeal_lodge(
            actor=bidder, bid=lose, ground="non_compliance", statement="x", lodged_on=late
        )
    appeal = services.appeal_lodge(
        actor=bidder,
        bid=lose,
        ground="non_compliance",
        statement="x",
        lodged_on=meeting.held_on + timedelta(days=14),
    )
    assert appeal.status == AppealStatus.PENDING


def test_pending_appeal_does_not_block_execution_and_decision_is_recorded(
    notified, bidder, officer, ccm
):
    """seed 004: "Pending appeals ... shall not prohibit the Department from ... executing"."""
    solicitation, _, lose = notified
    _debrief(officer, bidder, lose)
    appeal = services.appeal_lodge(
        actor=bidder,
        bid=lose,
        ground="fundamental_unfairness",
        statement="x",
        lodged_on=NOTIFIED + timedelta(days=20),
    )
    # the contract was executed before the notices; the pending appeal does not stop it
    contract = contract_activate(actor=ccm, contract=solicitation.contract, today=date(2026, 4, 1))
    assert contract.status == ContractStatus.ACTIVE
    with pytest.raises(PermissionDeniedError):
        services.appeal_decide(
            actor=bidder, appeal=appeal, status="upheld", decision="x", decided_on=NOTIFIED
        )
    services.appeal_decide(
        actor=officer,
        appeal=appeal,
        status="dismissed",
        decision="No unfairness found",
        decided_on=NOTIFIED + timedelta(days=25),
    )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.DISMISSED


def test_other_agency_cannot_run_this_solicitation(solicitation, make_user, provider):
    stranger = make_user(Role.PROCUREMENT_OFFICER)
    with pytest.raises(PermissionDeniedError):
        services.bid_record(
            actor=stranger,
            solicitation=solicitation,
            provider=provider,
            price="1",
            received_on=NOTIFIED,
        )


def test_award_can_link_the_winners_existing_contract(
    solicitation, bids, ccm, scc, provider, other_provider
):
    """An award may link the contract already in the register instead of creating one."""
    win, _ = bids
    wrong = ContractFactory(agency=scc, provider=other_provider, status="active")
    with pytest.raises(ValidationFailed, match="winning bidder"):
        services.solicitation_award(actor=ccm, solicitation=solicitation, bid=win, contract=wrong)
    right = ContractFactory(agency=scc, provider=provider, status="active")
    assert (
        services.solicitation_award(actor=ccm, solicitation=solicitation, bid=win, contract=right)
        == right
    )
    solicitation.refresh_from_db()
    assert solicitation.contract == right and solicitation.status == "awarded"
