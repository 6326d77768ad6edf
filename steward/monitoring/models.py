"""The annual monitoring cycle (seed 002, ten stages; seed 003 review meetings and roles;
DOMAIN.md section 3.1): one cycle per contract per year, its six-area judgement, the action plan,
the contract's review meetings and the twice-yearly reports. Their deadlines are due dates
(`steward.contracts.models.DueDate`) of the kinds registered in `steward.contracts.due_kinds`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from steward.contracts.models import Contract, ContractDocument, DueDate
from steward.core.models import TimeStampedModel
from steward.monitoring import calc


class Route(models.TextChoices):
    LIGHT = "light", "Light (no visit)"
    FULL = "full", "Full (with a visit)"


class CycleStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class DiscussionMethod(models.TextChoices):
    MEETING = "meeting", "Meeting"
    CALL = "call", "Phone or video call"


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", "Upheld"
    PARTLY_UPHELD = "partly_upheld", "Partly upheld"
    DISMISSED = "dismissed", "Dismissed"


class ReceivedVia(models.TextChoices):
    """How a provider's written appeal reached the contract manager (seeds 002, 004: the
    results letter says to appeal "in writing to the contract manager")."""

    LETTER = "letter", "By letter"
    EMAIL = "email", "By email"


class QafLevel(models.TextChoices):
    A = "A", "A: excellent"
    B = "B", "B: good"
    C = "C", "C: minimum standard"
    D = "D", "D: below the minimum standard"


def _user_fk() -> models.ForeignKey:  # type: ignore[type-arg]
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


def _due_fk() -> models.ForeignKey:  # type: ignore[type-arg]
    return models.ForeignKey(
        DueDate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class Cycle(TimeStampedModel):
    """One contract's annual monitoring cycle. `stage` is the last stage done (1–8, seed 002);
    each stage's record lives in its own fields, dated and signed."""

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="monitoring_cycles"
    )
    agency = models.ForeignKey("parties.Agency", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("parties.Provider", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(help_text="The monitoring year")
    status = models.CharField(max_length=10, choices=CycleStatus.choices, default=CycleStatus.OPEN)
    stage = models.PositiveSmallIntegerField(default=1)
    started_on = models.DateField()
    started_by = _user_fk()
    closed_on = models.DateField(null=True, blank=True)

    # stage 1: the desk-top risk assessment fixes the route
    risk_rating = models.CharField(max_length=10, blank=True)
    monitoring_level = models.CharField(max_length=10, blank=True)
    risk_reasons = models.JSONField(default=list, blank=True)
    route = models.CharField(max_length=10, choices=Route.choices)

    # stage 2: notification letter, self-assessment form, performance outturn report
    notified_on = models.DateField(null=True, blank=True)
    notified_by = _user_fk()
    outturn = models.JSONField(default=dict, blank=True, help_text="The performance outturn sent")
    self_assessment_due = _due_fk()
    sa_submitted_on = models.DateField(null=True, blank=True)
    sa_submitted_by = _user_fk()
    sa_answers = models.JSONField(
        default=dict, blank=True, help_text="{area: {rating, evidence}} from the provider"
    )
    qaf_level = models.CharField(max_length=1, choices=QafLevel.choices, blank=True)
    qaf_upgrades = models.TextField(blank=True)

    # stage 3: assessment of the self-assessment and QAF; visit arranged or light route
    assessed_on = models.DateField(null=True, blank=True)
    assessed_by = _user_fk()
    assessment_notes = models.TextField(blank=True)
    visit_planned_for = models.DateField(null=True, blank=True)
    visit_agenda = models.TextField(blank=True)
    user_consultation = models.TextField(
        blank=True, help_text="How service users will be consulted"
    )
    evidence_requested = models.TextField(blank=True)
    light_route_justification = models.TextField(
        blank=True, help_text="Why a red or enhanced-monitoring contract needs no visit (seed 002)"
    )

    # stage 4: the visit
    visited_on = models.DateField(null=True, blank=True)
    visited_by = _user_fk()
    staff_met = models.TextField(blank=True)
    self_assessment_review = models.TextField(blank=True, help_text="Including QAF upgrades")
    action_plan_review = models.TextField(blank=True)
    service_users_met = models.TextField(blank=True)
    qaf_spot_check = models.TextField(blank=True)
    dq_sampled = models.PositiveIntegerField(null=True, blank=True)
    dq_matched = models.PositiveIntegerField(null=True, blank=True)
    dq_notes = models.TextField(blank=True)

    # stage 5: judgement (the six areas are Judgement rows)
    judged_on = models.DateField(null=True, blank=True)
    judged_by = _user_fk()

    # stage 6: draft action plan discussed (light route)
    discussed_on = models.DateField(null=True, blank=True)
    discussed_by = _user_fk()
    discussion_method = models.CharField(
        max_length=10, choices=DiscussionMethod.choices, blank=True
    )
    discussion_notes = models.TextField(blank=True)

    # stage 7: results letter and report, within 20 working days of all information
    information_complete_on = models.DateField(null=True, blank=True)
    letter_due = _due_fk()
    letter_on = models.DateField(null=True, blank=True)
    letter_by = _user_fk()
    results_summary = models.TextField(blank=True)
    future_funding = models.TextField(blank=True)
    future_specification = models.TextField(blank=True)
    letter_document = models.ForeignKey(
        ContractDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # stage 8: the provider may appeal within 14 days
    appeal_due = _due_fk()
    appeal_lodged_on = models.DateField(null=True, blank=True)
    appeal_lodged_by = _user_fk()
    appeal_grounds = models.TextField(blank=True)
    #: how a written appeal came, when the contract manager recorded it for the provider
    #: (empty: the provider lodged it in Steward)
    appeal_received_via = models.CharField(max_length=10, choices=ReceivedVia.choices, blank=True)
    appeal_decided_on = models.DateField(null=True, blank=True)
    appeal_decided_by = _user_fk()
    appeal_outcome = models.CharField(max_length=15, choices=AppealOutcome.choices, blank=True)
    appeal_decision = models.TextField(blank=True)
    appeal_outcome_sent_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract"],
                condition=Q(status="open"),
                name="monitoring_cycle_one_open_per_contract",
            ),
            models.CheckConstraint(
                condition=Q(stage__gte=1, stage__lte=8), name="monitoring_cycle_stage_1_8"
            ),
            models.CheckConstraint(
                condition=Q(route__in=Route.values), name="monitoring_cycle_route_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CycleStatus.values), name="monitoring_cycle_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["agency", "status"], name="cycle_agency_status_idx")]

    def __str__(self) -> str:
        return f"{self.year} monitoring of {self.contract}"

    @property
    def route_enum(self) -> calc.Route:
        return calc.Route(self.route)

    @property
    def next_stage(self) -> calc.Stage | None:
        if self.status == CycleStatus.CLOSED:
            return None
        return calc.next_stage(calc.Stage(self.stage), self.route_enum)

    @property
    def letter_released(self) -> bool:
        return self.letter_on is not None


class Judgement(TimeStampedModel):
    """Stage 5: one of the six areas of seed 002, rated with evidence and comments."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="judgements")
    area = models.CharField(max_length=20, choices=calc.JUDGEMENT_AREAS)
    rating = models.CharField(max_length=10, choices=calc.JUDGEMENT_RATINGS)
    evidence = models.TextField()
    comments = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["cycle", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "area"], name="monitoring_judgement_one_area")
        ]

    def __str__(self) -> str:
        return f"{self.get_area_display()}: {self.get_rating_display()}"


class Action(TimeStampedModel):
    """An action of a results letter's action plan: owner and a due date at 3, 6 or 12 months
    (seed 002 stage 7), followed up until done; overdue ones feed the risk assessment."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="actions")
    cycle = models.ForeignKey(
        Cycle, null=True, blank=True, on_delete=models.CASCADE, related_name="actions"
    )
    description = models.TextField()
    owner = models.CharField(max_length=200, help_text="Who does it (a name or a role)")
    owner_user = _user_fk()
    horizon_months = models.PositiveSmallIntegerField(
        choices=[(m, f"{m} months") for m in (3, 6, 12)]
    )
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    done_by = _user_fk()
    done_note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["contract", "done_on", "due_on"], name="action_open_idx")]

    def __str__(self) -> str:
        return self.description[:80]

    def state(self, today: object) -> str:
        return calc.action_state(self.due_on, self.done_on, today).value  # type: ignore[arg-type]


