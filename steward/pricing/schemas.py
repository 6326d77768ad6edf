"""API schemas for pricing (money as Decimal, serialised as strings)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ninja import Field, Schema


class RateLineOut(Schema):
    number: str
    label: str
    value: str
    formula: str


class RateCalculationIn(Schema):
    program_cost: Decimal
    capacity: Decimal
    units_per_period: Decimal
    utilization_factor: Decimal
    exceptional_reason: str = ""


class RateCalculationOut(Schema):
    id: int
    contract_id: int
    version: int
    program_cost: Decimal
    capacity: Decimal
    units_per_period: Decimal
    utilization_factor: Decimal
    exceptional_reason: str
    total_capacity_purchased: Decimal
    funded_units: Decimal
    unit_rate: Decimal
    maximum_obligation: Decimal
    lines: list[RateLineOut] = []


class PaymentIn(Schema):
    period_start: date
    period_end: date
    units: Decimal
    amount: Decimal
    invoice_number: str = ""
    paid_on: date | None = None


class PaymentOut(Schema):
    id: int
    contract_id: int
    period_start: date
    period_end: date
    invoice_number: str
    units: Decimal
    amount: Decimal
    paid_on: date | None


class FiscalYearBillOutOut(Schema):
    fiscal_year: int
    first: date
    last: date
    obligation: Decimal
    billed: Decimal
    bill_out_date: date | None
    early_by_days: int
    explanation: str


class BillOutOut(Schema):
    billed_to_date: Decimal
    remaining: Decimal
    bill_out_date: date | None = Field(description="None when not reached before the end")
    early: bool
    early_by_days: int
    explanation: str
    reminder: str
    fiscal_years: list[FiscalYearBillOutOut] = Field(
        description="seed 004: billing against each fiscal year's share of the obligation"
    )


class FeeIn(Schema):
    kind: str
    value: Decimal = Decimal("0")
    basis: str = "maximum_obligation"
    year_revenue: Decimal | None = None
    year_expenses: Decimal | None = None


class FeeOut(Schema):
    kind: str
    value: Decimal
    basis: str
    year_revenue: Decimal | None
    year_expenses: Decimal | None
    retainable_fee: Decimal | None = None


class AttachmentIn(Schema):
    required: bool = False
    completed: bool = False
    document_id: int | None = None
    due_with: str = Field(
        "execution", description="`response` (with the bid) or `execution` (seed 004)"
    )


class AttachmentOut(Schema):
    number: int
    title: str
    required: bool
    required_because: str = Field(description="Why it is required (seed 004), or empty")
    due_with: str = Field(description="`response` (with the bid) or `execution`")
    completed: bool
    document_id: int | None
    satisfied: bool
    satisfied_by: str = Field(
        description="What satisfies it: the rate calculation recorded here counts as Attachment 4"
    )
    version: int | None = Field(
        default=None,
        description="The row's version (None before it is first set): send it as "
        '`If-Match: "<version>"`',
    )


class ConsultationIn(Schema):
    consulted_on: date
    consulted_with: str
    waiver_needed: bool = False
    notes: str = ""


class ConsultationOut(ConsultationIn):
    id: int


class PriceLimitsIn(Schema):
    authorised_rate: Decimal | None = None
    lowest_price_to_others: Decimal | None = None
    lowest_price_purchaser: str = ""
    client_resources: Decimal = Decimal("0")
    third_party_payments: Decimal = Decimal("0")
    non_reimbursable_offset: Decimal = Decimal("0")


class PriceLimitsOut(PriceLimitsIn):
    pass


class UtilizationSuggestionOut(Schema):
    factor: Decimal | None = Field(
        description="Suggested utilization factor as a fraction (0.9 is 90%), capped at the "
        "pack's maximum; None when no units delivered are recorded"
    )
    actual: Decimal | None = Field(description="Actual utilization before the cap")
    basis: str
    arithmetic: list[str] = Field(description="Each step of the computation, in words")
