"""Pricing services (seed 004): every write checks `pricing.change_pricing` on the contract,
validates, and saves with an audit row."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from steward.contracts.models import Contract
from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.services import require_perm, save_audited
from steward.pricing import calc
from steward.pricing.models import (
    CommercialFee,
    Payment,
    PosAttachment,
    PriceLimits,
    RateCalculation,
    RiskSharingConsultation,
)

PERM = "pricing.change_pricing"


def _fail(exc: calc.PricingError) -> ValidationFailed:
    return ValidationFailed(exc.message, errors={exc.field: [exc.message]})


def compute(
    *,
    contract: Contract,
    program_cost: Decimal,
    capacity: Decimal,
    units_per_period: Decimal,
    utilization_factor: Decimal,
    exceptional_reason: str = "",
) -> calc.RateResult:
    """Run the Attachment 4 calculation for `contract` with its pack's utilization range and
    its price limits (authorised rate where rate-set, lowest price, reductions, offsets)."""
    util = contract.agency.pack.parsed.utilization
    limits = PriceLimits.objects.filter(contract=contract).first()
    authorised = None
    if contract.rate_setting and limits and limits.authorised_rate is not None:
        authorised = limits.authorised_rate
    if contract.rate_setting and (authorised is None or not contract.rate_setting_authority):
        # seed 004: "Departments must use prices ... established pursuant to an independent
        # price setting authority" (Chapter 257 of 2008): never a rate computed here
        message = (
            "This contract is rate-set: record the authorised rate and the authority that set "
            "it (its source) before the rate calculation; a rate computed here is not used "
            "(Chapter 257 of the Acts of 2008)."
        )
        raise TransitionNotAllowed(message, errors={"authorised_rate": [message]})
    try:
        return calc.calculate_rate(
            currency=contract.currency,
            program_cost=program_cost,
            capacity=capacity,
            units_per_period=units_per_period,
            utilization_factor=utilization_factor,
            reasonable_min=util.reasonable_min,
            maximum=util.maximum,
            exceptional_reason=exceptional_reason,
            non_reimbursable=limits.non_reimbursable_offset if limits else calc.ZERO,
            authorised_rate=authorised,
            authority=contract.rate_setting_authority,
            lowest_price_to_others=limits.lowest_price_to_others if limits else None,
            client_resources=limits.client_resources if limits else calc.ZERO,
            third_party_payments=limits.third_party_payments if limits else calc.ZERO,
        )
    except calc.PricingError as exc:
        raise _fail(exc) from exc


@transaction.atomic
def rate_calculation_create(
    *,
    actor: Any,
    contract: Contract,
    program_cost: Decimal,
    capacity: Decimal,
    units_per_period: Decimal,
    utilization_factor: Decimal,
    exceptional_reason: str = "",
) -> RateCalculation:
    """Record a new version of the contract's rate calculation (seed 004, POS Attachment 4).
    Refused when the utilization factor is out of range (below 85% without an exceptional
    reason), or the rate exceeds the provider's lowest price to others; for a rate-set contract
    until its authorised rate and the authority that set it are recorded (TransitionNotAllowed:
    the rate is then the authorised one, never a computed one)."""
    require_perm(actor, PERM, contract, action="record a rate calculation")
    result = compute(
        contract=contract,
        program_cost=program_cost,
        capacity=capacity,
        units_per_period=units_per_period,
        utilization_factor=utilization_factor,
        exceptional_reason=exceptional_reason,
    )
    limits = PriceLimits.objects.filter(contract=contract).first()
    last = (
        RateCalculation.objects.select_for_update()
        .filter(contract=contract)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    rc = RateCalculation(
        contract=contract,
        version=(last or 0) + 1,
        program_cost=result.program_cost,
        non_reimbursable=result.non_reimbursable,
        capacity=capacity,
        units_per_period=units_per_period,
        utilization_factor=utilization_factor,
        exceptional_reason=exceptional_reason.strip(),
        client_resources=limits.client_resources if limits else calc.ZERO,
        third_party_payments=limits.third_party_payments if limits else calc.ZERO,
        total_capacity_purchased=result.total_capacity_purchased,
        funded_units=result.funded_units,
        unit_rate=result.unit_rate,
        maximum_obligation=result.maximum_obligation,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    save_audited(rc, actor=actor, reason=f"Rate calculation version {rc.version}")
    return rc


@transaction.atomic
def commercial_fee_set(
    *,
    actor: Any,
    contract: Contract,
    kind: str,
    value: Decimal = calc.ZERO,
    basis: str = "maximum_obligation",
    year_revenue: Decimal | None = None,
    year_expenses: Decimal | None = None,
) -> CommercialFee:
    """State the contract's commercial fee (seed 004): zero, a percentage or an amount, and its
    basis. A cost-reimbursement contract cannot carry a non-zero fee."""
    require_perm(actor, PERM, contract, action="state the commercial fee")
    if kind == "zero":
        value = calc.ZERO
    elif value <= 0:
        raise ValidationFailed(
            "A percentage or amount fee must be more than zero (or state zero).",
            errors={"value": ["Enter a fee more than zero, or choose zero."]},
        )
    if kind == "percentage" and value > 100:
        raise ValidationFailed(
            "A percentage cannot exceed 100.", errors={"value": ["At most 100."]}
        )
    problems = calc.fee_problems(
        for_profit=bool(contract.provider.for_profit),
        compensation_structure=contract.compensation_structure,
        fee_kind=kind,
        fee_value=value,
    )
    if problems:
        raise ValidationFailed(problems[0], errors={"kind": problems})
    fee = CommercialFee.objects.filter(contract=contract).first() or CommercialFee(
        contract=contract
    )
    fee.kind, fee.value, fee.basis = kind, value, basis
    fee.year_revenue, fee.year_expenses = year_revenue, year_expenses
    save_audited(fee, actor=actor, reason="Commercial fee stated")
    return fee


def fee_retainable(fee: CommercialFee, total_payments: Decimal) -> calc.RetainableFee | None:
    """The retainable fee at year end, once revenue and expenses are recorded (seed 004)."""
    if fee.year_revenue is None or fee.year_expenses is None:
        return None
    return calc.retainable_fee(
        currency=fee.contract.currency,
        fee_kind=fee.kind,
        fee_value=fee.value,
        basis=fee.basis,
        maximum_obligation=fee.contract.maximum_obligation,
        total_payments=total_payments,
        revenue=fee.year_revenue,
        expenses=fee.year_expenses,
    )


@transaction.atomic
def payment_record(
    *,
    actor: Any,
    contract: Contract,
    period_start: date,
    period_end: date,
    units: Decimal,
    amount: Decimal,
    invoice_number: str = "",
    paid_on: date | None = None,
) -> Payment:
    """Record an invoice paid for a period (units and amount)."""
    require_perm(actor, PERM, contract, action="record a payment")
    if period_end < period_start:
        raise ValidationFailed(
            "The period must end on or after its start.",
            errors={"period_end": ["The period must end on or after its start."]},
        )
    payment = Payment(
        contract=contract,
        period_start=period_start,
        period_end=period_end,
        units=units,
        amount=calc.money(amount),
        invoice_number=invoice_number,
        paid_on=paid_on,
    )
    save_audited(payment, actor=actor, reason="Payment recorded")
    return payment


@transaction.atomic
def price_limits_set(
    *,
    actor: Any,
    contract: Contract,
    authorised_rate: Decimal | None = None,
    lowest_price_to_others: Decimal | None = None,
    lowest_price_purchaser: str = "",
    client_resources: Decimal = calc.ZERO,
    third_party_payments: Decimal = calc.ZERO,
    non_reimbursable_offset: Decimal = calc.ZERO,
) -> PriceLimits:
    """Record the compensation limits (seed 004). An authorised rate needs a rate-set
    contract; the latest rate calculation may not exceed the lowest price to others."""
    require_perm(actor, PERM, contract, action="record price limits")
    if authorised_rate is not None and not contract.rate_setting:
        raise ValidationFailed(
            "Only a rate-set contract has an authorised price.",
            errors={"authorised_rate": ["Mark the contract rate-set first."]},
        )
    latest = RateCalculation.objects.filter(contract=contract).order_by("-version").first()
    if (
        latest is not None
        and lowest_price_to_others is not None
        and latest.unit_rate > lowest_price_to_others
    ):
        message = (
            f"The current unit rate {calc.fmt_money(latest.unit_rate, contract.currency)} is "
            "higher than the lowest price to other purchasers; the Commonwealth must receive the "
            "lowest price."
        )
        raise ValidationFailed(message, errors={"lowest_price_to_others": [message]})
    limits = PriceLimits.objects.filter(contract=contract).first() or PriceLimits(contract=contract)
    limits.authorised_rate = authorised_rate
    limits.lowest_price_to_others = lowest_price_to_others
    limits.lowest_price_purchaser = lowest_price_purchaser
    limits.client_resources = client_resources
    limits.third_party_payments = third_party_payments
    limits.non_reimbursable_offset = non_reimbursable_offset
    save_audited(limits, actor=actor, reason="Price limits recorded")
    return limits


@transaction.atomic
def risk_consultation_record(
    *,
    actor: Any,
    contract: Contract,
    consulted_on: date,
    consulted_with: str,
    waiver_needed: bool = False,
    notes: str = "",
) -> RiskSharingConsultation:
    """Record the consultation with OSD and the Secretariat a risk-sharing structure needs
    before execution (seed 004)."""
    require_perm(actor, PERM, contract, action="record a consultation")
    row = RiskSharingConsultation(
        contract=contract,
        consulted_on=consulted_on,
        consulted_with=consulted_with,
        waiver_needed=waiver_needed,
        notes=notes,
    )
    save_audited(row, actor=actor, reason="Risk-sharing consultation recorded")
    return row


@transaction.atomic
def attachment_set(
    *,
    actor: Any,
    contract: Contract,
    number: int,
    required: bool,
    completed: bool = False,
    document_id: int | None = None,
    due_with: str = "execution",
) -> PosAttachment:
    """Set one POS attachment (1–6) on the checklist (seed 004). Attachment 1 is always
    required; the document must be one of this contract's documents."""
    require_perm(actor, PERM, contract, action="change the POS attachments")
    if number not in calc.ATTACHMENTS:
        raise ValidationFailed("No such attachment.", errors={"number": ["Choose 1 to 6."]})
    if due_with not in calc.DUE_WITH:
        raise ValidationFailed(
            "Choose when it is due.", errors={"due_with": ["With the bid or at execution."]}
        )
    if document_id is not None and not contract.documents.filter(pk=document_id).exists():
        raise ValidationFailed(
            "That document is not on this contract.", errors={"document": ["Not on this contract."]}
        )
    row = PosAttachment.objects.filter(contract=contract, number=number).first() or PosAttachment(
        contract=contract, number=number
    )
    row.required = required or number == 1
    row.completed = completed
    row.document_id = document_id
    row.due_with = due_with
    save_audited(row, actor=actor, reason=f"POS Attachment {number} updated")
    return row
