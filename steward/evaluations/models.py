"""Contractor performance evaluations (seeds 000 and 001; DOMAIN.md sections 3.2 and 3.3).

An evaluation is written by the agency (draft), released to the provider (who may acknowledge
it and comment within the pack's window), then finalised by a reviewing official. A finalised
evaluation never changes: a correction is a new version that supersedes it, with a reason, and
both stay visible. Finalised evaluations are shared with every agency; drafts stay with the
agency that writes them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from steward.contracts.models import Contract, DueDate
from steward.core.concurrency import RowVersioned
from steward.core.errors import TransitionNotAllowed
from steward.core.models import TimeStampedModel


class EvaluationKind(models.TextChoices):
    CLOSEOUT = "closeout", "Closeout evaluation"
    INTERIM = "interim", "Interim evaluation"
    #: seed 001: an evaluation of an executed or active contract written before its renewal
    #: or extension is decided, at any time, by the same workflow
    PRE_RENEWAL = "pre_renewal", "Pre-renewal evaluation"


class ScoreBasis(models.TextChoices):
    """Where the score comes from (the pack's `evaluation.score_from`, seed 001)."""

    CRITERIA = "criteria", "The weighted rating criteria"
    INDICATORS = "indicators", "The contract's own performance indicators"


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    RELEASED = "released", "Released to the provider"
    FINALISED = "finalised", "Finalised"


class FinalisedEvaluationError(TransitionNotAllowed):
    """A write to a finalised evaluation (they are immutable: correct with a new version)."""


IMMUTABLE_MESSAGE = (
    "A finalised evaluation cannot be changed; record a correction, which makes a new version "
    "and keeps this one."
)


class Evaluation(RowVersioned, TimeStampedModel):
    """The written evaluation of a contractor's performance on one contract.

    `version` is the correction number (a finalised evaluation is corrected by a new version);
    `row_version` is the optimistic-concurrency version of the row (core/concurrency.py), moved
    on by every save of a draft, carried by the edit page and the API's ETag/If-Match."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="evaluations")
    # copied from the contract so that sharing rules and lists filter on the evaluation itself
    agency = models.ForeignKey("parties.Agency", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(
        "parties.Provider", on_delete=models.PROTECT, related_name="evaluations"
    )
    kind = models.CharField(max_length=12, choices=EvaluationKind.choices)
    period_start = models.DateField(help_text="First day of the performance evaluated")
    period_end = models.DateField(help_text="Last day of the performance evaluated")
    due = models.ForeignKey(
        DueDate,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evaluations",
        help_text="The due date this evaluation answers (none for a correction)",
    )
    version = models.PositiveSmallIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    correction_reason = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT
    )
    # the form as the pack had it when the evaluation was started (a later pack edit does not
    # change an evaluation already under way)
    pack_slug = models.SlugField(max_length=80)
    pack_version = models.PositiveIntegerField()
    criteria = models.JSONField(help_text="[{key, label, weight}] from the pack")
    scale = models.JSONField(help_text="[{value, label, definition}] from the pack")
    evidence = models.JSONField(
        default=list, help_text="[{source, label, value}] gathered when the evaluation started"
    )
    evidence_gathered_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True, help_text="Overall narrative")
    score_basis = models.CharField(
        max_length=12, choices=ScoreBasis.choices, default=ScoreBasis.CRITERIA
    )
    metric_lines = models.JSONField(
        default=list,
        blank=True,
        help_text="[{indicator, name, weight, periods, met, within, achievement, points}]: the "
        "arithmetic of a score from the contract's indicators, fixed on release",
    )
    score = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_on = models.DateField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment_due = models.DateField(null=True, blank=True)
    acknowledged_on = models.DateField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    provider_comments = models.TextField(blank=True)
    commented_on = models.DateField(null=True, blank=True)
    finalised_on = models.DateField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_end", "-version", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=EvaluationStatus.values),
                name="evaluations_evaluation_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=EvaluationKind.values),
                name="evaluations_evaluation_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="evaluations_evaluation_score_0_100",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="evaluations_evaluation_period_order",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(score__isnull=False, released_on__isnull=False),
                name="evaluations_evaluation_released_scored",
            ),
            models.CheckConstraint(
                condition=~Q(status="finalised") | Q(finalised_on__isnull=False),
                name="evaluations_evaluation_finalised_dated",
            ),
        ]
        indexes = [
            models.Index(fields=["contract", "status"], name="evaluation_contract_status_idx"),
            models.Index(fields=["provider", "status"], name="evaluation_provider_status_idx"),
        ]

    def __str__(self) -> str:
        version = f" (version {self.version})" if self.version > 1 else ""
        return f"{self.get_kind_display()} of {self.contract}{version}"

    def _finalised_in_database(self) -> bool:
        return bool(
            self.pk
            and Evaluation.objects.filter(pk=self.pk, status=EvaluationStatus.FINALISED).exists()
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The model refuses to write a row that is finalised in the database: every path
        # (services, admin, shell, a stale copy) gets the same refusal. Corrections are new
        # versions.
        if self._finalised_in_database():
            raise FinalisedEvaluationError(IMMUTABLE_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self._finalised_in_database():
            raise FinalisedEvaluationError(IMMUTABLE_MESSAGE)
        return super().delete(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == EvaluationStatus.DRAFT

    @property
    def is_final(self) -> bool:
        return self.status == EvaluationStatus.FINALISED


class Rating(TimeStampedModel):
    """One criterion of an evaluation: its rating on the scale and the narrative behind it."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="ratings")
    criterion_key = models.CharField(max_length=60)
    position = models.PositiveSmallIntegerField(default=0)
    rating = models.SmallIntegerField(null=True, blank=True)
    narrative = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["evaluation", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "criterion_key"], name="evaluations_rating_one_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion_key}: {self.rating}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.evaluation.status != EvaluationStatus.DRAFT:
            raise (
                FinalisedEvaluationError(IMMUTABLE_MESSAGE)
                if self.evaluation.status == EvaluationStatus.FINALISED
                else TransitionNotAllowed(
                    "Ratings are fixed once the evaluation is released to the provider."
                )
            )
        super().save(*args, **kwargs)


class InLieuKind(models.TextChoices):
    REPORT_CARD = "report_card", "Report card"
    QUALITY_ASSURANCE = "quality_assurance", "Quality assurance report"
    OTHER = "other", "Other performance report"


class InLieuStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted, awaiting the oversight officer"
    ACCEPTED = "accepted", "Accepted in lieu of the evaluation"
    REJECTED = "rejected", "Rejected"


def in_lieu_upload_to(instance: InLieuReport, filename: str) -> str:
    return f"evaluations/in-lieu/{instance.contract_id}/{instance.sha256[:16]}-{filename}"


class InLieuReport(TimeStampedModel):
    """A report card or quality-assurance report an agency submits instead of the evaluation
    form (seed 000); the oversight officer accepts or rejects it, and an accepted one counts as
    the evaluation done."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="in_lieu_reports")
    agency = models.ForeignKey("parties.Agency", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("parties.Provider", on_delete=models.PROTECT, related_name="+")
    due = models.ForeignKey(
        DueDate, null=True, blank=True, on_delete=models.SET_NULL, related_name="in_lieu_reports"
    )
    kind = models.CharField(max_length=20, choices=InLieuKind.choices)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    link = models.URLField(blank=True, max_length=500)
    file = models.FileField(upload_to=in_lieu_upload_to, max_length=300, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    submitted_on = models.DateField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: seed 000: a report card covering the provider's whole work with the agency for a period;
    #: accepted, it stands for the evaluation of each of the provider's contracts with the
    #: agency whose evaluation falls in the period (empty: this contract's evaluation only)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=InLieuStatus.choices, default=InLieuStatus.SUBMITTED
    )
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=InLieuStatus.values), name="evaluations_inlieu_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(file="") | ~Q(link=""), name="evaluations_inlieu_file_or_link"
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True, period_end__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="evaluations_inlieu_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def covers_period(self) -> bool:
        return self.period_start is not None and self.period_end is not None


class RenewalOverride(TimeStampedModel):
    """An authorised decision to renew a contract whose latest evaluation does not make it
    eligible (seed 001), with the justification. It applies to one renewal option."""

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="renewal_overrides"
    )
    renewal_number = models.PositiveSmallIntegerField(
        help_text="The renewal option this override allows (1 for the first)"
    )
    justification = models.TextField()
    score_at_override = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    authorised_on = models.DateField()
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: the renewal or extension (an amendment moving the end date later) the override allowed;
    #: empty while it is still to be used (seed 001: "renewal or extension")
    used_by = models.OneToOneField(
        "contracts.Amendment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewal_override",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-authorised_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract"],
                condition=Q(used_by__isnull=True),
                name="evaluations_override_one_unused",
            )
        ]

    def __str__(self) -> str:
        return f"Renewal {self.renewal_number} of {self.contract} allowed by override"


# ---------------------------------------------------------------- charter schools (seed 001)


class CharterOutcome(models.TextChoices):
    """What the Charter School Contract Review Team decides about a school's contract."""

    RENEW = "renew", "Renew"
    RENEW_WITH_CONDITIONS = "renew_with_conditions", "Renew with conditions"
    DO_NOT_RENEW = "do_not_renew", "Do not renew"


class CharterReview(TimeStampedModel):
    """The Charter School Contract Review Team's review of a contracted (charter) school: the
    school's data and performance analysed against each performance requirement embedded in its
    contract (seed 001), with the outcome for the renewal option it decides. Where the pack's
    renewal scope leaves charter schools out of the score bar, their renewal reads this
    outcome instead."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="charter_reviews")
    #: the renewal option this review decides (1 for the first)
    renewal_number = models.PositiveSmallIntegerField()
    reviewed_on = models.DateField()
    reviewers = models.TextField(help_text="The members of the team who reviewed the school")
    outcome = models.CharField(max_length=24, choices=CharterOutcome.choices)
    conditions = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-reviewed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=CharterOutcome.values),
                name="evaluations_charter_outcome_valid",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="renew_with_conditions") | ~Q(conditions=""),
                name="evaluations_charter_conditions_stated",
            ),
        ]

    def __str__(self) -> str:
        return f"Charter review of {self.contract} on {self.reviewed_on}"

    @property
    def allows_renewal(self) -> bool:
        return self.outcome != CharterOutcome.DO_NOT_RENEW


class CharterFinding(models.Model):
    """One performance requirement of the school's contract (one of its indicators), met or
    not, with the evidence the team looked at."""

    review = models.ForeignKey(CharterReview, on_delete=models.CASCADE, related_name="findings")
    indicator = models.ForeignKey(
        "performance.Indicator", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: the requirement as it read when reviewed (the indicator may change later)
    requirement = models.CharField(max_length=300)
    met = models.BooleanField()
    evidence = models.TextField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.requirement}: {'met' if self.met else 'not met'}"
