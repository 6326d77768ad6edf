"""Placements and early termination as seed 003 writes them (authority to purchase, the
category C flow chart, the roles table), through the services: each step's due date on the
right person's work list, its emails, the records kept.

The Scottish council of `conftest.py` (pack scottish-childrens); contracts are created and
executed by the contract manager through the contracts services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from steward.contracts.models import DueDate, DueDateStatus
from steward.contracts.services import contract_create, contract_execute
from steward.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from steward.procurement import services_placements as ps
from steward.procurement.models import (
    FinanceNotification,
    NotificationKind,
    Placement,
    PlacementStatus,
    TerminationStatus,
)
from steward.workspace.selectors import work_items

from .conftest import EXECUTED, _contract

pytestmark = pytest.mark.django_db

START, END = date(2026, 4, 1), date(2026, 12, 31)


def _items(user, kind):
    return [i for i in work_items(user=user) if i.due.kind == kind]


def _due(kind, subject, status=DueDateStatus.OPEN):
    return DueDate.objects.filter(
        kind=kind,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        status=status,
    )


def _ab(team, contract, actor, **extra):
    data = {
        "case_reference": "CASE-B1",
        "category": contract.authority_category,
        "amount": "5000",
        "key_worker": team["key"],
        "crg_decided_on": date(2026, 3, 20),
        "crg_decision": "CRG minute 14: respite two weekends a month",
        "start_date": START,
        "anticipated_end": END,
        **extra,
    }
    return ps.placement_create(actor=actor, contract=contract, data=data, today=date(2026, 3, 25))


# ------------------------------------------------------------------ category B: both


def test_category_b_needs_the_group_and_a_budget_holder_within_their_limit(team, contracts):
    """seed 003 category B: "Authorisation from Community Resource Group required ... made by
    authorised budget holders up to and including the level of funding for which they have
    delegated authority". A £10,000 budget holder cannot place £50,000 by naming the group."""
    b = contracts["B"]
    with pytest.raises(ValidationFailed, match="both"):
        _ab(team, b, team["holder"], amount="50000", authoriser="community_resource_group")
    with pytest.raises(ValidationFailed, match="Community Resource Group's decision"):
        _ab(team, b, team["holder"], crg_decision="")
    placement = _ab(team, b, team["holder"], amount="50000")
    assert placement.status == PlacementStatus.AWAITING_AUTHORISATION
    assert placement.authorised_by is None
    assert not FinanceNotification.objects.filter(placement=placement).exists()
    assert [i.due.subject_id for i in _items(team["big"], "placement_authorise")] == [placement.pk]
    assert _items(team["lead"], "placement_authorise") == []
    with pytest.raises(ValidationFailed, match="delegated limit"):
        ps.placement_authorise(actor=team["holder"], placement=placement, today=date(2026, 3, 26))
    with pytest.raises(PermissionDeniedError):
        ps.placement_authorise(actor=team["lead"], placement=placement, today=date(2026, 3, 26))
    ps.placement_authorise(actor=team["big"], placement=placement, today=date(2026, 3, 26))
    placement.refresh_from_db()
    assert (placement.status, placement.authorised_by) == (PlacementStatus.ACTIVE, team["big"])
    assert placement.crg_decision.startswith("CRG minute 14")
    assert _due("placement_authorise", placement, DueDateStatus.DONE).exists()
    assert _items(team["big"], "placement_authorise") == []
    # within their own limit a budget holder authorises at once
    own = _ab(team, b, team["holder"], case_reference="CASE-B2", amount="10000")
    assert (own.status, own.authorised_by) == (PlacementStatus.ACTIVE, team["holder"])


