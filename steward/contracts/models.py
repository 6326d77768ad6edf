"""Contracts, their amendments, documents and the due dates the deadline engine produces."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from steward.core.concurrency import Versioned
from steward.core.models import TimeStampedModel


class ContractType(models.TextChoices):
    POS = "pos", "Purchase of service (POS)"
    PSA = "psa", "Personal service agreement (PSA)"
    PROFESSIONAL_SERVICES = "professional_services", "Professional services"
    CHARTER_SCHOOL = "charter_school", "Charter school"
    BLOCK = "block", "Block contract"
    FRAMEWORK = "framework", "Framework / preferred purchaser"
    SPOT = "spot", "Spot purchase"


class CompensationStructure(models.TextChoices):
    UNIT_RATE = "unit_rate", "Unit rate"
    FIXED_PRICE = "fixed_price", "Fixed price"
    COST_REIMBURSEMENT = "cost_reimbursement", "Cost reimbursement"
    PERFORMANCE_BASED = "performance_based", "Performance-based"
    RISK_SHARING = "risk_sharing", "Risk-sharing"
    AUTHORISED_RATE = "authorised_rate", "Authorised (rate-set) price"
    NOT_RECORDED = "not_recorded", "Not recorded (imported from a published register)"


class ProcurementMethod(models.TextChoices):
    TENDERED = "tendered", "Tendered / formal procurement (RFP, RFR)"
    UNDER_THRESHOLD = "under_threshold", "Under the tender threshold"
    QUOTATION = "quotation", "Quotations invited (not tendered)"
    DIRECT_AWARD = "direct_award", "Waiver or direct award (not tendered)"
    FRAMEWORK = "framework", "Call-off from a framework or block contract"
    BEST_VALUE_EXEMPTION = "best_value_exemption", "Best Value exemption (not tendered)"
    SOLE_SOURCE = "sole_source", "Sole source"
    OTHER = "other", "Other"


class AuthorityCategory(models.TextChoices):
    A = "A", "A: immediate access, criteria met"
    B = "B", "B: budget holder or Community Resource Group"
    C = "C", "C: Resource Allocation Group"


class ContractStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    EXECUTED = "executed", "Executed"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    TERMINATED = "terminated", "Terminated"
    EXPIRED = "expired", "Expired"


CLOSED_STATUSES = (ContractStatus.COMPLETED, ContractStatus.TERMINATED, ContractStatus.EXPIRED)


class Contract(Versioned, TimeStampedModel):
    """A contract between an agency and a provider. Status changes only through the
    transition services in `steward.contracts.services`."""

    agency = models.ForeignKey("parties.Agency", on_delete=models.PROTECT, related_name="contracts")
    provider = models.ForeignKey(
        "parties.Provider", on_delete=models.PROTECT, related_name="contracts"
    )
    number = models.CharField(max_length=60, help_text="Unique within the agency")
    title = models.CharField(max_length=250)
    description = models.TextField(blank=True)
    contract_type = models.CharField(max_length=30, choices=ContractType.choices)
    service_type = models.CharField(max_length=120, blank=True)
    object_code = models.CharField(
        max_length=20, blank=True, help_text="Accounting object code (MA: MM3/M03 mark POS)"
    )
    sponsor = models.CharField(max_length=200, blank=True, help_text="Contract sponsor")
    department = models.CharField(
        max_length=200, blank=True, help_text="The department within the agency that holds it"
    )
    contract_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_contracts",
    )
    start_date = models.DateField()
    end_date = models.DateField()
    renewal_options = models.PositiveSmallIntegerField(
        default=0, help_text="Number of options to renew or extend"
    )
    renewal_terms = models.CharField(max_length=250, blank=True)
    renewals_exercised = models.PositiveSmallIntegerField(
        default=0, help_text="Renewal or extension options exercised so far"
    )
    maximum_obligation = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    payments_to_date = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Total payments made to date, as the agency's finance system reports them",
    )
    compensation_structure = models.CharField(max_length=30, choices=CompensationStructure.choices)
    rate_setting = models.BooleanField(
        default=False, help_text="Price set by a rate-setting authority (MA Chapter 257)"
    )
    rate_setting_authority = models.CharField(max_length=120, blank=True)
    procurement_method = models.CharField(max_length=30, choices=ProcurementMethod.choices)
    authority_category = models.CharField(
        max_length=1, choices=AuthorityCategory.choices, blank=True
    )
    status = models.CharField(
        max_length=20, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    executed_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    terminated_on = models.DateField(null=True, blank=True)
    termination_reason = models.TextField(blank=True)
    notes = models.TextField(
        blank=True, help_text="Agency-internal notes (never shown to providers)"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["end_date", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "number"],
                name="contracts_contract_number_unique_in_agency",
                violation_error_message="This agency already has a contract with this number.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="contracts_contract_end_not_before_start",
                violation_error_message="The end date cannot be before the start date.",
            ),
            models.CheckConstraint(
                condition=Q(maximum_obligation__gte=0),
                name="contracts_contract_maximum_obligation_non_negative",
                violation_error_message="The maximum obligation cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ContractStatus.values),
                name="contracts_contract_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(contract_type__in=ContractType.values),
                name="contracts_contract_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(compensation_structure__in=CompensationStructure.values),
                name="contracts_contract_compensation_valid",
            ),
            models.CheckConstraint(
                condition=Q(procurement_method__in=ProcurementMethod.values),
                name="contracts_contract_procurement_valid",
            ),
            models.CheckConstraint(
                condition=Q(authority_category__in=["", *AuthorityCategory.values]),
                name="contracts_contract_authority_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=ContractStatus.DRAFT) | Q(executed_on__isnull=False),
                name="contracts_contract_executed_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=ContractStatus.COMPLETED) | Q(completed_on__isnull=False),
                name="contracts_contract_completed_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=ContractStatus.TERMINATED)
                | Q(terminated_on__isnull=False) & ~Q(termination_reason=""),
                name="contracts_contract_terminated_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(renewals_exercised__lte=F("renewal_options")),
                name="contracts_contract_renewals_within_options",
                violation_error_message="More renewal options exercised than the contract has.",
            ),
            models.CheckConstraint(
                condition=Q(rate_setting=False) | ~Q(rate_setting_authority=""),
                name="contracts_contract_rate_setting_has_authority",
                violation_error_message="Name the rate-setting authority of a rate-set price.",
            ),
        ]
        indexes = [
            # The register and the API list sort by (end_date, id), filtered by agency for
            # agency staff: bench/register.py measured these two as the difference between
            # ~280 ms and ~70 ms p95 at 100,000 contracts on PostgreSQL.
            models.Index(fields=["end_date", "id"], name="contract_end_id_idx"),
            models.Index(fields=["agency", "end_date", "id"], name="contract_agency_end_id_idx"),
            models.Index(fields=["status", "end_date"], name="contract_status_end_idx"),
            models.Index(fields=["provider", "status"], name="contract_provider_status_idx"),
            # The register's other sorts, so that a sorted page (filtered by a common status
            # or not) walks the index and stops at its 50 rows instead of sorting every match:
            # at 1,000,000 contracts "active, largest first, page 3" fell from 2.9 s to
            # milliseconds (docs/performance.md).
            models.Index(fields=["maximum_obligation", "id"], name="contract_obligation_id_idx"),
            models.Index(fields=["start_date", "id"], name="contract_start_id_idx"),
            models.Index(fields=["number", "id"], name="contract_number_id_idx"),
            models.Index(fields=["status", "id"], name="contract_status_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.title}"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def payments_exceed_obligation(self) -> bool:
        """True when the payments to date recorded are above the maximum obligation (a
        published register may show it: payments for an earlier term, or made outside the
        finance system); flagged on the contract's page and in the import's report."""
        paid = self.payments_to_date
        return paid is not None and paid > self.maximum_obligation

    def clean(self) -> None:
        """Attach the rules a person can get wrong to the field to correct (the database
        constraints hold the same rules)."""
        errors: dict[str, str] = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date cannot be before the start date."
        if self.maximum_obligation is not None and self.maximum_obligation < 0:
            errors["maximum_obligation"] = "The maximum obligation cannot be negative."
        if self.rate_setting and not self.rate_setting_authority:
            errors["rate_setting_authority"] = "Name the authority that set the rate."
        if errors:
            raise ValidationError(errors)


class AmendmentKind(models.TextChoices):
    EXTENSION = "extension", "Extension of end date"
    OBLIGATION = "obligation", "Change of maximum obligation"
    EXTENSION_AND_OBLIGATION = "both", "Extension and change of maximum obligation"
    RENEWAL = "renewal", "Renewal option exercised"


class Amendment(TimeStampedModel):
    """A change to a contract's end date and/or maximum obligation, with reason and date.
    Records the values before and after so the register can always be traced back."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="amendments")
    sequence = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=AmendmentKind.choices)
    reference = models.CharField(
        max_length=60,
        blank=True,
        help_text="The item number a published register gives this renewal or amendment",
    )
    effective_on = models.DateField()
    reason = models.TextField()
    previous_end_date = models.DateField()
    new_end_date = models.DateField()
    previous_maximum_obligation = models.DecimalField(max_digits=14, decimal_places=2)
    new_maximum_obligation = models.DecimalField(max_digits=14, decimal_places=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "sequence"], name="contracts_amendment_sequence_unique"
            ),
            models.UniqueConstraint(
                fields=["contract", "reference"],
                condition=~Q(reference=""),
                name="contracts_amendment_reference_unique",
                violation_error_message=(
                    "This contract already has an amendment with this reference."
                ),
            ),
            models.CheckConstraint(
                condition=Q(new_maximum_obligation__gte=0),
                name="contracts_amendment_obligation_non_negative",
            ),
            models.CheckConstraint(
                condition=~Q(reason=""), name="contracts_amendment_reason_required"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=AmendmentKind.values), name="contracts_amendment_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Amendment {self.sequence} to {self.contract.number}"

    @property
    def obligation_change(self):  # type: ignore[no-untyped-def]
        return self.new_maximum_obligation - self.previous_maximum_obligation


