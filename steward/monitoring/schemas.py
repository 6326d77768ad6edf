"""API schemas of the annual monitoring cycle (seeds 002 and 003).

Inputs take the values as sent and leave the rules to the services (which stage comes next, the
six areas, the ratings, the QAF levels, the 3/6/12-month horizons): refusals come back as 409 or
422 with the services' own messages. Outputs carry `null` for what the caller may not see (a
provider user never sees the agency-internal parts of a cycle)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

RATINGS = "excellent, good, adequate or poor"
AREAS = "compliance, quality, improvement, funding, satisfaction, access"

# ---------------------------------------------------------------- shared pieces


class ContractRefOut(Schema):
    id: int
    number: str
    title: str


class AgencyRefOut(Schema):
    slug: str
    name: str


class ProviderRefOut(Schema):
    id: int
    slug: str
    name: str


class CycleDueOut(Schema):
    """A deadline of the cycle, computed with the agency's policy pack."""

    id: int
    label: str
    due_date: date
    status: str = Field(description="open, done or waived")
    completed_on: date | None
    explanation: str


# ---------------------------------------------------------------- inputs


class AnswerIn(Schema):
    rating: str = Field("", description=f"The provider's self-rating: {RATINGS}")
    evidence: str = ""


class SelfAssessmentIn(Schema):
    answers: dict[str, AnswerIn] = Field(
        default_factory=dict, description=f"One answer for each of the six areas ({AREAS})"
    )
    qaf_level: str = Field("", description="The provider's QAF level: A, B, C or D")
    qaf_upgrades: str = ""
    on: date | None = Field(
        None,
        description="The day it happened, when earlier than today (issue 19): not in the future "
        "nor before the step it follows. Default: today in the agency's time zone.",
    )


class AssessIn(Schema):
    route: str = Field(description="full (a visit) or light (no visit, straight to judgement)")
    notes: str = Field("", description="The assessment of the self-assessment and QAF")
    visit_planned_for: date | None = Field(None, description="Full route: today or later")
    visit_agenda: str = Field("", description="Full route: the schedule for the day")
    user_consultation: str = Field("", description="Full route: how service users are consulted")
    evidence_requested: str = ""
    light_route_justification: str = Field(
        "",
        description="Light route for a contract rated red or under enhanced monitoring: why no "
        "visit is needed (seed 002); required then",
    )


class VisitIn(Schema):
    visited_on: date
    staff_met: str = ""
    self_assessment_review: str = ""
    action_plan_review: str = ""
    service_users_met: str = ""
    qaf_spot_check: str = ""
    dq_sampled: int | None = Field(None, description="Reported values checked (at least 1)")
    dq_matched: int | None = Field(None, description="Of those, how many matched the evidence")
    dq_notes: str = ""


class VisitDateIn(Schema):
    visit_planned_for: date = Field(description="The new day of the visit: today or later")


class AreaJudgementIn(Schema):
    rating: str = Field("", description=RATINGS)
    evidence: str = ""
    comments: str = ""


class JudgementIn(Schema):
    areas: dict[str, AreaJudgementIn] = Field(
        default_factory=dict, description=f"Each of the six areas ({AREAS})"
    )


class DiscussionIn(Schema):
    discussed_on: date
    method: str = Field(description="meeting or call")
    notes: str = ""


class ActionIn(Schema):
    description: str = ""
    owner: str = Field("", description="Who does it (a name or a role)")
    horizon_months: int | None = Field(None, description="Due in 3, 6 or 12 months")


class LetterIn(Schema):
    results_summary: str = ""
    future_funding: str = ""
    future_specification: str = ""
    actions: list[ActionIn] = []
    on: date | None = Field(
        None,
        description="The day it happened, when earlier than today (issue 19): not in the future "
        "nor before the step it follows. Default: today in the agency's time zone.",
    )


class ResultsLettersIn(Schema):
    """Which results letters to draw into one PDF: those the filters find (all optional)."""

    year: int | None = Field(None, description="The monitoring year, e.g. 2026")
    agency: str = Field("", description="The agency's slug")
    provider: int | None = Field(None, description="The provider's id")
    status: str = Field("", description="The cycles' status: open or closed")
    cycles: list[int] | None = Field(
        None, description="Exactly these cycles (ids); each must have a results letter"
    )


class LetterPreviewActionOut(Schema):
    description: str
    owner: str
    due_on: date


class LetterPreviewOut(Schema):
    letter_on: date = Field(description="The letter's date")
    appeal_by: date = Field(description="The last day the provider may appeal (seed 002 stage 8)")
    actions: list[LetterPreviewActionOut]
    html: str = Field(description="The letter as the provider would read it")