def test_a_placement_follows_its_contracts_category_and_availability(
    team, contracts, scc, ccm, provider
):
    """seed 003: a category A placement on a category C contract is refused; category A access
    is "dependent on availability": beyond the contract's places only with a reason."""
    with pytest.raises(ValidationFailed, match="buys category C"):
        _ab(team, contracts["C"], ccm, category="A")
    with pytest.raises(ValidationFailed, match="Resource Allocation Group"):
        _ab(team, contracts["C"], ccm, category="C")
    a = contracts["A"]
    first = _ab(team, a, team["lead"], case_reference="CASE-A1")
    assert first.status == PlacementStatus.ACTIVE and first.authoriser == "criteria_met"
    with pytest.raises(ValidationFailed, match="All 1 place under this contract are taken"):
        _ab(team, a, team["lead"], case_reference="CASE-A2")
    second = _ab(
        team, a, team["lead"], case_reference="CASE-A2", over_capacity_reason="Siblings together"
    )
    assert second.over_capacity_reason == "Siblings together"
    plain = contract_execute(
        actor=ccm,
        contract=contract_create(
            actor=ccm,
            agency=scc,
            data={
                "number": "HC-X-1",
                "title": "No category",
                "contract_type": "block",
                "provider": provider,
                "start_date": date(2026, 4, 1),
                "end_date": date(2027, 3, 31),
                "maximum_obligation": Decimal("1000.00"),
                "compensation_structure": "fixed_price",
                "procurement_method": "tendered",
            },
        ),
        executed_on=EXECUTED,
    )
    with pytest.raises(ValidationFailed, match="authority category"):
        _ab(team, plain, ccm, category="A")


# ------------------------------------------------------------------ Finance


def test_finance_is_the_agencys_finance_officers_told_every_contracts_dates(
    team, contracts, mailoutbox, django_capture_on_commit_callbacks, scc, ccm, provider
):
    """seed 003 roles table: "To notify Finance of start and anticipated end dates of
    contracts": the finance officers (a role with people), who acknowledge it from their work
    list."""
    with django_capture_on_commit_callbacks(execute=True):
        contract = _contract(ccm, scc, provider, "HC-F-1", "A")
    notice = FinanceNotification.objects.get(
        contract=contract, kind=NotificationKind.CONTRACT_DATES
    )
    assert notice.to_finance and notice.sent_to == "finance@scc.test"
    [mail] = [m for m in mailoutbox if "HC-F-1" in m.subject]
    assert mail.to == ["finance@scc.test"]
    assert "starts 1 April 2026 and is expected to end 31 March 2027" in mail.body
    [item] = [i for i in _items(team["finance"], "finance_notice") if i.due.subject_id == notice.pk]
    assert item.url == "/procurement/finance/"
    assert [i for i in _items(team["ccm"], "finance_notice")] == []
    with pytest.raises(PermissionDeniedError):
        ps.finance_acknowledge(actor=team["lead"], notice=notice, today=date(2026, 3, 2))
    ps.finance_acknowledge(actor=team["finance"], notice=notice, today=date(2026, 3, 2))
    assert _due("finance_notice", notice, DueDateStatus.DONE).exists()
    with pytest.raises(TransitionNotAllowed):
        ps.finance_acknowledge(actor=team["finance"], notice=notice, today=date(2026, 3, 2))


# ------------------------------------------------------------------ category C: the chain


def _refer(team, **extra):
    data = {
        "case_reference": "CASE-C1",
        "service_type": "Residential care",
        "provider": None,
        "amount": "90000",
        "start_date": START,
        "anticipated_end": END,
        "key_worker": team["key"],
        "reviewing_officer": team["reviewer"],
        "lead_information": "Assessment of 2 March; needs a small residential unit near school.",
        **extra,
    }
    return ps.placement_refer(
        actor=team["lead"], agency=team["lead"].agency, data=data, today=date(2026, 3, 10)
    )


OUTCOME = {
    "outcome": "Attends school every day",
    "plan_kind": "childs_plan",
    "plan_reference": "CP-2291",
    "responsibility": "milestones",
    "milestones": "Attends three days a week by June",
}