class ReviewKind(models.TextChoices):
    BIANNUAL = "biannual", "Biannual review"
    ANNUAL = "annual", "Annual review"


class ReviewMeeting(TimeStampedModel):
    """Seed 003: one meeting of the contract's cycle of biannual and annual reviews, chaired by
    operational managers; the contract manager attends the annual one. Planned from the pack
    when the contract is executed (`calc.review_dates`), each with its `review_meeting` due
    date; a meeting the contract's term no longer holds (it ended early, its end date moved) is
    cancelled, never deleted, with the reason."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(max_length=10, choices=ReviewKind.choices)
    scheduled_for = models.DateField()
    chair = models.CharField(max_length=200, blank=True)
    held_on = models.DateField(null=True, blank=True)
    attendees = models.TextField(blank=True)
    contract_manager_attended = models.BooleanField(default=False)
    minutes = models.TextField(blank=True)
    recorded_by = _user_fk()
    cancelled_on = models.DateField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["scheduled_for", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "kind", "scheduled_for"], name="monitoring_review_once"
            ),
            models.CheckConstraint(
                condition=Q(held_on__isnull=True) | Q(cancelled_on__isnull=True),
                name="monitoring_review_held_or_cancelled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.contract} on {self.scheduled_for}"

    @property
    def is_planned(self) -> bool:
        """Still to be held: neither held nor cancelled."""
        return self.held_on is None and self.cancelled_on is None


class ServicesReport(TimeStampedModel):
    """Stage 10: the twice-yearly report on performance across all services to the
    commissioning body, with the contract manager's recommendations and the period's figures as
    they stood when it was made."""

    agency = models.ForeignKey("parties.Agency", on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    recommendations = models.TextField()
    figures = models.JSONField(default=dict, help_text="The period's figures when it was made")
    created_by = _user_fk()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_end", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "period_start"], name="monitoring_report_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"Report to the commissioning body, {self.period_start} – {self.period_end}"


# ---------------------------------------------------------------- who receives stages 9 and 10


class ReportAudience(models.TextChoices):
    """seed 002: stage 9 goes "by exception to Senior Local Authority/PCT/Probation Managers";
    stage 10 "twice yearly, to Commissioning Body"."""

    EXCEPTIONS = "exceptions", "Report by exception (senior managers)"
    SERVICES = "services", "Report on all services (commissioning body)"


class ReportRecipient(TimeStampedModel):
    """A named recipient of a report: a person of the agency (`user`) or someone outside it
    (a partner organisation's manager, the commissioning body), with their email address."""

    agency = models.ForeignKey("parties.Agency", on_delete=models.PROTECT, related_name="+")
    audience = models.CharField(max_length=20, choices=ReportAudience.choices)
    name = models.CharField(max_length=200)
    organisation = models.CharField(
        max_length=200, blank=True, help_text="e.g. the PCT, Probation, the commissioning body"
    )
    email = models.EmailField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["audience", "organisation", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "audience", "email"],
                condition=Q(active=True),
                name="monitoring_recipient_once",
                violation_error_message="This address already receives this report.",
            ),
            models.CheckConstraint(
                condition=Q(audience__in=ReportAudience.values),
                name="monitoring_recipient_audience_valid",
            ),
        ]

    @property
    def external(self) -> bool:
        return self.user_id is None


