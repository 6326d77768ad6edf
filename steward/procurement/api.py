"""API: solicitations, bids, scores, awards, notices, debriefings and bid appeals (seed 004);
placements and delegated limits (seed 003). Paths under /api/v1/procurement/.

A record the caller may not see answers 404 (a provider is not told of other bidders); one it
may see but not change answers 403 from the service.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from steward.contracts.models import Contract
from steward.core.concurrency import if_match, set_etag
from steward.core.errors import NotFoundError, TransitionNotAllowed, ValidationFailed
from steward.core.pagination import LimitOffsetPagination
from steward.core.schemas import EDIT_ERRORS, READ_ERRORS, WRITE_ERRORS
from steward.parties.access_log import PLACEMENT_PERSONAL_FIELDS, personal_data_read
from steward.parties.models import Provider, User
from steward.procurement import selectors_file as sf
from steward.procurement import services, services_file
from steward.procurement import services_compliance as sc
from steward.procurement import services_placements as ps
from steward.procurement.calc import RFR_CHECKLIST
from steward.procurement.models import (
    BidAppeal,
    DebriefingRequest,
    FinanceNotification,
    Placement,
    Solicitation,
    TerminationReview,
)
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
    IssueIn,
    LimitIn,
    LimitOut,
    MeetingIn,
    MoveIn,
    NoticeOut,
    OutcomeOut,
    PlacementEndIn,
    PlacementIn,
    PlacementOut,
    ProcurementDocumentOut,
    ProcurementRecordIn,
    ProcurementRecordOut,
    ProviderFormIn,
    ProviderFormOut,
    RagDecisionIn,
    ReferralIn,
    ReviewIn,
    RfrChecklistOut,
    ScheduleIn,
    ScoreIn,
    SignedIn,
    SolicitationDetailOut,
    SolicitationIn,
    SolicitationOut,
    SpecificationIn,
    TerminationOut,
    TerminationRequestIn,
    TerminationReviewIn,
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
def solicitation_read(request: HttpRequest, solicitation_id: int, response: HttpResponse) -> Any:
    actor = _actor(request)
    solicitation = solicitation_get(actor=actor, pk=solicitation_id)
    set_etag(response, solicitation)
    return _detail(actor, solicitation)


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
    response={200: SolicitationDetailOut, **EDIT_ERRORS},
    summary="Change the debriefing windows",
    description="seed 004: the procurement team may change the request and meeting windows "
    '(days; null = the pack\'s), with a reason. Send `If-Match: "<version>"` (the ETag of '
    "your read of the solicitation): 412 when it changed since.",
)
def windows(
    request: HttpRequest, solicitation_id: int, payload: WindowsIn, response: HttpResponse
) -> Any:
    actor = _actor(request)
    solicitation = solicitation_get(actor=actor, pk=solicitation_id)
    with if_match(request, solicitation):
        services.solicitation_change_windows(
            actor=actor, solicitation=solicitation, **payload.model_dump()
        )
    set_etag(response, solicitation)
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


def _placement(request: HttpRequest, placement_id: int) -> Placement:
    placement = Placement.objects.select_related("agency__pack").filter(pk=placement_id).first()
    if placement is None or not _actor(request).has_perm("procurement.view_placements", placement):
        raise NotFoundError("No such placement.")
    return placement


def _contract(request: HttpRequest, contract_id: int) -> Any:
    return placement_contract_get(actor=_actor(request), pk=contract_id)


def _today(placement: Placement) -> Any:
    return placement.agency.today()


@router.get(
    "/procurement/contracts/{contract_id}/placements",
    response={200: list[PlacementOut], **READ_ERRORS},
    summary="List placements under a contract",
    description="Agency readers only (providers get 404): case references, not names.",
)
def placement_index(request: HttpRequest, contract_id: int) -> Any:
    actor = _actor(request)
    contract = _contract(request, contract_id)
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
    summary="Place a child against a contract (categories A and B)",
    description="seed 003: the category must be the contract's (422); beyond its places a "
    "reason is needed (422). B needs both the Community Resource Group's decision and a "
    "budget holder within their delegated limit: when the caller is not one, the placement "
    "waits for one. Finance (the finance officers) is told the dates.",
)
def placement_add(request: HttpRequest, contract_id: int, payload: PlacementIn) -> Any:
    data = payload.model_dump()
    data["key_worker"] = data.pop("key_worker_id")
    data["reviewing_officer"] = data.pop("reviewing_officer_id")
    contract = _contract(request, contract_id)
    return Status(201, ps.placement_create(actor=_actor(request), contract=contract, data=data))


@router.post(
    "/procurement/placements",
    response={201: PlacementOut, **WRITE_ERRORS},
    summary="Refer a placement to the Resource Allocation Group (category C)",
    description="seed 003: the lead professional's information for the group's decision; the "
    "group's administrators owe the decision.",
)
def placement_referral(request: HttpRequest, payload: ReferralIn) -> Any:
    actor = _actor(request)
    if not actor.agency_id:
        raise NotFoundError("No agency.")
    data = payload.model_dump()
    data["key_worker"] = data.pop("key_worker_id")
    data["reviewing_officer"] = data.pop("reviewing_officer_id")
    data["provider"] = data.pop("provider_id")
    return Status(201, ps.placement_refer(actor=actor, agency=actor.agency, data=data))


@router.get(
    "/procurement/placements/{placement_id}",
    response={200: PlacementOut, **READ_ERRORS},
    summary="One placement",
    description=("One placement."),
)
def placement_get(request: HttpRequest, placement_id: int) -> Any:
    return _placement(request, placement_id)


@router.get(
    "/procurement/placements/{placement_id}/outcomes",
    response={200: list[OutcomeOut], **READ_ERRORS},
    summary="The outcomes agreed for the child",
    description="Personal data: only the people who work with the child (404 otherwise).",
)
def placement_outcomes(request: HttpRequest, placement_id: int) -> Any:
    placement = _placement(request, placement_id)
    if not _actor(request).has_perm("procurement.view_child_details", placement):
        raise NotFoundError("No such placement.")
    return list(placement.outcomes.all())


@router.post(
    "/procurement/placements/{placement_id}/authorise",
    response={200: PlacementOut, **WRITE_ERRORS},
    summary="Authorise a category B placement (budget holder)",
    description="seed 003: refused above the budget holder's delegated limit (422).",
)
def placement_authorise(request: HttpRequest, placement_id: int) -> Any:
    placement = _placement(request, placement_id)
    return ps.placement_authorise(
        actor=_actor(request), placement=placement, today=_today(placement)
    )


@router.post(
    "/procurement/placements/{placement_id}/rag-decision",
    response={200: PlacementOut, **WRITE_ERRORS},
    summary="Record the Resource Allocation Group's decision",
    description=("Record the Resource Allocation Group's decision."),
)
def placement_decision(request: HttpRequest, placement_id: int, payload: RagDecisionIn) -> Any:
    placement = _placement(request, placement_id)
    return ps.placement_rag_decide(
        actor=_actor(request), placement=placement, **payload.model_dump()
    )


@router.post(
    "/procurement/placements/{placement_id}/specification",
    response={200: PlacementOut, **WRITE_ERRORS},
    summary="Give the Individual Specification of Need (Schedule C)",
    description="seed 003: needs, outcomes for the child (each with the child's plan reference "
    "and the provider's responsibility), support, review dates within the placement.",
)
def placement_specification(
    request: HttpRequest, placement_id: int, payload: SpecificationIn
) -> Any:
    placement = _placement(request, placement_id)
    data = payload.model_dump()
    return ps.placement_specify(
        actor=_actor(request), placement=placement, today=_today(placement), **data
    )


@router.post(
    "/procurement/placements/{placement_id}/issue",
    response={200: PlacementOut, **WRITE_ERRORS},
    summary="Issue the contract for a category C placement",
    description="seed 003: a copy to the provider; emailed to the key worker, the reviewing "
    "officer and the group's administrators.",
)
def placement_issue(request: HttpRequest, placement_id: int, payload: IssueIn) -> Any:
    placement = _placement(request, placement_id)
    contract = Contract.objects.filter(pk=payload.contract_id).first()
    if contract is None:
        raise ValidationFailed("No such contract.", errors={"contract_id": ["No such contract."]})
    return ps.placement_contract_issue(
        actor=_actor(request),
        placement=placement,
        contract=contract,
        today=_today(placement),
        over_capacity_reason=payload.over_capacity_reason,
    )


@router.post(
    "/procurement/placements/{placement_id}/signed",
    response={200: PlacementOut, **WRITE_ERRORS},
    summary="Record the signature of the placement's contract",
    description="seed 003: the key worker and Finance are told.",
)
def placement_signed(request: HttpRequest, placement_id: int, payload: SignedIn) -> Any:
    placement = _placement(request, placement_id)
    return ps.placement_contract_signed(
        actor=_actor(request),
        placement=placement,
        signed_on=payload.signed_on,
        today=_today(placement),
    )


@router.post(
    "/procurement/placements/{placement_id}/reviews",
    response={201: PlacementOut, **WRITE_ERRORS},
    summary="Record a placement review (each outcome's progress, actions for the child)",
    description=("Record a placement review (each outcome's progress, actions for the child)."),
)
def placement_review(request: HttpRequest, placement_id: int, payload: ReviewIn) -> Any:
    placement = _placement(request, placement_id)
    ps.placement_review_record(
        actor=_actor(request),
        placement=placement,
        held_on=payload.held_on,
        actions=payload.actions,
        progress={p.outcome_id: (p.progress, p.note) for p in payload.progress},
    )
    return Status(201, placement)


@router.post(
    "/procurement/placements/{placement_id}/end",
    response={200: PlacementOut, **WRITE_ERRORS},
    summary="End a placement (termination proforma)",
    description="seed 003: the proforma goes to Finance and the contract manager.",
)
def placement_finish(request: HttpRequest, placement_id: int, payload: PlacementEndIn) -> Any:
    placement = _placement(request, placement_id)
    return ps.placement_end(
        actor=_actor(request), placement=placement, today=_today(placement), **payload.model_dump()
    )


@router.post(
    "/procurement/placements/{placement_id}/move",
    response={201: PlacementOut, **WRITE_ERRORS},
    summary="Move a placement to another contract of its category",
    description=("Move a placement to another contract of its category."),
)
def placement_moving(request: HttpRequest, placement_id: int, payload: MoveIn) -> Any:
    placement = _placement(request, placement_id)
    contract = _contract(request, payload.to_contract_id)
    return Status(
        201,
        ps.placement_move(
            actor=_actor(request),
            placement=placement,
            to_contract=contract,
            moved_on=payload.moved_on,
            reason=payload.reason,
            today=_today(placement),
        ),
    )


@router.get(
    "/procurement/finance-notices",
    response={200: list[NoticeOut], **READ_ERRORS},
    summary="What Finance was told (the caller's agency)",
    description=("What Finance was told (the caller's agency)."),
)
def finance_notice_index(request: HttpRequest) -> Any:
    actor = _actor(request)
    if not actor.agency_id or not actor.has_perm("procurement.view_placements", actor.agency):
        raise NotFoundError("No agency.")
    return list(
        FinanceNotification.objects.filter(agency_id=actor.agency_id, to_finance=True)[:500]
    )


@router.post(
    "/procurement/finance-notices/{notice_id}/acknowledge",
    response={200: NoticeOut, **WRITE_ERRORS},
    summary="Acknowledge a notice to Finance (finance officers)",
    description=("Acknowledge a notice to Finance (finance officers)."),
)
def finance_notice_ack(request: HttpRequest, notice_id: int) -> Any:
    actor = _actor(request)
    notice = FinanceNotification.objects.filter(pk=notice_id, agency_id=actor.agency_id).first()
    if notice is None:
        raise NotFoundError("No such notice.")
    ps.finance_acknowledge(actor=actor, notice=notice, today=notice.agency.today())
    return notice


@router.post(
    "/procurement/contracts/{contract_id}/termination/request",
    response={201: TerminationOut, **WRITE_ERRORS},
    summary="Ask the contract manager to terminate early (lead professional)",
    description=("Ask the contract manager to terminate early (lead professional)."),
)
def termination_ask(request: HttpRequest, contract_id: int, payload: TerminationRequestIn) -> Any:
    contract = _contract(request, contract_id)
    return Status(
        201,
        ps.termination_request(
            actor=_actor(request),
            contract=contract,
            reason=payload.reason,
            today=contract.agency.today(),
        ),
    )


@router.post(
    "/procurement/contracts/{contract_id}/termination/review",
    response={200: TerminationOut, **WRITE_ERRORS},
    summary="Review an early termination: supply and contractual capacity",
    description=("Review an early termination: supply and contractual capacity."),
)
def termination_check(request: HttpRequest, contract_id: int, payload: TerminationReviewIn) -> Any:
    contract = _contract(request, contract_id)
    return ps.termination_review(actor=_actor(request), contract=contract, **payload.model_dump())


def _termination(contract: Any) -> TerminationReview:
    review = TerminationReview.objects.filter(contract=contract).first()
    if review is None:
        raise NotFoundError("No termination review for this contract.")
    return review


@router.post(
    "/procurement/contracts/{contract_id}/termination/notice",
    response={200: TerminationOut, **WRITE_ERRORS},
    summary="Send the written notice to the provider (kept)",
    description="seed 003 (c): the contract runs until the effective date; Finance is told.",
)
def termination_notice(request: HttpRequest, contract_id: int) -> Any:
    contract = _contract(request, contract_id)
    review = _termination(contract)
    ps.termination_give_notice(actor=_actor(request), review=review, today=contract.agency.today())
    review.refresh_from_db()
    return review


@router.post(
    "/procurement/contracts/{contract_id}/termination/takes-effect",
    response={200: TerminationOut, **WRITE_ERRORS},
    summary="Record that the early termination took effect",
    description="Refused before the effective date, and while a placement under it runs (409).",
)
def termination_effect(request: HttpRequest, contract_id: int) -> Any:
    contract = _contract(request, contract_id)
    review = _termination(contract)
    ps.termination_take_effect(actor=_actor(request), review=review, today=contract.agency.today())
    review.refresh_from_db()
    return review


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
    return ps.delegated_limit_set(actor=_actor(request), user=user, amount=payload.amount)


# ------------------------------------------------------------------ procurement record (seed 003)


def _procurement_out(contract: Contract) -> dict[str, Any]:
    record = sc.procurement_record_of(contract)
    return {
        "contract_id": contract.pk,
        "procurement_method": contract.procurement_method,
        "maximum_obligation": contract.maximum_obligation,
        "tender_threshold": contract.agency.pack.parsed.tender.threshold,
        "best_value_analysis": record.best_value_analysis if record else "",
        "best_value_document_id": record.best_value_document_id if record else None,
        "advertised_on_council_website": bool(record and record.advertised_on_council_website),
        "advertised_on_pcs": bool(record and record.advertised_on_pcs),
        "advertised_on": record.advertised_on if record else None,
        "advertisement_reference": record.advertisement_reference if record else "",
        "promotion_risk": record.promotion_risk if record else "",
        "risk_assessment": record.risk_assessment if record else "",
        "problems": sc.procurement_problems(contract),
    }


@router.get(
    "/procurement/contracts/{contract_id}/procurement-record",
    response={200: ProcurementRecordOut, **READ_ERRORS},
    summary="How a contract was procured, and what its tender threshold still asks",
    description="seed 003: above the pack's tender threshold a contract is tendered and "
    "advertised, or has its Best Value analysis on file; under it, an opportunity not "
    "tendered records its risk assessment. Agency readers only (providers get 404).",
)
def procurement_record_get(request: HttpRequest, contract_id: int) -> Any:
    return _procurement_out(_contract(request, contract_id))


@router.post(
    "/procurement/contracts/{contract_id}/procurement-record",
    response={200: ProcurementRecordOut, **WRITE_ERRORS},
    summary="Record how a contract was procured",
    description="seed 003: the Best Value analysis, the advertisement (the Council's website, "
    "Public Contracts Scotland) and the risk assessment of an opportunity under the threshold. "
    "Procurement officers and contract managers of the agency.",
)
def procurement_record_post(
    request: HttpRequest, contract_id: int, payload: ProcurementRecordIn
) -> Any:
    contract = _contract(request, contract_id)
    data = payload.model_dump(exclude_unset=True)
    if "best_value_document_id" in data:
        data["best_value_document"] = data.pop("best_value_document_id")
    sc.procurement_record_set(actor=_actor(request), contract=contract, data=data)
    return _procurement_out(contract)


# ---------------------------------------------------------------- the procurement file (issue 22)


@router.post(
    "/procurement/appeals/{appeal_id}/documents",
    response={201: ProcurementDocumentOut, **WRITE_ERRORS},
    summary="Attach a document to a bid appeal",
    description="seed 004: all documentation pertaining to appeals is placed in the "
    "procurement file. Multipart (`file`, `title`); the bidder's own users or the agency's "
    "procurement staff. The type is checked by extension and content, the size against the "
    "limit (422 says why a file is refused).",
)
def appeal_document_add(
    request: HttpRequest, appeal_id: int, file: File[UploadedFile], title: Form[str] = ""
) -> Any:
    appeal = BidAppeal.objects.filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFoundError("No such appeal.")
    appeal.bid = _bid(request, appeal.bid_id)
    document = services_file.document_add(
        actor=_actor(request), upload=file, title=title, appeal=appeal
    )
    return Status(201, document)


@router.post(
    "/procurement/debriefings/{debriefing_id}/documents",
    response={201: ProcurementDocumentOut, **WRITE_ERRORS},
    summary="Attach a document to a debriefing",
    description="seed 004: written documentation of who attended and what was discussed at "
    "the debriefing is placed in the procurement file. Multipart (`file`, `title`); the "
    "bidder's own users or the agency's procurement staff.",
)
def debriefing_document_add(
    request: HttpRequest, debriefing_id: int, file: File[UploadedFile], title: Form[str] = ""
) -> Any:
    debriefing = DebriefingRequest.objects.filter(pk=debriefing_id).first()
    if debriefing is None:
        raise NotFoundError("No such debriefing.")
    debriefing.bid = _bid(request, debriefing.bid_id)
    document = services_file.document_add(
        actor=_actor(request), upload=file, title=title, debriefing=debriefing
    )
    return Status(201, document)


@router.get(
    "/procurement/solicitations/{solicitation_id}/documents",
    response={200: list[ProcurementDocumentOut], **READ_ERRORS},
    summary="The documents of a procurement file",
    description="Agency readers see every document; a bidder sees the RFR's checklist "
    "documents and those of its own debriefing and appeals.",
)
def file_documents(request: HttpRequest, solicitation_id: int) -> Any:
    solicitation = solicitation_get(actor=_actor(request), pk=solicitation_id)
    return list(sf.documents_visible(actor=_actor(request), solicitation=solicitation))


def _checklist_out(solicitation: Solicitation) -> dict[str, Any]:
    checklist = sf.checklist(solicitation)
    return {
        "applies": checklist.applies,
        "complete": checklist.complete,
        "issued_on": solicitation.issued_on,
        "electronic_responses": solicitation.electronic_responses,
        "terms_instruction": checklist.terms_instruction,
        "items": [
            {"key": i.key, "label": i.label, "document": i.document} for i in checklist.items
        ],
    }


@router.get(
    "/procurement/solicitations/{solicitation_id}/checklist",
    response={200: RfrChecklistOut, **READ_ERRORS},
    summary="The RFR checklist",
    description="seed 004: a purchase-of-service RFR of a Massachusetts agency carries the "
    "Commonwealth Terms and Conditions for Human and Social Services, the Supplier Diversity "
    "Plan form, the program and staffing specifications and the budget forms due with the "
    "response, each with its document; and says whether responses are electronic or on paper.",
)
def checklist_get(request: HttpRequest, solicitation_id: int) -> Any:
    return _checklist_out(solicitation_get(actor=_actor(request), pk=solicitation_id))


@router.post(
    "/procurement/solicitations/{solicitation_id}/checklist/{item}",
    response={201: ProcurementDocumentOut, **WRITE_ERRORS},
    summary="Attach the document of an RFR checklist item",
    description="Multipart (`file`, `title`); procurement staff. `item` is one of "
    + ", ".join(f"`{k}`" for k, _ in RFR_CHECKLIST)
    + ". A later document replaces the earlier one on the checklist (both stay in the file).",
)
def checklist_document_add(
    request: HttpRequest,
    solicitation_id: int,
    item: str,
    file: File[UploadedFile],
    title: Form[str] = "",
) -> Any:
    solicitation = solicitation_get(actor=_actor(request), pk=solicitation_id)
    document = services_file.document_add(
        actor=_actor(request),
        upload=file,
        title=title,
        solicitation=solicitation,
        checklist_item=item,
    )
    return Status(201, document)


@router.post(
    "/procurement/solicitations/{solicitation_id}/issue",
    response={200: RfrChecklistOut, **WRITE_ERRORS},
    summary="Issue a purchase-of-service RFR",
    description="seed 004: refused (409, nothing written) until every checklist item has its "
    "document, or when already issued. Bids on such an RFR are recorded once it is issued "
    "(409 before). `on` is the day it was issued (today when omitted).",
)
def solicitation_issue(
    request: HttpRequest, solicitation_id: int, payload: HappenedIn | None = None
) -> Any:
    solicitation = solicitation_get(actor=_actor(request), pk=solicitation_id)
    issued = services_file.solicitation_issue(
        actor=_actor(request), solicitation=solicitation, issued_on=payload.on if payload else None
    )
    return _checklist_out(issued)


@router.get(
    "/procurement/providers/{provider_id}/forms",
    response={200: list[ProviderFormOut], **READ_ERRORS},
    summary="A provider's forms on file",
    description="seed 004: the signed Commonwealth Terms and Conditions for Human and Social "
    "Services and Supplier Diversity Plan, with their expiry. Agency staff, oversight, "
    "administrators and the provider's own users.",
)
def provider_forms(request: HttpRequest, provider_id: int) -> Any:
    _provider, forms = sf.provider_forms_get(actor=_actor(request), pk=provider_id)
    return list(forms)


@router.post(
    "/procurement/providers/{provider_id}/forms",
    response={201: ProviderFormOut, **WRITE_ERRORS},
    summary="Record a provider's form on file",
    description="seed 004: procurement staff record a signed form and the day it expires; the "
    "expiry becomes a due date (reminders to the provider before it lapses). A bid on a "
    "Massachusetts POS RFR from a provider whose forms are missing or expired is flagged; its "
    "contract is not executed without valid Terms and Conditions (409).",
)
def provider_form_add(request: HttpRequest, provider_id: int, payload: ProviderFormIn) -> Any:
    actor = _actor(request)
    provider, _forms = sf.provider_forms_get(actor=actor, pk=provider_id)
    from steward.parties.models import Agency

    agency = Agency.objects.filter(pk=payload.agency_id or actor.agency_id).first()
    if agency is None:
        raise ValidationFailed("Name the agency.", errors={"agency_id": ["Required."]})
    form = services_file.provider_form_record(
        actor=actor,
        agency=agency,
        provider=provider,
        kind=payload.kind,
        signed_on=payload.signed_on,
        expires_on=payload.expires_on,
        reference=payload.reference,
    )
    return Status(201, form)
