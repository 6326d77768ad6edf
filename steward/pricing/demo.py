"""Demo pricing records (added through the services) for Massachusetts demo contracts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from steward.pricing import execution_checks, services
from steward.pricing.models import CommercialFee


def extend_demo(ctx: Any) -> dict[str, int]:
    counts = {"rate calculations": 0, "commercial fees": 0, "payments": 0}
    actor = ctx.admin
    plans = [
        ("DMH-POS-3104", Decimal("1200000"), Decimal("12"), Decimal("365"), Decimal("0.9")),
        ("DMH-POS-3098", Decimal("850000"), Decimal("8"), Decimal("365"), Decimal("0.85")),
        ("DMH-POS-3121", Decimal("420000"), Decimal("30"), Decimal("250"), Decimal("0.95")),
    ]
    for number, cost, capacity, units, factor in plans:
        contract = ctx.contracts.get(number)
        if contract is None:
            continue
        if contract.rate_setting:
            # seed 004 (Chapter 257): a rate-set contract uses the authorised rate
            services.price_limits_set(
                actor=actor,
                contract=contract,
                authorised_rate=(cost / (capacity * units * factor)).quantize(Decimal("0.01")),
            )
        rc = services.rate_calculation_create(
            actor=actor,
            contract=contract,
            program_cost=cost,
            capacity=capacity,
            units_per_period=units,
            utilization_factor=factor,
        )
        counts["rate calculations"] += 1
        # monthly invoices up to today, billing a little faster than funded (bill-out early)
        start = contract.start_date
        month_units = (rc.funded_units / 12 * Decimal("1.1")).quantize(Decimal("0.01"))
        for i in range(6):
            period_start = start + timedelta(days=30 * i)
            period_end = period_start + timedelta(days=29)
            if period_end >= ctx.today:
                break
            services.payment_record(
                actor=actor,
                contract=contract,
                period_start=period_start,
                period_end=period_end,
                units=month_units,
                amount=month_units * rc.unit_rate,
                invoice_number=f"{number}-{i + 1:02d}",
                paid_on=period_end + timedelta(days=20),
            )
            counts["payments"] += 1
    counts["commercial fees"] = CommercialFee.objects.filter(
        contract__in=list(ctx.contracts.values())
    ).count()
    return counts


def prepare_for_execution(contract: Any, manager: Any) -> None:
    """Before a demo contract is executed: what seed 004 asks of a Massachusetts POS contract.
    Attachments 1 (and 3 where the fee or cost reimbursement needs it) are completed; a
    for-profit provider's fee is stated (3 % of the maximum obligation; zero on a
    cost-reimbursement contract, which may carry none)."""
    if not (execution_checks.is_massachusetts(contract) and execution_checks.is_pos(contract)):
        return
    services.attachment_set(
        actor=manager, contract=contract, number=1, required=True, completed=True
    )
    if contract.provider.for_profit:
        if contract.compensation_structure == "cost_reimbursement":
            services.commercial_fee_set(actor=manager, contract=contract, kind="zero")
        else:
            services.commercial_fee_set(
                actor=manager, contract=contract, kind="percentage", value=Decimal("3")
            )
    if contract.compensation_structure == "cost_reimbursement" or contract.provider.for_profit:
        # seed 004: the program budget (Attachment 3) of a cost-reimbursement contract, and
        # where the commercial fee is noted
        services.attachment_set(
            actor=manager, contract=contract, number=3, required=True, completed=True
        )