def _specify(team, placement, **extra):
    args = {
        "needs": "Stable residential care near her school",
        "support": "Key-worker sessions twice a week",
        "review_dates": [date(2026, 6, 30), date(2026, 10, 1)],
        "outcomes": [OUTCOME],
        **extra,
    }
    return ps.placement_specify(
        actor=team["key"], placement=placement, today=date(2026, 3, 16), **args
    )


def test_category_c_is_the_chain_of_the_flow_chart(
    team, contracts, mailoutbox, django_capture_on_commit_callbacks
):
    """seed 003 flow chart, category C: RAG decision to place (with the lead professional's
    information); RAG requests the CCM to issue the contract; the key worker provides the
    Individual Specification of Need (Schedule C); the CCM issues the contract (copy to the
    provider; emailed to the key worker, the reviewing officer and the RAG administrator);
    it is signed; the key worker and Finance are told; at the end of the placement the key
    worker notifies Finance and the CCM. Each step is a due date on the work list of the
    person who owes it."""
    with pytest.raises(PermissionDeniedError):
        ps.placement_refer(actor=team["key"], agency=team["key"].agency, data={}, today=START)
    with pytest.raises(ValidationFailed, match="information"):
        _refer(team, lead_information=" ")
    placement = _refer(team)
    assert (placement.status, placement.contract) == (PlacementStatus.REFERRED, None)
    assert placement.lead_professional == team["lead"]
    [item] = _items(team["rag"], "placement_rag_decision")
    assert item.url == f"/procurement/placements/{placement.pk}/"
    for other in ("ccm", "key", "finance", "big"):
        assert _items(team[other], "placement_rag_decision") == []

    # the group decides; the contract manager is asked for a contract
    with pytest.raises(PermissionDeniedError):
        ps.placement_rag_decide(
            actor=team["ccm"],
            placement=placement,
            place=True,
            decision="x",
            decided_on=date(2026, 3, 12),
        )
    with django_capture_on_commit_callbacks(execute=True):
        ps.placement_rag_decide(
            actor=team["rag"],
            placement=placement,
            place=True,
            decision="RAG 12 March: place in residential care for nine months",
            decided_on=date(2026, 3, 12),
        )
    assert [m.to for m in mailoutbox] == [["ccm@scc.test"]]
    assert "issue a contract against the model terms" in mailoutbox[0].body
    assert _items(team["rag"], "placement_rag_decision") == []
    [item] = _items(team["key"], "placement_specification")
    assert item.due.assignee == team["key"]
    assert _items(team["key2"], "placement_specification") == []

    # the key worker's structured Schedule C
    with pytest.raises(PermissionDeniedError):
        ps.placement_specify(
            actor=team["key2"],
            placement=placement,
            needs="x",
            support="y",
            review_dates=[date(2026, 6, 30)],
            outcomes=[OUTCOME],
            today=date(2026, 3, 16),
        )
    with pytest.raises(ValidationFailed, match="outside the placement"):
        _specify(team, placement, review_dates=[date(2027, 2, 1)])
    with pytest.raises(ValidationFailed, match="at least one outcome"):
        _specify(team, placement, outcomes=[])
    with pytest.raises(ValidationFailed, match="milestones"):
        _specify(team, placement, outcomes=[{**OUTCOME, "milestones": ""}])
    _specify(team, placement)
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.AWAITING_CONTRACT
    assert placement.review_dates == ["2026-06-30", "2026-10-01"]
    [outcome] = placement.outcomes.all()
    assert (outcome.plan_kind, outcome.plan_reference) == ("childs_plan", "CP-2291")
    [item] = _items(team["ccm"], "placement_contract_issue")

    # the contract manager issues it against a category C contract, and distributes it
    with pytest.raises(ValidationFailed, match="buys category A"):
        ps.placement_contract_issue(
            actor=team["ccm"], placement=placement, contract=contracts["A"], today=date(2026, 3, 18)
        )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ps.placement_contract_issue(
            actor=team["ccm"], placement=placement, contract=contracts["C"], today=date(2026, 3, 18)
        )
    sent = sorted(tuple(m.to) for m in mailoutbox)
    assert sent == [
        ("key@scc.test", "rag@scc.test", "reviewer@scc.test"),
        (contracts["C"].provider.email, "supplier@bright.test")
        if contracts["C"].provider.email
        else ("supplier@bright.test",),
    ]
    kept = FinanceNotification.objects.filter(placement=placement, kind=NotificationKind.ISSUED)
    assert kept.count() == 2 and not any(n.to_finance for n in kept)
    assert _items(team["ccm"], "placement_contract_issue") == []
    [item] = _items(team["ccm"], "placement_contract_sign")

    # signed: the key worker and Finance are told; the placement runs
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ps.placement_contract_signed(
            actor=team["ccm"],
            placement=placement,
            signed_on=date(2026, 3, 25),
            today=date(2026, 3, 25),
        )
    placement.refresh_from_db()
    assert (placement.status, placement.contract, placement.authorised_by) == (
        PlacementStatus.ACTIVE,
        contracts["C"],
        team["rag"],
    )
    assert sorted(tuple(m.to) for m in mailoutbox) == [("finance@scc.test",), ("key@scc.test",)]
    start = FinanceNotification.objects.get(placement=placement, kind=NotificationKind.START)
    assert "anticipated end 31 December 2026" in start.body
    assert [i.due.subject_id for i in _items(team["finance"], "finance_notice")].count(
        start.pk
    ) == 1
    assert [i.due.due_date for i in _items(team["key"], "placement_review")] == [
        date(2026, 6, 30),
        date(2026, 10, 1),
    ]
    [end_item] = _items(team["key"], "placement_end")
    assert end_item.due.due_date == END
    assert _items(team["key2"], "placement_end") == []

    # reviewed with the child's outcomes and actions
    with pytest.raises(ValidationFailed, match="every outcome"):
        ps.placement_review_record(
            actor=team["key"],
            placement=placement,
            held_on=date(2026, 6, 30),
            progress={},
            actions="x",
        )
    review = ps.placement_review_record(
        actor=team["key"],
        placement=placement,
        held_on=date(2026, 6, 30),
        progress={outcome.pk: ("on_track", "Two days a week now")},
        actions="Ask the school for a reduced timetable",
    )
    assert review.outcomes.get().progress == "on_track"
    assert [i.due.due_date for i in _items(team["key"], "placement_review")] == [date(2026, 10, 1)]

    # ended: the termination proforma to Finance and the contract manager
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ps.placement_end(
            actor=team["key"],
            placement=placement,
            ended_on=date(2026, 9, 1),
            reason="Returned home",
            today=date(2026, 9, 1),
        )
    [mail] = mailoutbox
    assert mail.to == ["ccm@scc.test", "finance@scc.test"]
    assert mail.subject.startswith("Termination proforma")
    proforma = FinanceNotification.objects.get(
        placement=placement, kind=NotificationKind.TERMINATION
    )
    assert _due("placement_end", placement, DueDateStatus.DONE).get().met_by == proforma
    assert _items(team["key"], "placement_review") == []  # the October review is not held


