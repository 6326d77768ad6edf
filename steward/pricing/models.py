"""Pricing records of a contract (seed 004, Massachusetts Appendix F): rate calculations,
the commercial fee, payments, compensation limits, risk-sharing consultations and the POS
attachment checklist."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from steward.core.concurrency import Versioned
from steward.core.models import TimeStampedModel


def money_field(**kwargs: Any) -> models.DecimalField:
    """A dollars-and-cents amount (Decimal, 2 places)."""
    return models.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class RateCalculation(TimeStampedModel):
    """One version of a contract's POS Attachment 4 rate calculation (seed 004). The inputs are
    stored; the results are the calc module's, stored so that lists and exports need no
    recomputation."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="rate_calculations"
    )
    version = models.PositiveIntegerField()
    program_cost = money_field()
    non_reimbursable = money_field(default=0)
    capacity = models.DecimalField(max_digits=10, decimal_places=2)
    units_per_period = models.DecimalField(max_digits=10, decimal_places=2)
    utilization_factor = models.DecimalField(
        max_digits=5, decimal_places=4, help_text="A fraction: 0.8500 is 85%"
    )
    exceptional_reason = models.TextField(blank=True)
    client_resources = money_field(default=0)
    third_party_payments = money_field(default=0)
    total_capacity_purchased = models.DecimalField(max_digits=16, decimal_places=4)
    funded_units = models.DecimalField(max_digits=18, decimal_places=6)
    unit_rate = money_field()
    maximum_obligation = money_field()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "version"], name="pricing_ratecalc_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(utilization_factor__gt=0) & Q(utilization_factor__lte=1),
                name="pricing_ratecalc_factor_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Rate calculation v{self.version}"


class FeeKind(models.TextChoices):
    ZERO = "zero", "Zero (no commercial fee)"
    PERCENTAGE = "percentage", "Percentage"
    AMOUNT = "amount", "Dollar amount"


class FeeBasis(models.TextChoices):
    MAXIMUM_OBLIGATION = "maximum_obligation", "Maximum obligation"
    TOTAL_PAYMENTS = "total_payments", "Total payments"
    SHARE_OF_SURPLUS = "share_of_surplus", "Share of surplus"


class CommercialFee(Versioned, TimeStampedModel):
    """The commercial fee (earnings allowance) stated for a contract (seed 004,
    808 CMR 1.03(6)); year-end revenue and expenses give the retainable fee."""

    contract = models.OneToOneField(
        "contracts.Contract", on_delete=models.PROTECT, related_name="commercial_fee"
    )
    kind = models.CharField(max_length=20, choices=FeeKind.choices)
    value = money_field(default=0, help_text="Percent or dollars")
    basis = models.CharField(
        max_length=30, choices=FeeBasis.choices, default=FeeBasis.MAXIMUM_OBLIGATION
    )
    year_revenue = money_field(null=True, blank=True)
    year_expenses = money_field(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="pricing_fee_value_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=FeeKind.values), name="pricing_fee_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(basis__in=FeeBasis.values), name="pricing_fee_basis_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} fee"


class Payment(TimeStampedModel):
    """An invoice paid for one period: units billed and the amount (seed 004; cross-referenced
    with units delivered from the returns, seed 003)."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="payments"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    invoice_number = models.CharField(max_length=60, blank=True)
    units = models.DecimalField(max_digits=12, decimal_places=2)
    amount = money_field()
    paid_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract_id", "period_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="pricing_payment_period_order",
            ),
            models.CheckConstraint(
                condition=Q(units__gte=0) & Q(amount__gte=0), name="pricing_payment_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"


class PriceLimits(Versioned, TimeStampedModel):
    """Compensation limits on a contract (seed 004): authorised rate-set price (used where the
    contract is rate-set), the provider's lowest price to other purchasers, and client resources
    and third-party payments reducing the obligation."""

    contract = models.OneToOneField(
        "contracts.Contract", on_delete=models.PROTECT, related_name="price_limits"
    )
    authorised_rate = money_field(null=True, blank=True)
    lowest_price_to_others = money_field(null=True, blank=True)
    lowest_price_purchaser = models.CharField(max_length=200, blank=True)
    client_resources = money_field(default=0)
    third_party_payments = money_field(default=0)
    non_reimbursable_offset = money_field(default=0)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return "Price limits"


class RiskSharingConsultation(TimeStampedModel):
    """seed 004: a department consults OSD and its Secretariat before using risk sharing."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="risk_consultations"
    )
    consulted_on = models.DateField()
    consulted_with = models.CharField(max_length=200, help_text="OSD and the Secretariat")
    waiver_needed = models.BooleanField(default=False, help_text="808 CMR 1.00 waiver")
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-consulted_on"]

    def __str__(self) -> str:
        return f"Consultation {self.consulted_on:%Y-%m-%d}"


class PosAttachment(Versioned, TimeStampedModel):
    """One of POS attachments 1–6 on a contract's checklist (seed 004): required or not, and
    satisfied by an uploaded contract document or marked completed."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="pos_attachments"
    )
    number = models.PositiveSmallIntegerField()
    required = models.BooleanField(default=False)
    due_with = models.CharField(
        max_length=20,
        choices=[("response", "With the bid"), ("execution", "At contract execution")],
        default="execution",
    )
    completed = models.BooleanField(default=False)
    document = models.ForeignKey(
        "contracts.ContractDocument",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"], name="pricing_attachment_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1) & Q(number__lte=6), name="pricing_attachment_number"
            ),
        ]

    @property
    def satisfied(self) -> bool:
        return self.completed or self.document_id is not None

    def __str__(self) -> str:
        return f"POS Attachment {self.number}"
