"""API schemas of specifications, indicators, plans, returns and other evidence."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

CategoryName = Literal["input", "output", "quality", "outcome"]
QuestionName = Literal["how_much", "how_well", "better_off"]
UnitName = Literal["count", "percentage", "currency", "days", "rating"]
DirectionName = Literal["higher", "lower"]
FrequencyName = Literal["monthly", "quarterly", "biannual", "annual"]


class DefinitionIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    definition: str = ""
    category: CategoryName
    question: QuestionName
    unit: UnitName
    direction: DirectionName = "higher"
    frequency: FrequencyName = "quarterly"
    data_source: str = Field("", max_length=200)


class DefinitionOut(DefinitionIn):
    id: int
    agency: str


class IndicatorIn(Schema):
    """A new indicator. With `library` (a definition of the agency's library) the definition
    fields are copied from it and need not be sent."""

    library: int | None = None
    name: str | None = Field(None, max_length=200)
    definition: str | None = None
    category: CategoryName | None = None
    question: QuestionName | None = None
    unit: UnitName | None = None
    direction: DirectionName | None = None
    frequency: FrequencyName | None = None
    data_source: str | None = Field(None, max_length=200)
    target: Decimal = Field(max_digits=14, decimal_places=2)
    baseline: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    tolerance: Decimal = Field(Decimal("0"), max_digits=14, decimal_places=2, ge=0)
    payment_weight: Decimal = Field(Decimal("0"), max_digits=5, decimal_places=2, ge=0, le=100)


class IndicatorPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    definition: str | None = None
    category: CategoryName | None = None
    question: QuestionName | None = None
    unit: UnitName | None = None
    direction: DirectionName | None = None
    frequency: FrequencyName | None = None
    data_source: str | None = Field(None, max_length=200)
    target: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    baseline: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    tolerance: Decimal | None = Field(None, max_digits=14, decimal_places=2, ge=0)
    payment_weight: Decimal | None = Field(None, max_digits=5, decimal_places=2, ge=0, le=100)


class IndicatorOut(Schema):
    id: int
    contract: int
    library: int | None
    name: str
    definition: str
    category: str
    question: str
    unit: str
    direction: str
    frequency: str
    data_source: str
    target: Decimal
    baseline: Decimal | None
    tolerance: Decimal
    payment_weight: Decimal


class SpecificationIn(Schema):
    service_standards: str = ""
    outcomes: str = ""


class MilestoneIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    due_on: date
    achieved_on: date | None = None


class MilestoneOut(MilestoneIn):
    id: int


class SpecificationOut(Schema):
    service_standards: str
    outcomes: str
    milestones: list[MilestoneOut]


class PlanIn(Schema):
    desired_outcomes: str = Field(min_length=1)
    agreed_expectations: str = ""
    return_frequency: FrequencyName = "quarterly"
    payment_at_stake: Decimal | None = Field(None, max_digits=14, decimal_places=2, ge=0)
    tolerance_credit: Decimal = Field(Decimal("50"), max_digits=5, decimal_places=2, ge=0, le=100)
    status_meetings: str = ""
    reports: str = ""


class PlanOut(Schema):
    desired_outcomes: str
    agreed_expectations: str
    return_frequency: str
    payment_at_stake: Decimal | None
    tolerance_credit: Decimal
    status_meetings: str = ""
    reports: str = ""
    generated_on: date | None


class PlanTimelineIn(Schema):
    """The plan's timeline of data (seed 001), kept by Research, Assessment and Data."""

    return_frequency: FrequencyName = "quarterly"
    status_meetings: str = ""
    reports: str = ""


class MetricsSignOffIn(Schema):
    developed_with_sponsor: bool = Field(
        description="true: the metrics were developed by the contract's sponsor with "
        "Procurement & Risk Management (false: 422)"
    )
    notes: str = ""


class MetricsSignOffOut(Schema):
    """Procurement's sign-off on the contract's performance metrics (seed 001)."""

    id: int
    contract: int
    signed_on: date
    signed_by: str = Field(description="The procurement officer's user name")
    developed_with_sponsor: bool
    metrics: list[dict[str, Any]]
    notes: str
    current: bool = Field(description="It still covers the metrics as they stand")


class MetricsSignOffStatusOut(Schema):
    covered: bool = Field(
        description="The pack's metrics requirement covers the contract (formal procurement of "
        "the types it names, for longer than its term)"
    )
    blocks_execution: bool = Field(description="Execution waits for the sign-off")
    signed_off: bool = Field(description="A sign-off covers the metrics as they stand")
    sign_offs: list[MetricsSignOffOut]


class PlanVersionOut(Schema):
    """One version of the plan as proposed to the provider (seed 001), fixed, with the
    provider's answer."""

    id: int
    contract: int
    number: int
    status: str = Field(description="proposed, agreed or commented")
    content: dict[str, Any]
    proposed_on: date
    responded_on: date | None
    provider_comments: str


class PlanResponseIn(Schema):
    agree: bool = Field(description="true: agree this version (it is then fixed)")
    comments: str = Field("", description="Required when not agreeing: what should change")


class ValueOut(Schema):
    indicator: int
    value: Decimal


class ReturnOut(Schema):
    id: int
    contract: int
    period_start: date
    period_end: date
    due_on: date
    submitted_on: date | None
    status: str
    units_delivered: Decimal | None
    referrals: int | None
    starts: int | None
    leavers: int | None
    costs: Decimal | None
    values: list[ValueOut]


class ValueIn(Schema):
    indicator: int
    value: Decimal | None = Field(None, max_digits=14, decimal_places=2)


class ReturnIn(Schema):
    """Indicator values (a null value records "no data") and volumes of one period."""

    values: list[ValueIn] = []
    units_delivered: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    referrals: int | None = Field(None, ge=0)
    starts: int | None = Field(None, ge=0)
    leavers: int | None = Field(None, ge=0)
    costs: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)