class HappenedIn(Schema):
    on: date | None = Field(
        None,
        description="The day it happened, when earlier than today (issue 19): not in the future "
        "nor before the step it follows. Default: today in the agency's time zone.",
    )


class AppealIn(Schema):
    grounds: str = ""
    received_via: str = Field(
        "",
        description="Staff recording an appeal the provider sent in writing: letter or email "
        "(with `on`, the day it was received). Empty when the provider lodges it.",
    )
    on: date | None = Field(
        None,
        description="The day it happened, when earlier than today (issue 19): not in the future "
        "nor before the step it follows. Default: today in the agency's time zone.",
    )


class AppealDecisionIn(Schema):
    outcome: str = Field(description="upheld, partly_upheld or dismissed")
    decision: str = Field("", description="The decision and its reasons, sent to the provider")


class ActionDoneIn(Schema):
    note: str = ""


class ReviewRecordIn(Schema):
    held_on: date
    chair: str = ""
    attendees: str = ""
    contract_manager_attended: bool = False
    minutes: str = ""


class ServicesReportIn(Schema):
    period_start: date = Field(description="The first day of a half-year of the fiscal year")
    recommendations: str = ""
    agency: str = Field(
        "", description="The agency's slug; by default the caller's own (administrators name it)"
    )


# ---------------------------------------------------------------- the cycle


class StepOut(Schema):
    stage: int
    label: str
    state: str = Field(description="complete, current or upcoming")
    on: date | None
    by: str | None
    due: date | None


class RiskOut(Schema):
    started_on: date
    started_by: str | None
    rating: str | None = Field(description="red, amber or green; null for provider users")
    monitoring_level: str | None = Field(description="null for provider users")
    reasons: list[str] | None = Field(description="null for provider users")


class NotificationOut(Schema):
    notified_on: date | None
    notified_by: str | None
    outturn: dict[str, Any] = Field(description="The performance outturn report sent")
    self_assessment_due: CycleDueOut | None


class AnswerOut(Schema):
    area: str
    label: str
    rating: str
    evidence: str


class SelfAssessmentOut(Schema):
    submitted_on: date | None
    submitted_by: str | None
    answers: list[AnswerOut]
    qaf_level: str
    qaf_upgrades: str


class CycleAssessmentOut(Schema):
    assessed_on: date | None
    assessed_by: str | None
    notes: str | None = Field(description="null for provider users")
    visit_planned_for: date | None
    visit_agenda: str
    user_consultation: str
    evidence_requested: str
    light_route_justification: str | None = Field(
        None, description="Why no visit for a red or enhanced contract; null for provider users"
    )


class VisitOut(Schema):
    """The visit record is internal: every field but the date is null for provider users."""

    visited_on: date | None
    visited_by: str | None
    staff_met: str | None
    self_assessment_review: str | None
    action_plan_review: str | None
    service_users_met: str | None
    qaf_spot_check: str | None
    dq_sampled: int | None
    dq_matched: int | None
    dq_percent: Decimal | None
    dq_notes: str | None


class AreaJudgementOut(Schema):
    area: str
    label: str
    rating: str
    evidence: str
    comments: str


class JudgementOut(Schema):
    judged_on: date | None
    judged_by: str | None
    areas: list[AreaJudgementOut] | None = Field(
        description="null for provider users until the results letter is sent"
    )


class DiscussionOut(Schema):
    discussed_on: date | None
    discussed_by: str | None
    method: str
    notes: str


class NextMonitoringCycleOut(Schema):
    contract: int
    due_on: date | None = Field(
        description="when the next cycle should start; null when none is open (the contract "
        "is not live, or the daily job has not opened it yet)"
    )
    rating: str = Field(description="the contract's latest risk rating: red, amber, green or ''")
    months: int = Field(description="the pack's months between cycles for that rating")
    source: str = Field(description="where the months come from (the pack's source)")
    how: str = Field(description="how the date was worked out, in words")


class ActionOut(Schema):
    id: int
    contract: int
    cycle: int | None
    description: str
    owner: str
    horizon_months: int
    due_on: date
    state: str = Field(description="open, overdue or done")
    done_on: date | None
    done_by: str | None
    done_note: str


class LetterOut(Schema):
    information_complete_on: date | None
    letter_due: CycleDueOut | None
    letter_on: date | None
    letter_by: str | None
    results_summary: str
    future_funding: str
    future_specification: str
    document: int | None = Field(description="The letter's PDF among the contract's documents")
    actions: list[ActionOut]


