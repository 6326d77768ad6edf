"""API schemas of the concerns log and risk assessment."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    financial: bool
    active: bool


class CategoryIn(Schema):
    code: str
    name: str
    financial: bool = False


class ReferralOut(Schema):
    id: int
    party: str
    referred_on: date
    outcome: str
    outcome_on: date | None


class ReferralIn(Schema):
    party: str
    referred_on: date
    outcome: str = ""
    outcome_on: date | None = None


class ReferralOutcomeIn(Schema):
    outcome: str
    outcome_on: date


class ConcernProviderOut(Schema):
    """What a provider user sees: never who raised it (no source, channel, reference)."""

    id: int
    agency: str
    provider: str
    contract: str | None
    kind: str
    received_on: date
    category: str
    severity: str
    summary: str
    description: str
    status: str
    provider_procedure_started_on: date | None
    provider_procedure_due_on: date | None
    provider_procedure_outcome: str
    provider_procedure_resolved_on: date | None
    resolved_on: date | None
    resolution: str


class ConcernOut(ConcernProviderOut):
    """The full record, for agency staff, oversight and administrators."""

    source: str
    channel: str
    wants_action: bool
    complainant_reference: str
    responsible: str | None
    referrals: list[ReferralOut]


class ConcernIn(Schema):
    agency: str | None = None
    provider: str
    contract: str | None = None
    kind: str
    received_on: date
    source: str
    channel: str
    category: str
    severity: str
    summary: str
    description: str
    wants_action: bool = True
    complainant_reference: str = ""
    responsible: str | None = None
    provider_procedure_started_on: date | None = None
    provider_procedure_due_on: date | None = None


class ConcernPatch(Schema):
    status: str | None = None
    severity: str | None = None
    category: str | None = None
    responsible: str | None = None
    provider_procedure_started_on: date | None = None
    provider_procedure_due_on: date | None = None
    provider_procedure_outcome: str | None = None
    provider_procedure_resolved_on: date | None = None
    resolved_on: date | None = None
    resolution: str | None = None


class ConcernFilterIn(Schema):
    provider: str | None = None
    contract: int | None = None
    kind: str | None = None
    severity: str | None = None
    status: str | None = None
    source: str | None = None
    received_from: date | None = None
    received_to: date | None = None


class CountOut(Schema):
    key: str
    count: int


class AssessmentOut(Schema):
    id: int
    contract_id: int
    contract_number: str
    as_of: date
    rating: str
    computed_rating: str
    score: int
    reasons: list[str]
    signals: dict[str, int]
    previous_rating: str
    trend: str
    monitoring_level: str
    override_rating: str
    override_reason: str
    overridden_by: str | None
    overridden_at: datetime | None
    reviewed_on: date | None


class OverrideIn(Schema):
    rating: str
    reason: str


class RecomputeIn(Schema):
    as_of: date | None = None


class ReviewIn(Schema):
    on: date | None = None


class ConcernCommentIn(Schema):
    comment: str


class ConcernCommentOut(Schema):
    id: int
    concern_id: int
    comment: str
    commented_on: date


class RiskCommentIn(Schema):
    comment: str


class RiskCommentOut(Schema):
    id: int
    assessment_id: int
    comment: str
    commented_on: date


class ProviderRiskOut(Schema):
    """seed 003: what the provider sees of its own contract's risk."""

    id: int
    contract_id: int
    as_of: date
    rating: str
    rating_label: str
    set_by_contract_manager: bool
    factors: list[str]
    comments: list[RiskCommentOut]