class CorrectionIn(ReturnIn):
    reason: str = Field(min_length=1)


class CellOut(Schema):
    period_start: date
    period_end: date
    value: Decimal | None
    status: str


class AchievementOut(Schema):
    indicator: IndicatorOut
    trend: str
    periods: list[CellOut]


class PaymentLineOut(Schema):
    indicator: str
    weight: Decimal
    status: str
    credit: Decimal
    earned: Decimal
    explanation: str


class EvaluationPlanPaymentOut(Schema):
    period_start: date
    period_end: date
    amount_at_stake: Decimal
    earned: Decimal
    lines: list[PaymentLineOut]


class SummaryOut(Schema):
    contract: int
    metrics_missing: bool
    latest: dict[str, int]
    achievement: list[AchievementOut]
    payments: list[EvaluationPlanPaymentOut]
    payment_problem: str


class SurveyIn(Schema):
    group: Literal["service_users", "provider_staff", "agency_staff"]
    round_label: str = Field(min_length=1, max_length=80)
    conducted_on: date
    respondents: int = Field(ge=0)
    score: Decimal = Field(ge=0, le=100, max_digits=5, decimal_places=2)
    comments: str = ""


class SurveyOut(SurveyIn):
    id: int
    contract: int


class InspectionIn(Schema):
    body: str = Field(min_length=1, max_length=120)
    rating: str = Field(min_length=1, max_length=80)
    inspected_on: date
    link: str = Field("", max_length=200)


class InspectionOut(InspectionIn):
    id: int
    provider: int
    recorded_by: str = Field(description="Who recorded it (username)")
    recorded_by_agency: str | None = Field(description="For which agency (slug); null: oversight")


class PortfolioOut(Schema):
    contract: int
    number: str
    title: str
    provider: str
    indicators: int
    returns_missing: int
    returns_late: int
    latest: dict[str, int]
    needs_metrics: bool


class EvidenceOut(Schema):
    id: int
    title: str
    original_name: str
    content_type: str
    size: int


class ImportOut(Schema):
    filename: str
    dry_run: bool
    written: bool
    rows_read: int
    created: int
    updated: int
    unchanged: int
    returns_submitted: int