class ReportSent(TimeStampedModel):
    """A report sent to its recipients (through the outbox): what, when, by whom, to whom."""

    agency = models.ForeignKey("parties.Agency", on_delete=models.PROTECT, related_name="+")
    audience = models.CharField(max_length=20, choices=ReportAudience.choices)
    services_report = models.ForeignKey(
        ServicesReport, on_delete=models.PROTECT, null=True, blank=True, related_name="sendings"
    )
    sent_on = models.DateField()
    sent_by = _user_fk()
    recipients = models.JSONField(default=list, help_text="[{name, organisation, email}]")

    class Meta:
        ordering = ["-sent_on", "-id"]


class LeadRequestKind(models.TextChoices):
    """seed 003 roles table, "Operational Monitoring of Contracts": what the lead professional
    asks of the contract manager. Termination is asked through the early-termination workflow
    (`procurement.TerminationReview`), not here."""

    ADDITIONAL_MONITORING = "additional_monitoring", "Additional monitoring (risk analysis)"
    ENFORCE_TERMS = "enforce_terms", "Enforce the contract's terms"
    RENEGOTIATE = "renegotiate", "Renegotiate the contract"


class LeadRequestStatus(models.TextChoices):
    OPEN = "open", "Waiting for the contract manager"
    ACCEPTED = "accepted", "Accepted by the contract manager"
    DECLINED = "declined", "Declined by the contract manager"


