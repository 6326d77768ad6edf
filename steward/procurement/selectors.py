"""Reads of procurement records, filtered to what the actor may see."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet

from steward.contracts.models import Contract, DueDate, DueDateStatus
from steward.contracts.selectors import contract_get
from steward.core.errors import NotFoundError
from steward.procurement.models import (
    Bid,
    BidAppeal,
    DebriefingRequest,
    Placement,
    Solicitation,
)
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


def bid_for_page(*, actor: Any, pk: int) -> Bid:
    """The bid `pk` with its solicitation if `actor` may see it (agency readers: every bid of a
    solicitation they may see; a provider user: its own organisation's bids); NotFoundError
    otherwise."""
    solicitation_id = Bid.objects.filter(pk=pk).values_list("solicitation_id", flat=True).first()
    if solicitation_id is None:
        raise NotFoundError("No such bid.")
    solicitation = solicitation_get(actor=actor, pk=solicitation_id)
    bid = bid_get(actor=actor, solicitation=solicitation, pk=pk)
    bid.solicitation = solicitation
    return bid


def debriefing_for_page(*, actor: Any, pk: int) -> DebriefingRequest:
    """The debriefing request `pk` with its bid and solicitation, if `actor` may see that bid;
    NotFoundError otherwise."""
    bid_id = DebriefingRequest.objects.filter(pk=pk).values_list("bid_id", flat=True).first()
    if bid_id is None:
        raise NotFoundError("No such debriefing.")
    bid = bid_for_page(actor=actor, pk=bid_id)
    request = bid.debriefing_request
    request.bid = bid
    return request


def debriefing_due_dates(bids: list[Bid]) -> dict[tuple[str, int], DueDate]:
    """The latest due date not cancelled of each debriefing step of `bids` (loaded with their
    debriefing requests): {("debriefing_request" or "bid_appeal", bid id) or
    ("debriefing_meeting", request id): due date}. One query."""
    requests = [r.pk for b in bids if (r := getattr(b, "debriefing_request", None))]
    dues = (
        DueDate.objects.filter(
            Q(
                kind__in=("debriefing_request", "bid_appeal"),
                subject_type=ContentType.objects.get_for_model(Bid),
                subject_id__in=[b.pk for b in bids],
            )
            | Q(
                kind="debriefing_meeting",
                subject_type=ContentType.objects.get_for_model(DebriefingRequest),
                subject_id__in=requests,
            )
        )
        .exclude(status=DueDateStatus.CANCELLED)
        .order_by("pk")
    )
    return {(d.kind, int(d.subject_id or 0)): d for d in dues}


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
