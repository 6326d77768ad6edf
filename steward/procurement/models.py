"""Procurement records (seed 004, seed 003): solicitations, bids, scores, notices,
debriefings, bid appeals; authority to purchase, placements and early termination."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from steward.core.models import TimeStampedModel
from steward.procurement.calc import APPEAL_GROUND_LABELS, OTHER_GROUND, AppealGround


class SolicitationStatus(models.TextChoices):
    OPEN = "open", "Open for bids"
    AWARDED = "awarded", "Awarded"
    NOTIFIED = "notified", "Execution notified"


class Solicitation(TimeStampedModel):
    """An RFR / RFP / tender (seed 004) or a non-tendered purchase with its Best Value
    exemption (seed 003)."""

    agency = models.ForeignKey(
        "parties.Agency", on_delete=models.PROTECT, related_name="solicitations"
    )
    reference = models.CharField(max_length=60)
    title = models.CharField(max_length=250)
    service_type = models.CharField(max_length=120, blank=True)
    estimated_value = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    tendering_required = models.BooleanField(default=True)
    best_value_exemption = models.TextField(
        blank=True, help_text="Why a purchase above the threshold is not tendered (seed 003)"
    )
    status = models.CharField(
        max_length=20, choices=SolicitationStatus.choices, default=SolicitationStatus.OPEN
    )
    debriefing_request_days = models.PositiveSmallIntegerField(null=True, blank=True)
    debriefing_meeting_days = models.PositiveSmallIntegerField(null=True, blank=True)
    window_change_reason = models.TextField(blank=True)
    debriefing_contact = models.CharField(
        max_length=250,
        blank=True,
        help_text="Who debriefing requests go to, as the RFR names them (seed 004)",
    )
    appeal_contact = models.CharField(
        max_length=250,
        blank=True,
        help_text="Who appeals go to, as the RFR names them (seed 004)",
    )
    award_reason = models.TextField(
        blank=True, help_text="Why a bid other than the top-ranked one was awarded (seed 004)"
    )
    # SET_NULL, not PROTECT: Bid already PROTECTs its solicitation, and a cycle of PROTECTs
    # could never be deleted (demo reset)
    awarded_bid = models.OneToOneField(
        "Bid", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contract = models.OneToOneField(
        "contracts.Contract",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="solicitation",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "reference"],
                name="procurement_solicitation_reference_unique",
                violation_error_message="This reference is already used in this agency.",
            ),
            models.CheckConstraint(
                condition=Q(estimated_value__gte=0),
                name="procurement_solicitation_value_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(status__in=SolicitationStatus.values),
                name="procurement_solicitation_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"


class Criterion(TimeStampedModel):
    solicitation = models.ForeignKey(
        Solicitation, on_delete=models.CASCADE, related_name="criteria"
    )
    name = models.CharField(max_length=120)
    weight = models.DecimalField(max_digits=6, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["solicitation", "name"], name="procurement_criterion_unique"
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="procurement_criterion_weight"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight})"


class Bid(TimeStampedModel):
    solicitation = models.ForeignKey(Solicitation, on_delete=models.PROTECT, related_name="bids")
    provider = models.ForeignKey("parties.Provider", on_delete=models.PROTECT, related_name="bids")
    price = models.DecimalField(max_digits=14, decimal_places=2)
    received_on = models.DateField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["solicitation", "provider"],
                name="procurement_bid_one_per_provider",
                violation_error_message="This provider has already bid.",
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="procurement_bid_price"),
        ]

    def __str__(self) -> str:
        return f"Bid {self.pk} by {self.provider}"

    @property
    def agency_id(self) -> int:
        return self.solicitation.agency_id


class BidScore(TimeStampedModel):
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bid_scores"
    )
    score = models.DecimalField(max_digits=6, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bid", "criterion", "evaluator"], name="procurement_score_unique"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="procurement_score_range"
            ),
        ]


class ExecutionNotice(TimeStampedModel):
    """seed 004: notification of contract execution, dated, one per bidder."""

    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="notice")
    notified_on = models.DateField()
    successful = models.BooleanField()
    history = HistoricalRecords()


class DebriefingRequest(TimeStampedModel):
    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="debriefing_request")
    requested_on = models.DateField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    meeting_due = models.DateField()
    scheduled_on = models.DateField(
        null=True, blank=True, help_text="When the meeting was scheduled (seed 004: within 14 days)"
    )
    meeting_on = models.DateField(
        null=True, blank=True, help_text="The date the meeting is set for (it may be later)"
    )
    history = HistoricalRecords()


class DebriefingMeeting(TimeStampedModel):
    request = models.OneToOneField(
        DebriefingRequest, on_delete=models.PROTECT, related_name="meeting"
    )
    held_on = models.DateField()
    attendees = models.TextField()
    discussion = models.TextField()
    history = HistoricalRecords()


class AppealStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    UPHELD = "upheld", "Upheld"
    DISMISSED = "dismissed", "Dismissed"
    REFUSED = "refused", "Refused: not on the grounds of appeal, or out of time"


class BidAppeal(TimeStampedModel):
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="appeals")
    lodged_on = models.DateField()
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ground = models.CharField(
        max_length=40,
        choices=[(g.value, APPEAL_GROUND_LABELS[g]) for g in AppealGround]
        + [(OTHER_GROUND, "Another ground")],
    )
    statement = models.TextField()
    status = models.CharField(
        max_length=20, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    decision = models.TextField(blank=True)
    decided_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]


# ------------------------------------------------------------------ authority and placements


class DelegatedLimit(TimeStampedModel):
    """seed 003: the level of funding a budget holder may authorise (category B)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegated_limit"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="procurement_limit_amount")
        ]


