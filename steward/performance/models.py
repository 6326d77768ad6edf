"""Service specifications, performance indicators, evaluation plans, returns and other evidence
(seeds 001, 003 and 004 Attachment 2; DOMAIN.md section 2)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from steward.contracts.models import Contract
from steward.core.concurrency import RowVersioned, Versioned
from steward.core.errors import TransitionNotAllowed
from steward.core.models import TimeStampedModel
from steward.parties.models import Agency


class Category(models.TextChoices):
    """Seed 003 keeps inputs apart from outcomes."""

    INPUT = "input", "Input"
    OUTPUT = "output", "Output"
    QUALITY = "quality", "Quality"
    OUTCOME = "outcome", "Outcome"


class Question(models.TextChoices):
    """The results-based accountability question an indicator answers."""

    HOW_MUCH = "how_much", "How much did we do?"
    HOW_WELL = "how_well", "How well did we do it?"
    BETTER_OFF = "better_off", "Is anyone better off?"


class Unit(models.TextChoices):
    COUNT = "count", "Count"
    PERCENTAGE = "percentage", "Percentage"
    CURRENCY = "currency", "Currency"
    DAYS = "days", "Days"
    RATING = "rating", "Rating"


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    BIANNUAL = "biannual", "Every six months"
    ANNUAL = "annual", "Annual"


class IndicatorFields(TimeStampedModel):
    """What an indicator is; shared by the agency's library and a contract's indicators."""

    name = models.CharField(max_length=200)
    definition = models.TextField(blank=True)
    category = models.CharField(max_length=10, choices=Category.choices)
    question = models.CharField(max_length=12, choices=Question.choices)
    unit = models.CharField(max_length=12, choices=Unit.choices)
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    data_source = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True


class IndicatorDefinition(IndicatorFields):
    """An agency's library entry, reused across its contracts."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="indicator_library")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="performance_library_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Specification(Versioned, TimeStampedModel):
    """The service specification of a contract: standards and outcomes for the people served."""

    contract = models.OneToOneField(
        Contract, on_delete=models.CASCADE, related_name="specification"
    )
    service_standards = models.TextField(blank=True)
    outcomes = models.TextField(blank=True, help_text="Outcomes for the people served")
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Specification of {self.contract_id}"