class DocumentKind(models.TextChoices):
    MASTER_CONTRACT = "master_contract", "Master contract"
    AMENDMENT = "amendment", "Amendment"
    ATTACHMENT = "attachment", "Attachment"
    OTHER = "other", "Other"


def document_upload_to(instance: ContractDocument, filename: str) -> str:
    return f"contracts/{instance.contract_id}/{instance.sha256[:16]}-{filename}"


class ContractDocument(TimeStampedModel):
    """A document held with a contract (the master contract, attachments). Files are checked
    for type (extension and content signature) and size before they are stored."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=document_upload_to, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    released_to_provider = models.BooleanField(default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DocumentKind.values), name="contracts_document_kind_valid"
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="contracts_document_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title


class DueDateStatus(models.TextChoices):
    OPEN = "open", "Open"
    #: met by the record that fulfils it (linked as `met_by`)
    DONE = "done", "Done"
    #: a window (to appeal, to comment, to ask for a debriefing) that closed unused
    LAPSED = "lapsed", "Closed unused"
    #: marked not needed by a person, with a reason
    NOT_NEEDED = "not_needed", "Not needed"
    #: cancelled by an event (the contract terminated or ended, a newer due date replaced it)
    CANCELLED = "cancelled", "Cancelled"


class DueDate(TimeStampedModel):
    """A deadline: one due date of a registered kind (`steward.contracts.due_kinds`), computed
    by the deadline engine from the agency's pack (or set by the record that created it) and
    stored with the rule and pack that produced it.

    `contract` is empty for an agency-level due date (the report on all services). `provider`
    is the provider concerned (the one that must act, for a provider's kind). `subject` is the
    record the due date is about (the cycle, the evaluation, the return, the meeting), `met_by`
    the record that met it. `assignee` names the one person who must act, where a kind says so
    (an action's owner)."""

    kind = models.CharField(max_length=40)
    agency = models.ForeignKey("parties.Agency", on_delete=models.PROTECT, related_name="due_dates")
    contract = models.ForeignKey(
        Contract, null=True, blank=True, on_delete=models.CASCADE, related_name="due_dates"
    )
    provider = models.ForeignKey(
        "parties.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    rule_key = models.CharField(
        max_length=60, help_text="Unique among the contract's (or agency's) open due dates"
    )
    label = models.CharField(max_length=200)
    pack_slug = models.SlugField(max_length=80)
    pack_version = models.PositiveIntegerField()
    source = models.CharField(max_length=120, help_text="Where the rule comes from (seed)")
    start_date = models.DateField()
    days = models.PositiveIntegerField()
    day_kind = models.CharField(
        max_length=10, choices=[("calendar", "calendar days"), ("working", "working days")]
    )
    due_date = models.DateField()
    status = models.CharField(
        max_length=10, choices=DueDateStatus.choices, default=DueDateStatus.OPEN
    )
    completed_on = models.DateField(null=True, blank=True)
    met_by_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    met_by_id = models.PositiveBigIntegerField(null=True, blank=True)
    met_by = GenericForeignKey("met_by_type", "met_by_id")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    close_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_date__gte=F("start_date")), name="contracts_duedate_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DueDateStatus.values), name="contracts_duedate_status_valid"
            ),
            models.UniqueConstraint(
                fields=["contract", "rule_key"],
                condition=Q(status="open"),
                name="contracts_duedate_one_open_per_rule",
            ),
            models.UniqueConstraint(
                fields=["agency", "rule_key"],
                condition=Q(status="open", contract__isnull=True),
                name="contracts_duedate_one_open_agency_rule",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="duedate_status_due_idx"),
            models.Index(fields=["agency", "status", "due_date"], name="duedate_agency_open_idx"),
            models.Index(fields=["provider", "status"], name="duedate_provider_open_idx"),
            # the oversight officer's kinds (any agency): read by kind, not by scanning every
            # open due date (docs/performance.md)
            models.Index(fields=["kind", "status", "due_date"], name="duedate_kind_open_idx"),
            # the due dates met late, per agency: "which agencies are late with evaluations"
            # asks this index, not every evaluation ever due (docs/performance.md)
            models.Index(
                fields=["agency", "kind"],
                condition=Q(status="done", completed_on__gt=F("due_date")),
                name="duedate_met_late_idx",
            ),
            models.Index(fields=["subject_type", "subject_id"], name="duedate_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.label} by {self.due_date}"

    @property
    def is_open(self) -> bool:
        return self.status == DueDateStatus.OPEN

    def explain(self) -> str:
        """How the date was worked out, in plain words (no rule keys, no seed numbers)."""
        if self.days == 0:
            return f"Set for {self.due_date:%-d %B %Y}"
        kind = "working days" if self.day_kind == "working" else "days"
        return f"{self.days} {kind} from {self.start_date:%-d %B %Y}"


class DueReminder(models.Model):
    """One reminder sent about a due date (so a daily run never sends it twice): `offset` is
    the number of days before the due date it was for (5: days before; 0: on the day; −1: the
    day after, overdue)."""

    due = models.ForeignKey(DueDate, on_delete=models.CASCADE, related_name="reminders")
    offset = models.SmallIntegerField()
    sent_on = models.DateField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["due", "offset"], name="contracts_reminder_once")
        ]

    def __str__(self) -> str:
        return f"Reminder ({self.offset:+d}) of {self.due}"
