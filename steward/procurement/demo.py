"""Demo records for procurement: one solicitation at the Connecticut DCF demo agency with
bids, scores, an award, notices and a debriefing request by the demo provider user."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from steward.procurement import services


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
    return {"solicitations": 1, "bids": 2, "debriefing requests": 1}