def test_the_group_may_decline(team):
    """seed 003: the Resource Allocation Group decides; a decision not to place ends it."""
    placement = _refer(team)
    ps.placement_rag_decide(
        actor=team["rag"],
        placement=placement,
        place=False,
        decision="Kinship care instead",
        decided_on=date(2026, 3, 12),
    )
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.DECLINED
    assert _items(team["key"], "placement_specification") == []
    with pytest.raises(TransitionNotAllowed):
        ps.placement_rag_decide(
            actor=team["rag"],
            placement=placement,
            place=True,
            decision="x",
            decided_on=date(2026, 3, 13),
        )


def test_the_rag_decision_is_reminded_to_the_groups_administrator(team, run_days):
    """seed 003: the group's decision falls due by the intended start; the daily job reminds
    its administrators, and nobody else."""
    _refer(team, start_date=date(2026, 3, 20))
    sent = run_days(date(2026, 3, 15), date(2026, 3, 15))
    assert sent == {
        date(2026, 3, 15): [
            (
                "Due in 5 days: Record the Resource Allocation Group's decision on a placement "
                "request",
                ("rag@scc.test",),
            )
        ]
    }


def _placed_c(team, contracts, case="CASE-C1", contract="C"):
    placement = _refer(team, case_reference=case)
    ps.placement_rag_decide(
        actor=team["rag"],
        placement=placement,
        place=True,
        decision="Place",
        decided_on=date(2026, 3, 12),
    )
    _specify(team, placement)
    ps.placement_contract_issue(
        actor=team["ccm"],
        placement=placement,
        contract=contracts[contract],
        today=date(2026, 3, 18),
    )
    return ps.placement_contract_signed(
        actor=team["ccm"],
        placement=placement,
        signed_on=date(2026, 3, 20),
        today=date(2026, 3, 20),
    )


