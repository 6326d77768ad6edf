"""API schemas of evaluations, reports in lieu, compliance, past performance and renewal
eligibility (seeds 000 and 001)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

KindName = Literal["closeout", "interim", "pre_renewal"]


class AgencyRef(Schema):
    slug: str
    name: str


class ProviderRef(Schema):
    id: int
    slug: str
    name: str


class ContractRef(Schema):
    id: int
    number: str
    title: str


# ---------------------------------------------------------------- evaluations


class EvaluationStartIn(Schema):
    kind: KindName = Field(
        "closeout",
        description="closeout (seed 000), interim (yearly) or pre_renewal (seed 001: an "
        "executed or active contract, at any time, before its renewal or extension is decided)",
    )


class ReleaseIn(Schema):
    released_on: date | None = Field(
        None,
        description="The day it was released (issue 19): today in the agency's time zone when "
        "left out; never in the future nor before the evidence was gathered (422)",
    )


class EvaluationPatchIn(Schema):
    """Only what is sent changes. `ratings` maps criterion keys to a value on the scale (null
    clears the rating); `narratives` maps criterion keys to the narrative behind the rating."""

    ratings: dict[str, int | None] | None = None
    narratives: dict[str, str] | None = None
    summary: str | None = None


class CommentIn(Schema):
    comments: str = Field("", description="The provider's comments (kept with the evaluation)")
    acknowledge: bool = Field(False, description="Acknowledge receipt of the evaluation")


class CorrectIn(Schema):
    reason: str = Field(description="Why the finalised evaluation is corrected")


class ReopenIn(Schema):
    reason: str = Field(description="Why the released evaluation goes back to draft")


class RatingOut(Schema):
    criterion_key: str
    label: str
    weight: int
    rating: int | None
    rating_label: str | None
    narrative: str


class ScalePointOut(Schema):
    value: int
    label: str
    definition: str = ""


class EvidenceItemOut(Schema):
    source: str
    label: str
    value: str
    internal: bool


class EvaluationListOut(Schema):
    id: int
    contract: ContractRef
    agency: AgencyRef
    provider: ProviderRef
    kind: str
    period_start: date
    period_end: date
    version: int
    supersedes: int | None
    status: str
    score: Decimal | None
    released_on: date | None
    finalised_on: date | None


class EvaluationOut(EvaluationListOut):
    superseded_by: int | None = Field(
        description="The version correcting this one, when the caller may see it"
    )
    correction_reason: str
    score_basis: str = Field(
        description="criteria (the weighted ratings) or indicators (the contract's own "
        "performance metrics, seed 001)"
    )
    arithmetic: list[str] = Field(
        description="How the score is reached, line by line (empty while a criterion is unrated "
        "or, for a score from the metrics, no reporting period has ended)"
    )
    ratings: list[RatingOut]
    scale: list[ScalePointOut]
    evidence: list[EvidenceItemOut] = Field(
        description="Gathered from the contract's records; internal items (concerns, risk) are "
        "left out for provider users"
    )
    evidence_gathered_on: date | None
    summary: str
    comment_due: date | None
    acknowledged_on: date | None
    provider_comments: str
    commented_on: date | None
    finalised_by: str | None
    author: str | None


# ---------------------------------------------------------------- due and compliance


class DueOut(Schema):
    id: int = Field(description="The due date's id")
    contract: ContractRef
    agency: AgencyRef
    provider: str
    kind: str = Field(description="closeout_evaluation or interim_evaluation")
    rule_key: str = Field(
        description="closeout_evaluation, or interim_evaluation_<contract year> for an interim"
    )
    label: str
    due_date: date
    overdue: bool = Field(description="Past its due date in its agency's own today")
    under_way: int = Field(description="Evaluations of the contract answering it, not finalised")


class ComplianceOut(Schema):
    agency: AgencyRef
    due: int = Field(description="Open and not yet past the due date")
    on_time: int
    late: int
    missing: int = Field(description="Open and past the due date")
    on_time_percent: Decimal | None = Field(
        description="On time out of on time, late and missing (null when none)"
    )


# ---------------------------------------------------------------- reports in lieu


class InLieuOut(Schema):
    id: int
    contract: ContractRef
    agency: AgencyRef
    provider: str
    kind: str
    title: str
    summary: str
    link: str
    original_name: str
    content_type: str
    size: int | None
    submitted_on: date
    submitted_by: str | None
    period_start: date | None = Field(
        description="A report card covering the provider's contracts with the agency: the "
        "first day of its period (seed 000); null for one contract"
    )
    period_end: date | None
    status: str
    decided_on: date | None
    decided_by: str | None
    decision_reason: str


class InLieuDecisionIn(Schema):
    accept: bool
    reason: str = Field("", description="Needed for a rejection")


# ---------------------------------------------------------------- renewal


class OverrideOut(Schema):
    renewal_number: int
    justification: str
    score_at_override: Decimal | None
    authorised_on: date
    authorised_by: str | None


class RenewalOverrideIn(Schema):
    justification: str = Field(description="At least 20 characters: why renew despite the score")


class RenewalOut(Schema):
    contract: int
    eligible: bool
    reason: str
    threshold: Decimal | None
    score: Decimal | None = Field(description="The latest finalised evaluation's score")
    options_left: int
    override: OverrideOut | None = Field(description="The override of the next renewal, if any")
    may_renew: bool


# ---------------------------------------------------------------- charter schools (seed 001)

CharterOutcomeName = Literal["renew", "renew_with_conditions", "do_not_renew"]


class CharterFindingIn(Schema):
    indicator: int = Field(description="The contract's performance indicator (requirement) id")
    met: bool
    evidence: str = Field(description="The data or documents the team looked at")


class CharterReviewIn(Schema):
    reviewed_on: date
    reviewers: str = Field(description="The members of the team who reviewed the school")
    outcome: CharterOutcomeName
    conditions: str = Field("", description="Required for renew_with_conditions")
    summary: str = ""
    findings: list[CharterFindingIn] = Field(description="One per performance requirement")


class CharterFindingOut(Schema):
    indicator: int | None
    requirement: str
    met: bool
    evidence: str


class CharterReviewOut(Schema):
    id: int
    contract: int
    renewal_number: int
    reviewed_on: date
    reviewers: str
    outcome: CharterOutcomeName
    outcome_label: str
    conditions: str
    summary: str
    recorded_by: str | None
    findings: list[CharterFindingOut]


class CharterReviewsOut(Schema):
    contract: int
    applies: bool = Field(
        description="Whether the contract's renewal reads the team's outcome (a charter school "
        "outside the pack's score bar)"
    )
    requirements: list[CharterFindingOut] = Field(
        description="The performance requirements (indicators) the team reviews against; "
        "met and evidence are empty here"
    )
    reviews: list[CharterReviewOut]


# ---------------------------------------------------------------- past performance


class HistoryPointOut(Schema):
    finalised_on: date
    score: Decimal
    evaluation: int
    contract_number: str
    agency: str


class PastPerformanceOut(Schema):
    provider: ProviderRef
    average: Decimal | None = Field(
        description="Mean score of the current finalised evaluations (corrections replace the "
        "versions they supersede)"
    )
    history: list[HistoryPointOut]
    evaluations: list[EvaluationListOut]
    in_lieu: list[InLieuOut] = Field(description="Reports accepted in lieu of the form")
