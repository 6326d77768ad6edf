"""API schemas of strategic commissioning (names prefixed: schema names are global)."""

from __future__ import annotations

from datetime import date

from ninja import Field, Schema


class CommissioningNeedsImportOut(Schema):
    filename: str
    dry_run: bool
    written: bool
    rows_read: int
    created: int
    updated: int
    unchanged: int


class CommissioningSupplyOut(Schema):
    service_type: str
    area: str = Field(description="'' when the contracts' area is not recorded")
    period_start: date | None
    period_end: date | None
    need: int | None = Field(description="People needing the service (latest period)")
    use: int | None = Field(description="People who used it in that period")
    contracts: int
    places: int = Field(description="Places the live contracts hold")
    in_use: int = Field(description="Places held by placements")
    gap: int | None = Field(description="need - places; positive: a shortfall")
    balance: str = Field(description="shortfall, surplus, balanced or no_data")


class CommissioningNoteIn(Schema):
    kind: str = Field(description="strength, weakness, gap, willingness, provider_view or joint")
    text: str
    provider_id: int | None = None
    service_type: str = ""
    partner: str = Field("", description="Joint commissioning: the other council or body")
    cycle_id: int | None = Field(None, description="The monitoring cycle it came from")
    recorded_on: date | None = None
    agency_id: int | None = Field(None, description="Administrators: the agency")


class CommissioningNoteOut(Schema):
    id: int
    kind: str
    kind_label: str
    text: str
    provider_id: int | None
    provider: str
    service_type: str
    partner: str
    cycle_id: int | None
    recorded_on: date
    recorded_by: str


class CommissioningDecisionIn(Schema):
    service_type: str
    decision: str = Field(description="achieve, grow, shrink or decommission")
    reasons: str
    decided_on: date | None = None
    agency_id: int | None = Field(None, description="Administrators: the agency")


class CommissioningDecisionOut(Schema):
    id: int
    service_type: str
    decision: str
    decision_label: str
    reasons: str
    decided_on: date
    decided_by: str


class CommissioningSectorContractOut(Schema):
    id: int
    number: str
    title: str
    provider: str
    area: str
    rating: str | None = Field(description="red, amber, green; null when never assessed")
    open_concerns: int
    concerns: int
    indicators: dict[str, int] = Field(description="Latest return: met, missed, ...")
    places: int | None
    in_use: int


class CommissioningSectorOut(Schema):
    service_type: str
    as_of: date
    contracts: list[CommissioningSectorContractOut]
    ratings: dict[str, int]
    indicators: dict[str, int]
    open_concerns: int
    places: int
    in_use: int
    percent_used: int | None
    need: int | None
    balance: str
    supply: list[CommissioningSupplyOut]
    notes: list[CommissioningNoteOut]
    decision: CommissioningDecisionOut | None
    decisions: list[CommissioningDecisionOut]


class CommissioningAreaIn(Schema):
    area: str = Field(description="The area the contract's places serve; '' clears it")


class CommissioningAreaOut(Schema):
    contract_id: int
    area: str