# ------------------------------------------------------------------ early termination


def test_early_termination_as_seed_003_writes_it(
    team, contracts, mailoutbox, django_capture_on_commit_callbacks
):
    """seed 003 "Termination of Contract": requested by the lead professional; the CCM (a)
    reviews the supply repercussions, (b) checks the contractual capacity to terminate and (c)
    advises the provider in writing (the notice is sent and kept); the contract stays active
    until the effective date; each open placement gets its termination proforma or a move;
    Finance is told."""
    c = contracts["C"]
    moved = _placed_c(team, contracts, "CASE-M")
    ended = _placed_c(team, contracts, "CASE-E")
    with pytest.raises(PermissionDeniedError):
        ps.termination_request(actor=team["key"], contract=c, reason="x", today=date(2026, 5, 1))
    request = ps.termination_request(
        actor=team["lead"],
        contract=c,
        reason="Repeated safeguarding concerns",
        today=date(2026, 5, 1),
    )
    assert request.status == TerminationStatus.REQUESTED
    [item] = _items(team["ccm"], "termination_request")
    assert (item.due.due_date, item.url) == (
        date(2026, 5, 15),
        f"/procurement/contracts/{c.pk}/termination/",
    )
    review = ps.termination_review(
        actor=team["ccm"],
        contract=c,
        reason="Repeated safeguarding concerns",
        alternative_providers="Harbor Youth Alliance (HC-C-2) has two places",
        capacity_clause="Clause 21.2 (termination on notice)",
        notice_period_days=30,
        notice_on=date(2026, 5, 4),
    )
    assert "CASE-E" in review.placements_affected and "CASE-M" in review.placements_affected
    assert _items(team["ccm"], "termination_request") == []
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        contract = ps.termination_give_notice(
            actor=team["ccm"], review=review, today=date(2026, 5, 4)
        )
    assert contract.status == "executed"  # it runs until the termination takes effect
    review.refresh_from_db()
    assert review.notice_sent_to.endswith("supplier@bright.test")
    assert "takes effect on 3 June 2026" in review.notice_text
    assert "Clause 21.2" in review.notice_text
    subjects = {m.subject: m.to for m in mailoutbox}
    assert "supplier@bright.test" in subjects[f"Notice of termination: contract {c.number}"]
    assert subjects[f"Contract {c.number} terminated early from 3 June 2026"] == [
        "finance@scc.test"
    ]
    # each placement's end is brought forward to the effective date, on its key worker's list
    assert {i.due.due_date for i in _items(team["key"], "placement_end")} == {date(2026, 6, 3)}
    with pytest.raises(TransitionNotAllowed, match="takes effect on 3 June 2026"):
        ps.termination_take_effect(actor=team["ccm"], review=review, today=date(2026, 6, 2))
    with pytest.raises(TransitionNotAllowed, match="CASE-E, CASE-M"):
        ps.termination_take_effect(actor=team["ccm"], review=review, today=date(2026, 6, 3))
    # one child moves to another category C contract, the other's placement ends
    with pytest.raises(ValidationFailed, match="another"):
        ps.placement_move(
            actor=team["key"],
            placement=moved,
            to_contract=c,
            moved_on=date(2026, 6, 1),
            reason="x",
            today=date(2026, 6, 1),
        )
    new = ps.placement_move(
        actor=team["key"],
        placement=moved,
        to_contract=contracts["C2"],
        moved_on=date(2026, 6, 1),
        reason="Provider ends its contract",
        today=date(2026, 6, 1),
    )
    moved.refresh_from_db()
    assert (moved.status, moved.moved_to) == (PlacementStatus.ENDED, new)
    assert (new.status, new.contract, new.outcomes.count()) == (
        PlacementStatus.ACTIVE,
        contracts["C2"],
        1,
    )
    ps.placement_end(
        actor=team["key"],
        placement=ended,
        ended_on=date(2026, 6, 2),
        reason="Returned home",
        today=date(2026, 6, 2),
    )
    assert FinanceNotification.objects.filter(kind=NotificationKind.TERMINATION).count() == 2
    contract = ps.termination_take_effect(actor=team["ccm"], review=review, today=date(2026, 6, 3))
    assert (contract.status, contract.terminated_on) == ("terminated", date(2026, 6, 3))
    review.refresh_from_db()
    assert review.status == TerminationStatus.EFFECTIVE
    assert _due("termination_effective", review, DueDateStatus.DONE).exists()


