"""API schemas for procurement."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class CriterionIn(Schema):
    name: str
    weight: Decimal = Field(gt=0)


class SolicitationIn(Schema):
    reference: str
    title: str
    service_type: str = ""
    estimated_value: Decimal = Field(ge=0)
    best_value_exemption: str = Field("", description="Best Value analysis when not tendered")
    debriefing_contact: str = Field("", description="Who debriefing requests go to (the RFR's)")
    appeal_contact: str = Field("", description="Who appeals go to (the RFR's)")
    purchase_of_service: bool = Field(
        False, description="A human and social services (POS) RFR: its checklist applies"
    )
    electronic_responses: bool = Field(True, description="Electronic responses (else paper)")
    criteria: list[CriterionIn]


class CriterionOut(Schema):
    id: int
    name: str
    weight: Decimal


class SolicitationOut(Schema):
    id: int
    agency: str = Field(alias="agency.slug")
    reference: str
    title: str
    service_type: str
    estimated_value: Decimal
    currency: str
    tendering_required: bool
    best_value_exemption: str
    status: str
    debriefing_request_days: int | None
    debriefing_meeting_days: int | None
    debriefing_contact: str
    appeal_contact: str
    contract_id: int | None


class BidIn(Schema):
    provider: str = Field(description="Provider slug")
    price: Decimal = Field(ge=0)
    received_on: date


class BidOut(Schema):
    id: int
    provider: str = Field(alias="provider.slug")
    price: Decimal
    received_on: date


class ScoreIn(Schema):
    bid_id: int
    criterion_id: int
    score: Decimal = Field(ge=0, le=100)


class RankedOut(Schema):
    rank: int
    bid_id: int
    provider: str
    price: Decimal
    score: Decimal
    per_criterion: dict[str, Decimal]
    tie_note: str


class SolicitationDetailOut(SolicitationOut):
    criteria: list[CriterionOut] = Field(alias="criteria_list")
    bids: list[BidOut] = Field(
        alias="visible_bids", description="Every bid for agency readers; a bidder only its own"
    )
    ranking: list[RankedOut] = Field(alias="ranked", description="Empty for provider users")
    award_reason: str | None = Field(
        alias="award_reason_shown",
        description="Why a bid other than the top-ranked was awarded; null for provider users",
    )


class AwardIn(Schema):
    bid_id: int
    number: str
    start_date: date
    end_date: date
    reason: str = Field(
        "", description="Required when the bid is not the top-ranked one (seed 004)"
    )


class HappenedIn(Schema):
    on: date | None = Field(
        None,
        description="The day it was received (staff recording a letter or email); today in "
        "the agency's zone when omitted. Never in the future, never before the step it follows.",
    )


class ScheduleIn(Schema):
    meeting_on: date = Field(description="The day the meeting is set for (it may be later)")
    scheduled_on: date | None = Field(
        None, description="The day it was scheduled; today in the agency's zone when omitted"
    )


class DateIn(Schema):
    on: date


class WindowsIn(Schema):
    request_days: int | None = Field(None, ge=0)
    meeting_days: int | None = Field(None, ge=0)
    reason: str


class DebriefingOut(Schema):
    id: int
    bid_id: int
    requested_on: date
    meeting_due: date
    scheduled_on: date | None
    meeting_on: date | None


class MeetingIn(Schema):
    held_on: date
    attendees: str
    discussion: str


class BidAppealIn(Schema):
    ground: str = Field(
        description="non_compliance or fundamental_unfairness (seed 004); other: kept, refused"
    )
    statement: str
    on: date | None = Field(
        None,
        description="The day it was received (staff recording a letter or email); today in "
        "the agency's zone when omitted.",
    )


class AppealOut(Schema):
    id: int
    bid_id: int
    lodged_on: date
    ground: str
    status: str
    decision: str
    decided_on: date | None


class DecisionIn(Schema):
    status: str = Field(description="upheld or dismissed")
    decision: str
    decided_on: date


class PlacementIn(Schema):
    """seed 003 categories A and B (C starts with a referral)."""

    case_reference: str
    category: str = Field(description="A or B: the contract's category")
    authoriser: str = Field(
        default="", description="leave empty; B is always the group and a budget holder"
    )
    amount: Decimal = Field(ge=0)
    key_worker_id: int
    reviewing_officer_id: int | None = None
    crg_decided_on: date | None = None
    crg_decision: str = ""
    needs: str = ""
    start_date: date
    anticipated_end: date
    over_capacity_reason: str = ""


class ReferralIn(Schema):
    """seed 003: the lead professional's referral to the Resource Allocation Group."""

    case_reference: str
    service_type: str
    provider_id: int | None = None
    amount: Decimal = Field(ge=0)
    start_date: date
    anticipated_end: date
    key_worker_id: int
    reviewing_officer_id: int
    lead_information: str