class ContractCapacity(TimeStampedModel):
    contract = models.OneToOneField(
        "contracts.Contract", on_delete=models.CASCADE, related_name="capacity"
    )
    places = models.PositiveIntegerField()
    history = HistoricalRecords()


class Authoriser(models.TextChoices):
    CRITERIA_MET = "criteria_met", "Criteria met (category A)"
    BUDGET_HOLDER = "budget_holder", "Budget holder within delegated limit (category B)"
    COMMUNITY_RESOURCE_GROUP = "community_resource_group", "Community Resource Group (category B)"
    RESOURCE_ALLOCATION_GROUP = (
        "resource_allocation_group",
        "Resource Allocation Group (category C)",
    )


class Placement(TimeStampedModel):
    """seed 003: a person (case reference only) placed against a contract."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="placements"
    )
    case_reference = models.CharField(max_length=40)
    category = models.CharField(max_length=1, choices=[("A", "A"), ("B", "B"), ("C", "C")])
    authoriser = models.CharField(max_length=40, choices=Authoriser.choices)
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    specification_of_need = models.TextField(
        help_text="Individual specification of need (Schedule C)"
    )
    start_date = models.DateField()
    anticipated_end = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(anticipated_end__gte=models.F("start_date")),
                name="procurement_placement_end_after_start",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="procurement_placement_amount"),
        ]

    @property
    def agency_id(self) -> int:
        return self.contract.agency_id


class NotificationKind(models.TextChoices):
    START = "start", "Start and anticipated end"
    TERMINATION = "termination", "Termination proforma"


class FinanceNotification(TimeStampedModel):
    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    sent_to = models.TextField()
    subject = models.CharField(max_length=250)
    body = models.TextField()
    history = HistoricalRecords()


class TerminationReview(TimeStampedModel):
    """seed 003: early termination: (a) supply repercussions, (b) contractual capacity to
    terminate, (c) written notice to the provider."""

    contract = models.OneToOneField(
        "contracts.Contract", on_delete=models.PROTECT, related_name="termination_review"
    )
    reason = models.TextField()
    placements_affected = models.TextField(blank=True)
    alternative_providers = models.TextField()
    notice_period_days = models.PositiveIntegerField()
    notice_on = models.DateField()
    effective_on = models.DateField()
    notice_sent = models.BooleanField(default=False)
    history = HistoricalRecords()

    @property
    def agency_id(self) -> int:
        return self.contract.agency_id