def test_the_contract_manager_may_decline_a_request(
    team, contracts, mailoutbox, django_capture_on_commit_callbacks
):
    """seed 003: the CCM decides ("if appropriate"); the lead professional is told why not."""
    request = ps.termination_request(
        actor=team["lead"],
        contract=contracts["B"],
        reason="Late returns",
        today=date(2026, 5, 1),
    )
    with pytest.raises(TransitionNotAllowed, match="already open"):
        ps.termination_request(
            actor=team["lead"], contract=contracts["B"], reason="again", today=date(2026, 5, 1)
        )
    with django_capture_on_commit_callbacks(execute=True):
        ps.termination_decline(
            actor=team["ccm"], review=request, response="An action plan is agreed instead"
        )
    assert mailoutbox[-1].to == ["lead@scc.test"]
    request.refresh_from_db()
    assert request.status == TerminationStatus.DECLINED
    assert _items(team["ccm"], "termination_request") == []
    with pytest.raises(TransitionNotAllowed, match="Review the supply"):
        ps.termination_give_notice(actor=team["ccm"], review=request, today=date(2026, 5, 2))


def test_a_termination_cannot_take_effect_after_the_contract_ends(team, contracts):
    """seed 003 "check contractual capacity to terminate": the notice must end in the term."""
    with pytest.raises(ValidationFailed, match="after the contract ends"):
        ps.termination_review(
            actor=team["ccm"],
            contract=contracts["A"],
            reason="x",
            alternative_providers="y",
            notice_period_days=30,
            notice_on=date(2027, 3, 15),
        )


def test_child_details_are_seen_only_by_the_people_who_work_with_the_child(team, contracts):
    """seed 003 / DOMAIN.md §1: personal data stays minimal: the specification and outcomes
    are for the key worker, reviewing officer, lead professional, the group's administrators
    and the contract managers and monitors; not for Finance, budget holders or providers."""
    placement = _placed_c(team, contracts)
    for name in ("key", "reviewer", "lead", "rag", "ccm"):
        assert team[name].has_perm("procurement.view_child_details", placement), name
    for name in ("key2", "finance", "big", "supplier"):
        assert not team[name].has_perm("procurement.view_child_details", placement), name
    assert (
        Placement.objects.filter(pk=placement.pk).values_list("case_reference", flat=True)[0]
        == "CASE-C1"
    )
