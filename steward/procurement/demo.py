"""Demo records for procurement: one solicitation at the Connecticut DCF demo agency with
bids, scores, an award, notices and a debriefing request by the demo provider user; at the
Scottish council (seed 003), a budget holder's limit, a child placed through the category C
chain and a referral waiting for the Resource Allocation Group."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from steward.procurement import services
from steward.procurement import services_placements as placements


def procurement_demo(ctx: Any) -> dict[str, int]:
    """Add the demo solicitation through the services; returns counts to print."""
    agency = ctx.agencies.get("ct-dcf")
    manager = ctx.users.get("manager")
    loser = ctx.providers.get("demo-nutmeg")
    winner = ctx.providers.get("demo-riverbend")
    provider_user = ctx.users.get("provider")
    contract = ctx.contracts.get("DCF-POS-0388")  # Riverbend's tendered contract
    if not all((agency, manager, loser, winner, provider_user, contract)):
        return {}
    today = ctx.today
    solicitation = services.solicitation_create(
        actor=manager,
        agency=agency,
        data={
            "reference": "DCF-RFP-2026-01",
            "title": "Multidimensional Family Therapy",
            "service_type": "Behavioral health: family therapy",
            "estimated_value": "960000",
        },
        criteria=[("Program design", "40"), ("Outcomes and evaluation", "35"), ("Cost", "25")],
    )
    bids = [
        services.bid_record(
            actor=manager,
            solicitation=solicitation,
            provider=p,
            price=price,
            received_on=today - timedelta(days=60),
        )
        for p, price in ((winner, "960000"), (loser, "905000"))
    ]
    criteria = list(solicitation.criteria.all())
    for bid, marks in zip(bids, ((88, 82, 70), (74, 69, 85)), strict=True):
        for criterion, mark in zip(criteria, marks, strict=True):
            services.score_record(actor=manager, bid=bid, criterion=criterion, score=mark)
    services.solicitation_award(
        actor=manager,
        solicitation=solicitation,
        bid=bids[0],
        contract=contract,
    )
    notified_on = today - timedelta(days=5)
    services.notices_send(actor=manager, solicitation=solicitation, notified_on=notified_on)
    services.debriefing_request(actor=provider_user, bid=bids[1], requested_on=notified_on)
    counts = {"solicitations": 1, "bids": 2, "debriefing requests": 1}
    counts.update(placements_demo(ctx))
    return counts


def placements_demo(ctx: Any) -> dict[str, int]:
    """seed 003 at the Scottish council, through the services: a budget holder's delegated
    limit; one child placed through the whole category C chain under HC-CS-0064 (the
    Resource Allocation Group's decision, the key worker's Schedule C, the contract issued and
    signed), and one referral waiting for the group's decision."""
    names = ("manager-scot", "lead-scot", "keyworker-scot", "reviewer-scot", "rag-scot")
    people = [ctx.users.get(n) for n in names]
    contract = ctx.contracts.get("HC-CS-0064")
    holder = ctx.users.get("budget-scot")
    if not all(people) or contract is None or contract.status not in ("executed", "active"):
        return {}
    ccm, lead, key, reviewer, rag = people
    today = ctx.today
    if holder is not None:
        placements.delegated_limit_set(actor=ccm, user=holder, amount="10000")

    def refer(case: str, start: Any, months: int) -> Any:
        return placements.placement_refer(
            actor=lead,
            agency=contract.agency,
            data={
                "case_reference": case,
                "service_type": "Residential care",
                "provider": contract.provider,
                "amount": "96000",
                "start_date": start,
                "anticipated_end": start + timedelta(days=30 * months),
                "key_worker": key,
                "reviewing_officer": reviewer,
                "lead_information": "Assessment and the Child's Plan: needs a small residential "
                "unit close to her school, with family contact at weekends.",
            },
            today=today - timedelta(days=40),
        )

    placed = refer("HC-2026-0117", today - timedelta(days=20), 9)
    placements.placement_rag_decide(
        actor=rag,
        placement=placed,
        place=True,
        decision="Resource Allocation Group: place in external residential care for nine months.",
        decided_on=today - timedelta(days=35),
    )
    placements.placement_specify(
        actor=key,
        placement=placed,
        needs="A stable residential placement near her school; support with attendance.",
        support="Key-worker sessions twice a week; liaison with the school's pupil support.",
        review_dates=[today + timedelta(days=40), today + timedelta(days=130)],
        outcomes=[
            {
                "outcome": "Attends school every day",
                "plan_kind": "childs_plan",
                "plan_reference": "CP-2291",
                "responsibility": "milestones",
                "milestones": "Attends three days a week within three months",
            }
        ],
        today=today - timedelta(days=30),
    )
    placements.placement_contract_issue(
        actor=ccm, placement=placed, contract=contract, today=today - timedelta(days=25)
    )
    placements.placement_contract_signed(
        actor=ccm,
        placement=placed,
        signed_on=today - timedelta(days=22),
        today=today - timedelta(days=22),
    )
    refer("HC-2026-0142", today + timedelta(days=14), 6)
    return {"placements": 2}


def procurement_before_execution(contract: Any, manager: Any) -> None:
    """Before a demo contract is executed: what seed 003 asks of it where the pack sets a tender
    threshold. A tender was advertised on Public Contracts Scotland and the Council's website; a
    contract not tendered above the threshold has its Best Value analysis (the contract's
    notes); an opportunity under the threshold has its risk assessment."""
    from steward.procurement.calc import TENDER_ROUTES, tender_required
    from steward.procurement.services_compliance import compliance_applies, procurement_record_set

    if not compliance_applies(contract):
        return
    threshold = contract.agency.pack.parsed.tender.threshold
    if contract.procurement_method in TENDER_ROUTES:
        data: dict[str, Any] = {
            "advertised_on_pcs": True,
            "advertised_on_council_website": True,
            "advertised_on": contract.start_date - timedelta(days=120),
            "advertisement_reference": f"PCS-{contract.number}",
        }
    elif tender_required(contract.maximum_obligation, threshold):
        data = {"best_value_analysis": contract.notes or "Best Value analysis on file."}
    else:
        data = {
            "promotion_risk": "low",
            "risk_assessment": "Small, local service: quotations from the providers known to "
            "the team were enough.",
        }
    procurement_record_set(actor=manager, contract=contract, data=data)