class LeadProfessionalRequest(TimeStampedModel):
    """seed 003: the lead professional "analyse[s] risk and decide[s] whether additional
    monitoring is required", "advise[s] CCM of the results of risk assessments", and may
    "request the CCM to enforce contract terms and conditions, renegotiate or terminate". The
    request, its analysis and advice, and the contract manager's response are kept."""

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="lead_professional_requests"
    )
    kind = models.CharField(max_length=30, choices=LeadRequestKind.choices)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_on = models.DateField()
    risk_analysis = models.TextField(
        blank=True, help_text="The lead professional's analysis of the risk"
    )
    additional_monitoring = models.BooleanField(
        null=True, blank=True, help_text="The lead professional's decision: is more needed?"
    )
    proposed_level = models.CharField(max_length=10, blank=True)
    advice = models.TextField(help_text="The advice or request to the contract manager")
    status = models.CharField(
        max_length=10, choices=LeadRequestStatus.choices, default=LeadRequestStatus.OPEN
    )
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_on = models.DateField(null=True, blank=True)
    response = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=LeadRequestKind.values), name="monitoring_leadreq_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=LeadRequestStatus.values),
                name="monitoring_leadreq_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=LeadRequestStatus.OPEN) | ~Q(response=""),
                name="monitoring_leadreq_answer_has_response",
            ),
            models.CheckConstraint(
                condition=~Q(kind=LeadRequestKind.ADDITIONAL_MONITORING)
                | (~Q(risk_analysis="") & Q(additional_monitoring__isnull=False)),
                name="monitoring_leadreq_monitoring_has_analysis",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.contract_id} ({self.raised_on})"

    @property
    def agency_id(self) -> int:
        return self.contract.agency_id


class OperationalReportTemplate(TimeStampedModel):
    """seed 003: operational teams monitor the contract and feed it "into the overall or
    strategic monitoring"; the contract manager receives "routine returns". The contract manager
    issues the template (for the agency, or one service type); its questions are a list of
    {"key", "prompt", "answer_type" (text, yes_no, number, rating), "required"}. A template once
    used is never changed: a revision is a new version and the old one is withdrawn."""

    agency = models.ForeignKey(
        "parties.Agency", on_delete=models.PROTECT, related_name="operational_templates"
    )
    service_type = models.CharField(
        max_length=120, blank=True, help_text="Blank: every service type of the agency"
    )
    title = models.CharField(max_length=200)
    version = models.PositiveIntegerField(default=1)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_version"
    )
    questions = models.JSONField(default=list)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_on = models.DateField()
    withdrawn = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["title", "-version", "id"]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"


class OperationalReport(TimeStampedModel):
    """seed 003: an operational team's report on a contract for a period, answering a template's
    questions (answers: {question key: value}). Kept as filed; the contract manager is told."""

    template = models.ForeignKey(
        OperationalReportTemplate, on_delete=models.PROTECT, related_name="reports"
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="operational_reports"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    answers = models.JSONField(default=dict)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_on = models.DateField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="monitoring_opsreport_period_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.template.title} on {self.contract_id}, {self.period_start}–{self.period_end}"

    @property
    def agency_id(self) -> int:
        return self.contract.agency_id

    def answered(self) -> list[tuple[dict, object]]:
        """(question, answer) pairs in the template's order."""
        return [(q, self.answers.get(q["key"])) for q in self.template.questions]