class Milestone(TimeStampedModel):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due_on = models.DateField()
    achieved_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class Indicator(Versioned, IndicatorFields):
    """A performance indicator of one contract, with its target and tolerance band."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="indicators")
    library = models.ForeignKey(
        IndicatorDefinition, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target = models.DecimalField(max_digits=14, decimal_places=2)
    baseline = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    tolerance = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        help_text="How far from the target (in the indicator's unit) still counts as within "
        "tolerance",
    )
    payment_weight = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        help_text="Percent of the performance-based payment tied to this indicator",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["category", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "name"], name="performance_indicator_unique"
            ),
            models.CheckConstraint(
                condition=Q(tolerance__gte=0), name="performance_indicator_tolerance_positive"
            ),
            models.CheckConstraint(
                condition=Q(payment_weight__gte=0, payment_weight__lte=100),
                name="performance_indicator_weight_percent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def higher_is_better(self) -> bool:
        return self.direction == Direction.HIGHER


class Plan(RowVersioned, TimeStampedModel):
    """The Performance Evaluation Plan (seed 001): what the sponsor wants, what was agreed, and
    the timeline of returns, status meetings and reports. (Its proposals to the provider are
    PlanVersions, numbered; `row_version` is only the optimistic-concurrency version of the row,
    core/concurrency.py.)"""

    contract = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="plan")
    desired_outcomes = models.TextField(help_text="Set by the sponsor")
    agreed_expectations = models.TextField(blank=True)
    return_frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    payment_at_stake = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Amount per period tied to the indicators (performance-based payment)",
    )
    tolerance_credit = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        help_text="Percent of an indicator's share earned when it is within tolerance",
    )
    status_meetings = models.TextField(
        blank=True, help_text="When MPS and the contractor meet on progress (seed 001)"
    )
    reports = models.TextField(
        blank=True, help_text="The reports due and when, beyond the periodic returns"
    )
    generated_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(tolerance_credit__gte=0, tolerance_credit__lte=100),
                name="performance_plan_credit_percent",
            ),
            models.CheckConstraint(
                condition=Q(payment_at_stake__isnull=True) | Q(payment_at_stake__gte=0),
                name="performance_plan_payment_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"Plan of {self.contract_id}"


class PlanVersionStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed to the provider"
    AGREED = "agreed", "Agreed by both sides"
    COMMENTED = "commented", "Returned with the provider's comments"


class PlanVersion(TimeStampedModel):
    """One version of the Performance Evaluation Plan as proposed to the provider (seed 001:
    "MPS and the contractor work together to establish expectations … a timeline for data needs,
    meetings, and reporting"): what the plan said then, fixed, and the provider's answer. An
    agreed version never changes; a change to the plan is proposed as a new version."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField()
    content = models.JSONField(
        help_text="{desired_outcomes, agreed_expectations, return_frequency, status_meetings, "
        "reports, indicators: [{name, target, unit, direction, tolerance, payment_weight}]}"
    )
    status = models.CharField(
        max_length=10, choices=PlanVersionStatus.choices, default=PlanVersionStatus.PROPOSED
    )
    proposed_on = models.DateField()
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_on = models.DateField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    provider_comments = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="performance_planversion_once"),
            models.CheckConstraint(
                condition=Q(status__in=PlanVersionStatus.values),
                name="performance_planversion_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Plan of {self.contract} version {self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # an agreed version is fixed: every path gets the same refusal
        if (
            self.pk
            and PlanVersion.objects.filter(pk=self.pk, status=PlanVersionStatus.AGREED).exists()
        ):
            raise TransitionNotAllowed(
                "An agreed version of the plan is fixed; propose a new version to change it."
            )
        super().save(*args, **kwargs)


class MetricsSignOff(TimeStampedModel):
    """Procurement & Risk Management's sign-off on a contract's performance metrics (seed 001:
    "Performance metrics are developed by the contract's sponsor in collaboration with the
    Department of Procurement & Risk Management"): who signed, when, and the metrics as they
    stood then. A change to the metrics afterwards needs a new sign-off."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="+")
    signed_on = models.DateField()
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    developed_with_sponsor = models.BooleanField(
        default=True, help_text="The metrics were developed with the contract's sponsor"
    )
    metrics = models.JSONField(help_text="[{name, unit, direction, target, tolerance}] signed off")
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "-signed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(developed_with_sponsor=True),
                name="performance_metricssignoff_with_sponsor",
            ),
        ]

    def __str__(self) -> str:
        return f"Metrics of {self.contract_id} signed off on {self.signed_on}"


class ReturnStatus(models.TextChoices):
    UPCOMING = "upcoming", "Not yet due"
    DUE = "due", "Due"
    MISSING = "missing", "Missing (overdue)"
    ON_TIME = "on_time", "Submitted on time"
    LATE = "late", "Submitted late"


class Return(TimeStampedModel):
    """One reporting period's data return of a contract: indicator values, volumes and costs."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="returns")
    period_start = models.DateField()
    period_end = models.DateField()
    due_on = models.DateField()
    submitted_on = models.DateField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    units_delivered = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    referrals = models.PositiveIntegerField(null=True, blank=True)
    starts = models.PositiveIntegerField(null=True, blank=True)
    leavers = models.PositiveIntegerField(null=True, blank=True)
    costs = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "period_start"], name="performance_return_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="performance_return_period"
            ),
            models.CheckConstraint(
                condition=Q(units_delivered__isnull=True) | Q(units_delivered__gte=0),
                name="performance_return_units_positive",
            ),
            models.CheckConstraint(
                condition=Q(costs__isnull=True) | Q(costs__gte=0),
                name="performance_return_costs_positive",
            ),
        ]
        # the portfolio's and the risk assessment's "missing returns" of a set of contracts
        indexes = [
            models.Index(fields=["contract", "submitted_on", "due_on"], name="perf_return_open_idx")
        ]

    def __str__(self) -> str:
        return f"Return {self.period_start} to {self.period_end}"

    def status(self, today: object) -> str:
        if self.submitted_on is not None:
            return ReturnStatus.LATE if self.submitted_on > self.due_on else ReturnStatus.ON_TIME
        if self.due_on < today:  # type: ignore[operator]
            return ReturnStatus.MISSING
        if self.period_end < today:  # type: ignore[operator]
            return ReturnStatus.DUE
        return ReturnStatus.UPCOMING


class IndicatorValue(TimeStampedModel):
    """The value of one indicator in one return."""

    # No index of its own: the unique (ret, indicator) index below serves lookups by return,
    # and every index costs a bulk import time on each row (and on each history row).
    ret = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="values", db_index=False)
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    value = models.DecimalField(max_digits=14, decimal_places=2)
    # Its history is read by value (the `id` index); indexes on ret and indicator there would
    # only slow an import, which writes one history row per value. Its own key is a bigint: a
    # shared register's billion values write more history rows than an integer key can number
    # (2,147,483,647; docs/scaling.md).
    history = HistoricalRecords(
        no_db_index=["ret", "indicator"], history_id_field=models.BigAutoField(primary_key=True)
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ret", "indicator"], name="performance_value_unique")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.value}"


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    return f"returns/{instance.ret_id}/{instance.sha256[:16]}-{filename}"


class Evidence(TimeStampedModel):
    """A file supporting a return (checked for type and size before it is stored)."""

    ret = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=evidence_upload_to, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class RespondentGroup(models.TextChoices):
    SERVICE_USERS = "service_users", "Service users"
    PROVIDER_STAFF = "provider_staff", "Provider staff"
    AGENCY_STAFF = "agency_staff", "Agency staff"


class Survey(TimeStampedModel):
    """A satisfaction survey round (seed 003): who answered, the score and comments."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="surveys")
    group = models.CharField(max_length=16, choices=RespondentGroup.choices)
    round_label = models.CharField(max_length=80, help_text='e.g. "2026 spring round"')
    conducted_on = models.DateField()
    respondents = models.PositiveIntegerField()
    score = models.DecimalField(
        max_digits=5, decimal_places=2, help_text="Satisfaction score from 0 to 100"
    )
    comments = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-conducted_on", "group"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100), name="performance_survey_score_range"
            ),
            models.UniqueConstraint(
                fields=["contract", "group", "round_label"], name="performance_survey_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_group_display()} {self.round_label}"
