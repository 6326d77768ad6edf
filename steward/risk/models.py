"""The concerns log and the red/amber/green risk assessment (seeds 002 stage 1, 003)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from steward.core.concurrency import Versioned
from steward.core.models import TimeStampedModel


class ConcernKind(models.TextChoices):
    CONCERN = "concern", "Concern"
    COMPLAINT = "complaint", "Complaint"
    COMPLIMENT = "compliment", "Compliment"
    NOTIFICATION = "notification", "Notification"


class ConcernSource(models.TextChoices):
    SERVICE_USER = "service_user", "Service user"
    FAMILY = "family", "Family or carer"
    STAFF = "staff", "Staff"
    OTHER_AGENCY = "other_agency", "Other agency"
    INSPECTOR = "inspector", "Inspector"
    ANONYMOUS = "anonymous", "Anonymous"


class ConcernChannel(models.TextChoices):
    PHONE = "phone", "Telephone"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online form"
    VISIT = "visit", "During a monitoring visit"
    OTHER = "other", "Other"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


HIGH_SEVERITIES = (Severity.HIGH, Severity.CRITICAL)


class ConcernStatus(models.TextChoices):
    OPEN = "open", "Open"
    PROVIDER_PROCEDURE = "provider_procedure", "With the provider's complaints procedure"
    INVESTIGATING = "investigating", "Under investigation"
    REFERRED = "referred", "Referred"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed (information only)"


CLOSED_STATUSES = (ConcernStatus.RESOLVED, ConcernStatus.CLOSED)


class ReferralParty(models.TextChoices):
    COMPLAINTS_OFFICER = "complaints_officer", "Complaints officer"
    LICENSING = "licensing", "Licensing or registration body"
    POLICE = "police", "Police"
    SAFEGUARDING = "safeguarding", "Safeguarding team"
    OTHER = "other", "Other"


class ConcernCategory(TimeStampedModel):
    """A pre-agreed concern category kept by an agency (seed 003); `financial` marks the
    categories counted as financial concerns in the risk assessment."""

    agency = models.ForeignKey(
        "parties.Agency", on_delete=models.CASCADE, related_name="concern_categories"
    )
    code = models.SlugField(max_length=60)
    name = models.CharField(max_length=120)
    financial = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    order = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency_id", "order", "name"]
        verbose_name_plural = "concern categories"
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="risk_category_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Concern(Versioned, TimeStampedModel):
    """A concern, complaint, compliment or notification about a provider or one of its
    contracts (seed 003 "Reactive monitoring"). The person who raised it is held only as a case
    reference; provider users never see it, nor the source or channel."""

    agency = models.ForeignKey("parties.Agency", on_delete=models.PROTECT, related_name="concerns")
    provider = models.ForeignKey(
        "parties.Provider", on_delete=models.PROTECT, related_name="concerns"
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.PROTECT,
        related_name="concerns",
        null=True,
        blank=True,
    )
    kind = models.CharField(max_length=20, choices=ConcernKind.choices)
    received_on = models.DateField()
    source = models.CharField(max_length=20, choices=ConcernSource.choices)
    channel = models.CharField(max_length=20, choices=ConcernChannel.choices)
    category = models.ForeignKey(ConcernCategory, on_delete=models.PROTECT, related_name="+")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    summary = models.CharField(max_length=200)
    description = models.TextField()
    wants_action = models.BooleanField(
        default=True, help_text="Untick when the person is only giving information."
    )
    complainant_reference = models.CharField(
        max_length=60,
        blank=True,
        help_text="A case reference for the person who raised it, not their name.",
    )
    status = models.CharField(
        max_length=20, choices=ConcernStatus.choices, default=ConcernStatus.OPEN
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    provider_procedure_started_on = models.DateField(null=True, blank=True)
    provider_procedure_due_on = models.DateField(null=True, blank=True)
    provider_procedure_outcome = models.TextField(blank=True)
    provider_procedure_resolved_on = models.DateField(null=True, blank=True)
    resolved_on = models.DateField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["contract", "received_on"], name="risk_concern_contract_idx"),
            models.Index(
                fields=["provider", "agency", "received_on"], name="risk_concern_provider_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ConcernKind.values), name="risk_concern_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(severity__in=Severity.values), name="risk_concern_severity_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ConcernStatus.values), name="risk_concern_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.received_on}: {self.summary}"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class ConcernReferral(TimeStampedModel):
    """A referral of a concern to another party (seed 003), with its date and outcome."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="referrals")
    party = models.CharField(max_length=30, choices=ReferralParty.choices)
    referred_on = models.DateField()
    outcome = models.TextField(blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["referred_on", "id"]


class RiskRating(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"


class MonitoringLevel(models.TextChoices):
    LIGHT = "light", "Light (desk only)"
    STANDARD = "standard", "Standard"
    ENHANCED = "enhanced", "Enhanced (visit required)"


class RiskAssessment(TimeStampedModel):
    """One desk risk assessment of a contract (seeds 002 stage 1, 003): the computed rating,
    score, every reason and the signals it was computed from, the previous rating for the
    trend, and an optional override by a contract manager with a written reason. An override
    belongs to its assessment: the next assessment starts from the computed rating again."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="risk_assessments"
    )
    as_of = models.DateField()
    computed_rating = models.CharField(max_length=10, choices=RiskRating.choices)
    score = models.IntegerField()
    reasons = models.JSONField(default=list, blank=True)
    signals = models.JSONField(default=dict, blank=True)
    previous_rating = models.CharField(max_length=10, choices=RiskRating.choices, blank=True)
    override_rating = models.CharField(max_length=10, choices=RiskRating.choices, blank=True)
    override_reason = models.TextField(blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    overridden_at = models.DateTimeField(null=True, blank=True)
    monitoring_level = models.CharField(max_length=10, choices=MonitoringLevel.choices)
    reviewed_on = models.DateField(
        null=True, blank=True, help_text="When a contract manager reviewed this assessment."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-as_of", "-id"]
        get_latest_by = ["as_of", "id"]
        indexes = [models.Index(fields=["contract", "-as_of", "-id"], name="risk_assess_latest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(override_rating="") | ~Q(override_reason=""),
                name="risk_override_needs_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.as_of}: {self.rating}"

    @classmethod
    def latest_for(cls, contract_id: int) -> RiskAssessment | None:
        """The contract's current assessment (the latest by date, then by id), or None. No
        permission check: callers check who may read or act on it."""
        return cls.objects.filter(contract_id=contract_id).order_by("-as_of", "-id").first()

    @property
    def rating(self) -> str:
        """The rating that applies: the override when there is one, else the computed one."""
        return self.override_rating or self.computed_rating


class ConcernComment(TimeStampedModel):
    """seed 003: "Deciding what opportunities providers have to comment on the accuracy of
    performance assessments": the provider's comment on the factual accuracy of a concern
    about it. The provider never sees who raised the concern (nor its source or channel)."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="provider_comments")
    provider = models.ForeignKey("parties.Provider", on_delete=models.PROTECT, related_name="+")
    comment = models.TextField()
    commented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    commented_on = models.DateField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["commented_on", "id"]


class RiskAssessmentComment(TimeStampedModel):
    """seed 003: "Deciding what opportunities providers have to comment on the accuracy of
    performance assessments": the provider's comment on the factual accuracy of a risk
    assessment of its contract (its rating and the factors counted). Kept with the assessment
    and shown to staff; the provider never sees a concern's source or who raised it."""

    assessment = models.ForeignKey(
        RiskAssessment, on_delete=models.CASCADE, related_name="provider_comments"
    )
    provider = models.ForeignKey("parties.Provider", on_delete=models.PROTECT, related_name="+")
    comment = models.TextField()
    commented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    commented_on = models.DateField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["commented_on", "id"]

    def __str__(self) -> str:
        return f"Provider comment on assessment {self.assessment_id} ({self.commented_on})"
