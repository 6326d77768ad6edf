"""Reads of procurement records, filtered to what the actor may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from steward.contracts.models import Contract
from steward.contracts.selectors import contract_get
from steward.core.errors import NotFoundError
from steward.procurement.models import Bid, BidAppeal, Placement, Solicitation
from steward.procurement.rules import visible_solicitations_q


def solicitation_list(*, actor: Any) -> QuerySet[Solicitation]:
    """The solicitations `actor` may view, with their agency and bid count (bounded queries)."""
    return (
        Solicitation.objects.filter(visible_solicitations_q(actor))
        .select_related("agency", "contract")
        .annotate(bid_count=Count("bids", distinct=True))
        .order_by("-created_at", "reference")
        .distinct()
    )


def solicitation_get(*, actor: Any, pk: int) -> Solicitation:
    """The solicitation `pk` if `actor` may view it; NotFoundError otherwise."""
    found = (
        Solicitation.objects.filter(visible_solicitations_q(actor), pk=pk)
        .select_related("agency__pack", "contract", "awarded_bid__provider")
        .distinct()
        .first()
    )
    if found is None:
        raise NotFoundError("No such solicitation.")
    return found


def bids_visible(*, actor: Any, solicitation: Solicitation) -> QuerySet[Bid]:
    """Every bid for agency readers; a provider user only its own organisation's bid."""
    qs = solicitation.bids.select_related(
        "provider", "notice", "debriefing_request__meeting"
    ).prefetch_related("appeals")
    if actor.role == "provider_user":
        qs = qs.filter(provider_id=actor.provider_id)
    return qs.order_by("id")


def bid_get(*, actor: Any, solicitation: Solicitation, pk: int) -> Bid:
    bid = bids_visible(actor=actor, solicitation=solicitation).filter(pk=pk).first()
    if bid is None:
        raise NotFoundError("No such bid.")
    return bid


def appeal_get(*, actor: Any, solicitation: Solicitation, pk: int) -> BidAppeal:
    appeal = (
        BidAppeal.objects.filter(
            bid__in=bids_visible(actor=actor, solicitation=solicitation), pk=pk
        )
        .select_related("bid__solicitation__agency")
        .first()
    )
    if appeal is None:
        raise NotFoundError("No such appeal.")
    return appeal


def placement_contract_get(*, actor: Any, pk: int) -> Contract:
    """The contract `pk` for its placements pages: agency readers only (providers get 404)."""
    contract = contract_get(actor=actor, pk=pk)
    if not actor.has_perm("procurement.view_placements", contract):
        raise NotFoundError("No such contract.")
    return contract


def placements_for(contract: Contract) -> QuerySet[Placement]:
    return (
        Placement.objects.filter(contract=contract)
        .select_related("authorised_by")
        .prefetch_related("notifications")
    )
