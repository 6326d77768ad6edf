"""API: solicitations, bids, scores, awards, notices, debriefings and bid appeals (seed 004);
placements and delegated limits (seed 003). Paths under /api/v1/procurement/.

A record the caller may not see answers 404 (a provider is not told of other bidders); one it
may see but not change answers 403 from the service.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from steward.core.errors import NotFoundError, TransitionNotAllowed, ValidationFailed
from steward.core.pagination import LimitOffsetPagination
from steward.core.schemas import READ_ERRORS, WRITE_ERRORS
from steward.parties.access_log import PLACEMENT_PERSONAL_FIELDS, personal_data_read
from steward.parties.models import Provider, User
from steward.procurement import services
from steward.procurement.models import BidAppeal, Placement, Solicitation
from steward.procurement.schemas import (
    AppealOut,
    AwardIn,
    BidAppealIn,
    BidIn,
    BidOut,
    DateIn,
    DebriefingOut,
    DecisionIn,
    HappenedIn,
    LimitIn,
    LimitOut,
    MeetingIn,
    PlacementEndIn,
    PlacementIn,
    PlacementOut,
    ScheduleIn,
    ScoreIn,
    SolicitationDetailOut,
    SolicitationIn,
    SolicitationOut,
    WindowsIn,
)
from steward.procurement.selectors import (
    bids_visible,
    placement_contract_get,
    placements_for,
    solicitation_get,
    solicitation_list,
)

router = Router(tags=["procurement"])


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _detail(actor: Any, solicitation: Solicitation) -> Solicitation:
    """`solicitation` with what the caller may see of it attached for SolicitationDetailOut."""
    agency_view = actor.has_perm("procurement.view_scores", solicitation)
    solicitation.criteria_list = list(solicitation.criteria.all())  # type: ignore[attr-defined]
    solicitation.visible_bids = list(bids_visible(actor=actor, solicitation=solicitation))  # type: ignore[attr-defined]
    solicitation.ranked = (  # type: ignore[attr-defined]
        services.solicitation_ranking(solicitation) if agency_view else []
    )
    solicitation.award_reason_shown = solicitation.award_reason if agency_view else None  # type: ignore[attr-defined]
    return solicitation


def _bid(request: HttpRequest, bid_id: int) -> Any:
    from steward.procurement.models import Bid

    bid = (
        Bid.objects.select_related("solicitation__agency__pack", "provider")
        .filter(pk=bid_id)
        .first()
    )
    if bid is None:
        raise NotFoundError("No such bid.")
    solicitation = solicitation_get(actor=_actor(request), pk=bid.solicitation_id)
    if (
        not bids_visible(actor=_actor(request), solicitation=solicitation)
        .filter(pk=bid.pk)
        .exists()
    ):
        raise NotFoundError("No such bid.")
    return bid


@router.get(
    "/procurement/solicitations",
    response={200: list[SolicitationOut], **READ_ERRORS},
    summary="List solicitations",
    description="Solicitations the caller may see: agency staff their agency's, oversight all, "
    "a provider user those its organisation bid on. Paginated with `limit` and `offset`.",
)
@paginate(LimitOffsetPagination)
def solicitation_index(request: HttpRequest) -> Any:
    return solicitation_list(actor=_actor(request))


@router.post(
    "/procurement/solicitations",
    response={201: SolicitationDetailOut, **WRITE_ERRORS},
    summary="Create a solicitation",
    description="In the caller's agency (procurement officers, contract managers). Tendering is "
    "required above the pack's tender threshold (seed 003: more than £20,000; exactly the "
    "threshold is not tendered) unless `best_value_exemption` records the Best Value analysis.",
)
def solicitation_add(request: HttpRequest, payload: SolicitationIn) -> Any:
    actor = _actor(request)
    if not actor.agency_id:
        raise ValidationFailed("Only agency staff create solicitations.")
    data = payload.model_dump()
    criteria = [(c["name"], c["weight"]) for c in data.pop("criteria")]
    solicitation = services.solicitation_create(
        actor=actor, agency=actor.agency, data=data, criteria=criteria
    )
    return Status(201, _detail(actor, solicitation_get(actor=actor, pk=solicitation.pk)))


@router.get(
    "/procurement/solicitations/{solicitation_id}",
    response={200: SolicitationDetailOut, **READ_ERRORS},
    summary="Read a solicitation (the procurement file)",
    description="Criteria, bids and the ranked result. A provider user sees only its own bid and "
    "no ranking.",
)
def solicitation_read(request: HttpRequest, solicitation_id: int) -> Any:
    actor = _actor(request)
    return _detail(actor, solicitation_get(actor=actor, pk=solicitation_id))


@router.post(
    "/procurement/solicitations/{solicitation_id}/bids",
    response={201: BidOut, **WRITE_ERRORS},
    summary="Record a bid",
    description="While the solicitation is open; one bid per provider (slug).",
)
def bid_add(request: HttpRequest, solicitation_id: int, payload: BidIn) -> Any:
    actor = _actor(request)
    solicitation = solicitation_get(actor=actor, pk=solicitation_id)
    provider = Provider.objects.filter(slug=payload.provider).first()
    if provider is None:
        raise ValidationFailed("provider: no such provider.", errors={"provider": ["Unknown."]})
    bid = services.bid_record(
        actor=actor,
        solicitation=solicitation,
        provider=provider,
        price=payload.price,
        received_on=payload.received_on,
    )
    return Status(201, bid)


@router.post(
    "/procurement/solicitations/{solicitation_id}/scores",
    response={200: SolicitationDetailOut, **WRITE_ERRORS},
    summary="Score a bid on a criterion",
    description="The caller's own score (0-100) as an evaluator; returns the new ranking.",
)
def score_add(request: HttpRequest, solicitation_id: int, payload: ScoreIn) -> Any:
    actor = _actor(request)
    solicitation = solicitation_get(actor=actor, pk=solicitation_id)
    bid = solicitation.bids.filter(pk=payload.bid_id).first()
    criterion = solicitation.criteria.filter(pk=payload.criterion_id).first()
    if bid is None or criterion is None:
        raise ValidationFailed("Unknown bid or criterion.", errors={"bid_id": ["Unknown."]})
    services.score_record(actor=actor, bid=bid, criterion=criterion, score=payload.score)
    return _detail(actor, solicitation)


@router.post(
    "/procurement/solicitations/{solicitation_id}/award",
    response={200: SolicitationDetailOut, **WRITE_ERRORS},
    summary="Award and create the contract",
    description="Creates the draft contract from the winning bid (contracts.contract_create): "
    "needs the agency's contract manager.",
)
def award(request: HttpRequest, solicitation_id: int, payload: AwardIn) -> Any:
    actor = _actor(request)
    solicitation = solicitation_get(actor=actor, pk=solicitation_id)
    bid = solicitation.bids.filter(pk=payload.bid_id).first()
    if bid is None:
        raise ValidationFailed("Unknown bid.", errors={"bid_id": ["Unknown."]})
    data = payload.model_dump(exclude={"bid_id", "reason"})
    services.solicitation_award(
        actor=actor, solicitation=solicitation, bid=bid, contract_data=data, reason=payload.reason
    )
    return _detail(actor, solicitation_get(actor=actor, pk=solicitation_id))


@router.post(
    "/procurement/solicitations/{solicitation_id}/notices",
    response={200: SolicitationDetailOut, **WRITE_ERRORS},
    summary="Notify every bidder of contract execution",
    description="Dated notice to all bidders (seed 004); opens the debriefing request window.",
)
def notices(request: HttpRequest, solicitation_id: int, payload: DateIn) -> Any:
    actor = _actor(request)
    solicitation = solicitation_get(actor=actor, pk=solicitation_id)
    services.notices_send(actor=actor, solicitation=solicitation, notified_on=payload.on)
    return _detail(actor, solicitation_get(actor=actor, pk=solicitation_id))


@router.post(
    "/procurement/solicitations/{solicitation_id}/windows",
    response={200: SolicitationDetailOut, **WRITE_ERRORS},
    summary="Change the debriefing windows",
    description="seed 004: the procurement team may change the request and meeting windows "
    "(days; null = the pack's), with a reason.",
)
def windows(request: HttpRequest, solicitation_id: int, payload: WindowsIn) -> Any:
    actor = _actor(request)
    solicitation = solicitation_get(actor=actor, pk=solicitation_id)
    services.solicitation_change_windows(
        actor=actor, solicitation=solicitation, **payload.model_dump()
    )
    return _detail(actor, solicitation)


@router.post(
    "/procurement/bids/{bid_id}/debriefing-request",
    response={201: DebriefingOut, **WRITE_ERRORS},
    summary="Request a debriefing (bidder), or record one sent by letter or email (staff)",
    description="Within the window (pack debriefing_request days from the notice; seed 004), "
    "after it 409. A bidder's request is dated today; staff give `on`, the day it was "
    "received (never in the future, not before the notice: 422).",
)
def debriefing_request(request: HttpRequest, bid_id: int, payload: HappenedIn | None = None) -> Any:
    bid = _bid(request, bid_id)
    actor = _actor(request)
    row = services.debriefing_request(
        actor=actor, bid=bid, requested_on=_received_on(actor, bid, payload.on if payload else None)
    )
    return Status(201, row)


def _received_on(actor: Any, bid: Any, on: Any) -> Any:
    """`on` as given by staff recording a letter or email; a bidder's own request is dated
    today (422 for another date)."""
    staff = actor.has_perm("procurement.manage_solicitation", bid.solicitation)
    if on is not None and not staff and on != bid.solicitation.agency.today():
        message = "What a bidder sends itself is dated today; the agency records letters."
        raise ValidationFailed(message, errors={"on": [message]})
    return on


def _debriefing(bid: Any) -> Any:
    req = getattr(bid, "debriefing_request", None)
    if req is None:
        raise TransitionNotAllowed("No debriefing was requested for this bid.")
    return req


@router.post(
    "/procurement/bids/{bid_id}/debriefing-schedule",
    response={200: DebriefingOut, **WRITE_ERRORS},
    summary="Schedule the debriefing meeting",
    description="seed 004: scheduled within the meeting window of the request (late is "
    "recorded as late); the meeting itself may be set for a later day.",
)
def debriefing_schedule(request: HttpRequest, bid_id: int, payload: ScheduleIn) -> Any:
    req = _debriefing(_bid(request, bid_id))
    return services.debriefing_schedule(actor=_actor(request), request=req, **payload.model_dump())


@router.post(
    "/procurement/bids/{bid_id}/debriefing-meeting",
    response={201: DebriefingOut, **WRITE_ERRORS},
    summary="Record the debriefing meeting",
    description="Who attended and what was discussed; due within the meeting window (seed 004), "
    "recorded late all the same.",
)
def debriefing_meeting(request: HttpRequest, bid_id: int, payload: MeetingIn) -> Any:
    req = _debriefing(_bid(request, bid_id))
    services.debriefing_meeting_record(actor=_actor(request), request=req, **payload.model_dump())
    return Status(201, req)


@router.post(
    "/procurement/bids/{bid_id}/appeals",
    response={201: AppealOut, **WRITE_ERRORS},
    summary="Lodge a bid appeal (bidder), or record one sent by letter or email (staff)",
    description="Only after a debriefing and within the pack's bid_appeal limit (otherwise "
    "409, nothing written). An appeal on another ground than the two of seed 004 is kept, "
    "refused with the reason (status refused). A pending appeal does not block execution. "
    "Staff give `on`, the day it was received.",
)
def appeal_add(request: HttpRequest, bid_id: int, payload: BidAppealIn) -> Any:
    bid = _bid(request, bid_id)
    actor = _actor(request)
    appeal = services.appeal_lodge(
        actor=actor,
        bid=bid,
        ground=payload.ground,
        statement=payload.statement,
        lodged_on=_received_on(actor, bid, payload.on),
    )
    return Status(201, appeal)


@router.post(
    "/procurement/appeals/{appeal_id}/decision",
    response={200: AppealOut, **WRITE_ERRORS},
    summary="Decide a bid appeal",
    description="Upheld or dismissed, with the reasons (procurement officer, contract manager).",
)
def appeal_decide(request: HttpRequest, appeal_id: int, payload: DecisionIn) -> Any:
    appeal = BidAppeal.objects.filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFoundError("No such appeal.")
    _bid(request, appeal.bid_id)
    return services.appeal_decide(actor=_actor(request), appeal=appeal, **payload.model_dump())


@router.get(
    "/procurement/contracts/{contract_id}/placements",
    response={200: list[PlacementOut], **READ_ERRORS},
    summary="List placements under a contract",
    description="Agency readers only (providers get 404): case references, not names.",
)
def placement_index(request: HttpRequest, contract_id: int) -> Any:
    actor = _actor(request)
    contract = placement_contract_get(actor=actor, pk=contract_id)
    rows = list(placements_for(contract))
    personal_data_read(
        actor=actor,
        kind="placement",
        records=rows,
        fields=PLACEMENT_PERSONAL_FIELDS,
        path=request.path,
        agency_id=contract.agency_id,
    )
    return rows


@router.post(
    "/procurement/contracts/{contract_id}/placements",
    response={201: PlacementOut, **WRITE_ERRORS},
    summary="Place a person against a contract",
    description="seed 003: category A/B/C and authoriser; a budget holder's purchase above their "
    "delegated limit is refused (422). Finance is notified (record and email).",
)
def placement_add(request: HttpRequest, contract_id: int, payload: PlacementIn) -> Any:
    actor = _actor(request)
    contract = placement_contract_get(actor=actor, pk=contract_id)
    return Status(
        201, services.placement_create(actor=actor, contract=contract, data=payload.model_dump())
    )


@router.post(
    "/procurement/contracts/{contract_id}/placements/{placement_id}/end",
    response={200: PlacementOut, **WRITE_ERRORS},
    summary="End a placement",
    description="seed 003: the termination proforma goes to Finance and the contract manager.",
)
def placement_finish(
    request: HttpRequest, contract_id: int, placement_id: int, payload: PlacementEndIn
) -> Any:
    actor = _actor(request)
    contract = placement_contract_get(actor=actor, pk=contract_id)
    placement = Placement.objects.filter(contract=contract).filter(pk=placement_id).first()
    if placement is None:
        raise NotFoundError("No such placement.")
    return services.placement_end(actor=actor, placement=placement, **payload.model_dump())


@router.post(
    "/procurement/delegated-limits",
    response={200: LimitOut, **WRITE_ERRORS},
    summary="Set a person's delegated limit",
    description="seed 003: the funding a budget holder may authorise (up to and including). "
    "The agency's contract managers.",
)
def limit_set(request: HttpRequest, payload: LimitIn) -> Any:
    user = User.objects.filter(username=payload.username).first()
    if user is None:
        raise NotFoundError("No such user.")
    return services.delegated_limit_set(actor=_actor(request), user=user, amount=payload.amount)
