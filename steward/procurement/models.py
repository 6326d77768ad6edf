"""Procurement records (seed 004, seed 003): solicitations, bids, scores, notices,
debriefings, bid appeals; authority to purchase, placements and early termination."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from steward.core.concurrency import Versioned
from steward.core.formatting import fmt_date
from steward.core.models import TimeStampedModel
from steward.procurement.calc import APPEAL_GROUND_LABELS, OTHER_GROUND, AppealGround


class SolicitationStatus(models.TextChoices):
    OPEN = "open", "Open for bids"
    AWARDED = "awarded", "Awarded"
    NOTIFIED = "notified", "Execution notified"


class Solicitation(Versioned, TimeStampedModel):
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
    purchase_of_service = models.BooleanField(
        default=False, help_text="A human and social services (POS) RFR (seed 004)"
    )
    electronic_responses = models.BooleanField(
        default=True, help_text="Responses are submitted electronically (else on paper)"
    )
    issued_on = models.DateField(
        null=True, blank=True, help_text="The day a POS RFR was issued (its checklist complete)"
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


# ------------------------------------------------------------------ the procurement file


def procurement_upload_to(instance: ProcurementDocument, filename: str) -> str:
    return f"procurement/{instance.solicitation_id}/{instance.sha256[:16]}-{filename}"


class ProcurementDocument(TimeStampedModel):
    """A document in the procurement file (seed 004: "All documentation pertaining to appeals
    must be placed in the procurement file"; "Written documentation of who attended and what was
    discussed at the debriefing"): attached to an appeal, to a debriefing, or to an item of the
    RFR's checklist (`checklist_item`). Files are checked for type and size before they are
    stored, as contract documents are."""

    solicitation = models.ForeignKey(
        Solicitation, on_delete=models.PROTECT, related_name="documents"
    )
    appeal = models.ForeignKey(
        BidAppeal, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    debriefing = models.ForeignKey(
        DebriefingRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    checklist_item = models.CharField(max_length=40, blank=True)
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=procurement_upload_to, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="procurement_document_not_empty"),
            models.CheckConstraint(
                condition=(
                    Q(appeal__isnull=False, debriefing__isnull=True, checklist_item="")
                    | Q(appeal__isnull=True, debriefing__isnull=False, checklist_item="")
                    | (Q(appeal__isnull=True, debriefing__isnull=True) & ~Q(checklist_item=""))
                ),
                name="procurement_document_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ProviderFormKind(models.TextChoices):
    TERMS = "terms_conditions", "Commonwealth Terms and Conditions for Human and Social Services"
    SUPPLIER_DIVERSITY = "supplier_diversity", "Supplier Diversity Plan"


class ProviderForm(TimeStampedModel):
    """A signed form a provider has on file (seed 004: the Commonwealth Terms and Conditions for
    Human and Social Services, "if the form is not already on file"; the Supplier Diversity
    Plan form), with the day it stops being valid. Recorded by an agency, whose work list and
    the provider's carry its expiry."""

    provider = models.ForeignKey(
        "parties.Provider", on_delete=models.PROTECT, related_name="forms_on_file"
    )
    agency = models.ForeignKey("parties.Agency", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=ProviderFormKind.choices)
    signed_on = models.DateField()
    expires_on = models.DateField()
    reference = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["provider_id", "kind", "-expires_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ProviderFormKind.values), name="procurement_form_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(expires_on__gt=models.F("signed_on")),
                name="procurement_form_expires_after_signing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (until {fmt_date(self.expires_on)})"


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


class ContractCapacity(Versioned, TimeStampedModel):
    contract = models.OneToOneField(
        "contracts.Contract", on_delete=models.CASCADE, related_name="capacity"
    )
    places = models.PositiveIntegerField()
    history = HistoricalRecords()


class Authoriser(models.TextChoices):
    CRITERIA_MET = "criteria_met", "Criteria met (category A)"
    BUDGET_HOLDER = "budget_holder", "Community Resource Group and a budget holder (category B)"
    COMMUNITY_RESOURCE_GROUP = "community_resource_group", "Community Resource Group (category B)"
    RESOURCE_ALLOCATION_GROUP = (
        "resource_allocation_group",
        "Resource Allocation Group (category C)",
    )


class PlacementStatus(models.TextChoices):
    """seed 003: where a placement is. Category A and B placements start at once (B once a
    budget holder within their limit authorises it); category C ones follow the chain of the
    flow chart: the group decides, the key worker specifies the need, the contract manager
    issues the contract, it is signed."""

    AWAITING_AUTHORISATION = "awaiting_authorisation", "Waiting for a budget holder"
    REFERRED = "referred", "Waiting for the Resource Allocation Group"
    AWAITING_SPECIFICATION = "awaiting_specification", "Waiting for the specification of need"
    AWAITING_CONTRACT = "awaiting_contract", "Waiting for the contract"
    AWAITING_SIGNATURE = "awaiting_signature", "Contract issued, waiting for signature"
    DECLINED = "declined", "Declined by the Resource Allocation Group"
    ACTIVE = "active", "Placed"
    ENDED = "ended", "Ended"


#: statuses that hold (or are about to hold) one of a contract's places
HOLDS_A_PLACE = (
    PlacementStatus.AWAITING_AUTHORISATION,
    PlacementStatus.AWAITING_SIGNATURE,
    PlacementStatus.ACTIVE,
)


class Placement(TimeStampedModel):
    """seed 003: a child (case reference only: personal data stays minimal) placed against a
    contract. A category C placement exists from its referral to the Resource Allocation Group,
    before it has a contract."""

    agency = models.ForeignKey(
        "parties.Agency", on_delete=models.PROTECT, related_name="placements"
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.PROTECT,
        related_name="placements",
        null=True,
        blank=True,
    )
    status = models.CharField(
        max_length=30, choices=PlacementStatus.choices, default=PlacementStatus.ACTIVE
    )
    case_reference = models.CharField(max_length=40)
    category = models.CharField(max_length=1, choices=[("A", "A"), ("B", "B"), ("C", "C")])
    service_type = models.CharField(max_length=120, blank=True)
    provider = models.ForeignKey(
        "parties.Provider", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    authoriser = models.CharField(max_length=40, choices=Authoriser.choices)
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    authorised_on = models.DateField(null=True, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    #: the people: the child's key worker and reviewing officer, the lead professional
    key_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reviewing_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lead_professional = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: category B: the Community Resource Group's decision
    crg_decided_on = models.DateField(null=True, blank=True)
    crg_decision = models.TextField(blank=True)
    #: category C: the lead professional's information for the group, and its decision
    lead_information = models.TextField(blank=True)
    rag_decided_on = models.DateField(null=True, blank=True)
    rag_decision = models.TextField(blank=True)
    rag_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: the Individual Specification of Need (Schedule C): needs, support, review dates (the
    #: outcomes for the child are ChildOutcome rows)
    needs = models.TextField(blank=True, help_text="Individual specification of need (Schedule C)")
    support = models.TextField(blank=True)
    review_dates = models.JSONField(default=list, blank=True)
    specified_on = models.DateField(null=True, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    signed_on = models.DateField(null=True, blank=True)
    over_capacity_reason = models.TextField(blank=True)
    start_date = models.DateField()
    anticipated_end = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    moved_to = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="moved_from"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(anticipated_end__gte=models.F("start_date")),
                name="procurement_placement_end_after_start",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="procurement_placement_amount"),
            models.CheckConstraint(
                condition=Q(status__in=PlacementStatus.values),
                name="procurement_placement_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=HOLDS_A_PLACE) | Q(contract__isnull=False),
                name="procurement_placement_placed_has_contract",
            ),
        ]

    def __str__(self) -> str:
        return f"Placement {self.case_reference}"


class PlanKind(models.TextChoices):
    CHILDS_PLAN = "childs_plan", "Child's Plan"
    IEP = "iep", "Individualised Educational Programme (IEP)"
    CSP = "csp", "Co-ordinated Support Plan"
    CARE_PLAN = "care_plan", "Care Plan"


class ProviderResponsibility(models.TextChoices):
    OUTCOME = "outcome", "The provider achieves the outcome"
    MILESTONES = "milestones", "The provider achieves milestones toward it"


class ChildOutcome(TimeStampedModel):
    """seed 003 §ii: an outcome agreed for the child, linked to the child's plan by reference
    (never the plan itself), with the provider's responsibility stated."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="outcomes")
    outcome = models.TextField()
    plan_kind = models.CharField(max_length=20, choices=PlanKind.choices)
    plan_reference = models.CharField(max_length=60)
    responsibility = models.CharField(max_length=20, choices=ProviderResponsibility.choices)
    milestones = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]


class OutcomeProgress(models.TextChoices):
    ACHIEVED = "achieved", "Achieved"
    ON_TRACK = "on_track", "Progressing"
    NOT_ON_TRACK = "not_on_track", "Not progressing"


class PlacementReview(TimeStampedModel):
    """seed 003: a review of the placement: each outcome's progress and the actions for the
    child."""

    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="reviews")
    held_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    actions = models.TextField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["held_on", "id"]


class OutcomeReview(TimeStampedModel):
    review = models.ForeignKey(PlacementReview, on_delete=models.CASCADE, related_name="outcomes")
    outcome = models.ForeignKey(ChildOutcome, on_delete=models.PROTECT, related_name="reviews")
    progress = models.CharField(max_length=20, choices=OutcomeProgress.choices)
    note = models.TextField(blank=True)
    history = HistoricalRecords()


class NotificationKind(models.TextChoices):
    START = "start", "Start and anticipated end"
    TERMINATION = "termination", "Termination proforma"
    CONTRACT_DATES = "contract_dates", "Contract start and anticipated end"
    ISSUED = "issued", "Contract issued"
    SIGNED = "signed", "Contract signed"
    NOTICE = "notice", "Notice of early termination"


class FinanceNotification(TimeStampedModel):
    """A notice sent (seed 003 roles table): to Finance (the agency's finance officers), to the
    contract manager, the key worker, the reviewing officer, the group's administrator or the
    provider. Kept with who it went to; Finance acknowledges the ones sent to it."""

    agency = models.ForeignKey("parties.Agency", on_delete=models.PROTECT, related_name="+")
    placement = models.ForeignKey(
        Placement, on_delete=models.PROTECT, related_name="notifications", null=True, blank=True
    )
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    sent_to = models.TextField()
    to_finance = models.BooleanField(default=False)
    subject = models.CharField(max_length=250)
    body = models.TextField()
    acknowledged_on = models.DateField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]


class TerminationStatus(models.TextChoices):
    REQUESTED = "requested", "Requested by the lead professional"
    DECLINED = "declined", "Declined by the contract manager"
    REVIEWED = "reviewed", "Reviewed: supply and contractual capacity"
    NOTICE_SENT = "notice_sent", "Notice sent to the provider"
    EFFECTIVE = "effective", "Taken effect"


class TerminationReview(TimeStampedModel):
    """seed 003: early termination: requested by the lead professional; the contract manager
    reviews (a) supply repercussions, (b) the contractual capacity to terminate, and (c)
    advises the provider in writing (the notice is sent and kept)."""

    contract = models.OneToOneField(
        "contracts.Contract", on_delete=models.PROTECT, related_name="termination_review"
    )
    status = models.CharField(
        max_length=20, choices=TerminationStatus.choices, default=TerminationStatus.REVIEWED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_on = models.DateField(null=True, blank=True)
    request_reason = models.TextField(blank=True)
    response = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    placements_affected = models.TextField(blank=True)
    alternative_providers = models.TextField(blank=True)
    capacity_clause = models.TextField(
        blank=True, help_text="The contract's terms that allow the termination"
    )
    notice_period_days = models.PositiveIntegerField(null=True, blank=True)
    notice_on = models.DateField(null=True, blank=True)
    effective_on = models.DateField(null=True, blank=True)
    notice_sent = models.BooleanField(default=False)
    notice_sent_to = models.TextField(blank=True)
    notice_text = models.TextField(blank=True)
    history = HistoricalRecords()

    @property
    def agency_id(self) -> int:
        return self.contract.agency_id


class PromotionRisk(models.TextChoices):
    LOW = "low", "Low: not promoted beyond the providers approached"
    MEDIUM = "medium", "Medium: quotations invited from several providers"
    HIGH = "high", "High: advertised as if above the threshold"


class ProcurementRecord(TimeStampedModel):
    """seed 003 3(A)iii-iv: how a contract was procured, beside its procurement method: the
    Best Value analysis that showed it need not be tendered (written here, or a document held
    with the contract), where the opportunity was advertised (the Council's website, Public
    Contracts Scotland), and, for an opportunity under the threshold, the risk assessment of
    how far it should be promoted."""

    contract = models.OneToOneField(
        "contracts.Contract", on_delete=models.CASCADE, related_name="procurement_record"
    )
    best_value_analysis = models.TextField(
        blank=True, help_text="The Best Value analysis showing the contract need not be tendered"
    )
    best_value_document = models.ForeignKey(
        "contracts.ContractDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The Best Value analysis as a document held with the contract",
    )
    advertised_on_council_website = models.BooleanField(default=False)
    advertised_on_pcs = models.BooleanField(
        "advertised on Public Contracts Scotland", default=False
    )
    advertised_on = models.DateField(null=True, blank=True)
    advertisement_reference = models.CharField(max_length=120, blank=True)
    promotion_risk = models.CharField(max_length=10, choices=PromotionRisk.choices, blank=True)
    risk_assessment = models.TextField(
        blank=True, help_text="Under the threshold: how far the opportunity was promoted, and why"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(promotion_risk__in=["", *PromotionRisk.values]),
                name="procurement_record_promotion_risk_valid",
            ),
            models.CheckConstraint(
                condition=Q(promotion_risk="") | ~Q(risk_assessment=""),
                name="procurement_record_risk_has_reasons",
                violation_error_message="Say why, with the risk of the opportunity.",
            ),
        ]

    @property
    def agency_id(self) -> int:
        return self.contract.agency_id

    @property
    def advertised(self) -> bool:
        return self.advertised_on_council_website or self.advertised_on_pcs

    @property
    def risk_assessed(self) -> bool:
        return bool(self.promotion_risk and self.risk_assessment.strip())