class RagDecisionIn(Schema):
    place: bool
    decision: str
    decided_on: date


class OutcomeIn(Schema):
    outcome: str
    plan_kind: str = Field(description="childs_plan, iep, csp or care_plan")
    plan_reference: str
    responsibility: str = Field(description="outcome or milestones")
    milestones: str = ""


class OutcomeOut(OutcomeIn):
    id: int


class SpecificationIn(Schema):
    needs: str
    support: str
    review_dates: list[date]
    outcomes: list[OutcomeIn]


class IssueIn(Schema):
    contract_id: int
    over_capacity_reason: str = ""


class SignedIn(Schema):
    signed_on: date


class ProgressIn(Schema):
    outcome_id: int
    progress: str = Field(description="achieved, on_track or not_on_track")
    note: str = ""


class ReviewIn(Schema):
    held_on: date
    actions: str
    progress: list[ProgressIn]


class MoveIn(Schema):
    to_contract_id: int
    moved_on: date
    reason: str


class PlacementOut(Schema):
    id: int
    status: str
    contract_id: int | None
    case_reference: str
    category: str
    authoriser: str
    amount: Decimal
    key_worker_id: int | None
    reviewing_officer_id: int | None
    start_date: date
    anticipated_end: date
    ended_on: date | None
    crg_decided_on: date | None
    rag_decided_on: date | None
    issued_on: date | None
    signed_on: date | None


class PlacementEndIn(Schema):
    ended_on: date
    reason: str


class NoticeOut(Schema):
    id: int
    kind: str
    placement_id: int | None
    contract_id: int | None
    sent_to: str
    subject: str
    acknowledged_on: date | None


class TerminationRequestIn(Schema):
    reason: str


class TerminationReviewIn(Schema):
    reason: str
    alternative_providers: str
    capacity_clause: str = ""
    notice_period_days: int = Field(ge=0)
    notice_on: date


class TerminationOut(Schema):
    id: int
    status: str
    contract_id: int
    requested_on: date | None
    notice_on: date | None
    effective_on: date | None
    notice_sent: bool
    notice_sent_to: str


class LimitIn(Schema):
    username: str
    amount: Decimal = Field(ge=0)


class LimitOut(Schema):
    username: str = Field(alias="user.username")
    amount: Decimal


class ProcurementRecordIn(Schema):
    """How the contract was procured (seed 003); fields left out keep their value."""

    best_value_analysis: str | None = None
    best_value_document_id: int | None = None
    advertised_on_council_website: bool | None = None
    advertised_on_pcs: bool | None = Field(
        default=None, description="Advertised on Public Contracts Scotland"
    )
    advertised_on: date | None = None
    advertisement_reference: str | None = None
    promotion_risk: str | None = Field(default=None, description="low, medium or high")
    risk_assessment: str | None = None


class ProcurementRecordOut(Schema):
    contract_id: int
    procurement_method: str
    maximum_obligation: Decimal
    tender_threshold: Decimal | None
    best_value_analysis: str
    best_value_document_id: int | None
    advertised_on_council_website: bool
    advertised_on_pcs: bool
    advertised_on: date | None
    advertisement_reference: str
    promotion_risk: str
    risk_assessment: str
    problems: list[str] = Field(
        description="Why the contract cannot be executed yet under the pack's tender threshold"
    )


class ProcurementDocumentOut(Schema):
    id: int
    title: str
    original_name: str
    content_type: str
    size: int = Field(description="Bytes")
    sha256: str
    appeal_id: int | None = Field(description="The appeal it belongs to, if any")
    debriefing_id: int | None = Field(description="The debriefing request it belongs to, if any")
    checklist_item: str = Field(description="The RFR checklist item it satisfies, if any")
    created_at: datetime


class RfrChecklistItemOut(Schema):
    key: str
    label: str
    document: ProcurementDocumentOut | None


class RfrChecklistOut(Schema):
    applies: bool = Field(description="A purchase-of-service RFR of a Massachusetts agency")
    complete: bool
    issued_on: date | None
    electronic_responses: bool
    terms_instruction: str
    items: list[RfrChecklistItemOut]


class ProviderFormIn(Schema):
    agency_id: int | None = Field(None, description="The recording agency; the caller's own")
    kind: str = Field(description="terms_conditions or supplier_diversity")
    signed_on: date
    expires_on: date
    reference: str = ""


class ProviderFormOut(Schema):
    id: int
    kind: str
    kind_label: str
    signed_on: date
    expires_on: date
    reference: str
    agency: str

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_agency(obj: Any) -> str:
        return str(obj.agency.name)