class CycleAppealOut(Schema):
    appeal_due: CycleDueOut | None
    lodged_on: date | None
    lodged_by: str | None
    received_via: str = Field(
        description="letter or email when the contract manager recorded a written appeal; "
        "empty when the provider lodged it in Steward"
    )
    grounds: str
    decided_on: date | None
    decided_by: str | None
    outcome: str
    decision: str
    outcome_sent_on: date | None


class CycleRowOut(Schema):
    id: int
    contract: ContractRefOut
    agency: AgencyRefOut
    provider: ProviderRefOut
    year: int
    status: str = Field(description="open or closed")
    stage: int = Field(description="The last stage done (1–8, seed 002)")
    stage_label: str
    next_stage: int | None
    next_stage_label: str | None
    route: str = Field(description="full (with a visit) or light (no visit)")
    started_on: date
    closed_on: date | None
    risk_rating: str | None = Field(description="null for provider users")
    self_assessment_due: date | None
    letter_due: date | None
    appeal_due: date | None


class CycleOut(CycleRowOut):
    can_view_internal: bool
    steps: list[StepOut]
    risk: RiskOut
    notification: NotificationOut
    self_assessment: SelfAssessmentOut
    assessment: CycleAssessmentOut
    visit: VisitOut
    judgement: JudgementOut
    discussion: DiscussionOut
    letter: LetterOut
    appeal: CycleAppealOut


# ---------------------------------------------------------------- reviews, calendar, reports


class ReviewOut(Schema):
    id: int
    contract: int
    kind: str = Field(description="biannual or annual (seed 003)")
    scheduled_for: date
    held_on: date | None
    cancelled_on: date | None = Field(
        description="Cancelled: the contract's term no longer holds this meeting"
    )
    cancel_reason: str
    chair: str
    attendees: str
    contract_manager_attended: bool
    minutes: str
    recorded_by: str | None


class CalendarItemOut(Schema):
    uid: str
    on: date
    kind: str = Field(
        description="The kind of due date (docs/deadlines.md): self_assessment, return, "
        "review_meeting, action, ..."
    )
    kind_name: str = Field(description="The kind in words: Self-assessment, Return, ...")
    optional: bool = Field(description="A window (to appeal, to comment) that may go unused")
    title: str
    contract_number: str
    url: str = Field(description="The page to open in Steward")
    detail: str


class RedContractOut(Schema):
    contract: ContractRefOut
    agency: AgencyRefOut
    provider: ProviderRefOut
    as_of: date
    rating: str
    monitoring_level: str
    reasons: list[str]


class AppealRowOut(Schema):
    cycle: int
    year: int
    contract: ContractRefOut
    provider: ProviderRefOut
    lodged_on: date
    decided_on: date | None
    outcome: str


class MissedOut(Schema):
    id: int
    kind: str = Field(description="The kind of due date (docs/deadlines.md)")
    contract: ContractRefOut | None = Field(description="None for an agency's own report")
    provider: ProviderRefOut | None
    label: str
    rule_key: str
    due_date: date
    days_overdue: int = Field(description="In the agency's own today")


class ConcernRowOut(Schema):
    id: int
    provider: ProviderRefOut
    contract: ContractRefOut | None
    category: str
    severity: str
    status: str
    summary: str
    received_on: date


class ExceptionReportOut(Schema):
    as_of: date
    since: date
    red: list[RedContractOut]
    appeals: list[AppealRowOut]
    missed: list[MissedOut] = Field(
        description="Deadlines missed: obligations (never windows) still open after their due "
        "date in their agency's today, the oldest first (at most 500)"
    )
    serious_concerns: list[ConcernRowOut]


class ServicesReportOut(Schema):
    id: int
    agency: AgencyRefOut
    period_start: date
    period_end: date
    recommendations: str
    figures: dict[str, Any] = Field(description="The period's figures when the report was made")
    created_by: str | None
    created_at: datetime


class MonitoringRecipientIn(Schema):
    audience: str = Field(description="exceptions (stage 9) or services (stage 10)")
    name: str = ""
    email: str = ""
    organisation: str = Field("", description="e.g. PCT, Probation, the commissioning body")
    user_id: int | None = Field(None, description="A person of the agency instead")
    agency: str | None = Field(None, description="Administrators: the agency's slug")


class MonitoringRecipientOut(Schema):
    id: int
    audience: str
    name: str
    organisation: str
    email: str
    external: bool
    active: bool


class MonitoringReportSentOut(Schema):
    id: int
    audience: str
    sent_on: date
    recipients: list[dict[str, str]]


class MonitoringExceptionSendIn(Schema):
    since: date | None = Field(None, description="Appeals since (default: six months ago)")
    agency: str | None = Field(None, description="Administrators: the agency's slug")
