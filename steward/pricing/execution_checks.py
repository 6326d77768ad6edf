"""Execution checks (seed 004), registered with `steward.contracts.hooks`.

They apply to contracts of agencies on the Massachusetts pack (`massachusetts-osd`, or a copy
of it): the commercial fee and POS attachments are Massachusetts rules.
- a for-profit provider's contract without a stated fee is refused;
- a cost-reimbursement contract with a non-zero fee is refused;
- a risk-sharing contract without a recorded consultation is refused;
- a required POS attachment that is neither uploaded nor completed refuses execution. The
  checklist applies to purchase-of-service contracts (contract type POS, or object code MM3 /
  M03); Attachment 1 is always required at execution.
"""

from __future__ import annotations

from typing import Any

from steward.pricing import calc

MASSACHUSETTS_PACK = "massachusetts-osd"
POS_OBJECT_CODES = ("MM3", "M03")


def is_massachusetts(contract: Any) -> bool:
    """True when the contract's agency follows the Massachusetts pack or a copy of it."""
    pack = contract.agency.pack
    seen = 0
    while pack is not None and seen < 10:
        if pack.slug == MASSACHUSETTS_PACK:
            return True
        pack = pack.copied_from
        seen += 1
    return False


def is_pos(contract: Any) -> bool:
    return contract.contract_type == "pos" or contract.object_code.upper() in POS_OBJECT_CODES


def pricing_execution_problems(contract: Any) -> list[str]:
    """Every seed 004 reason `contract` cannot be executed yet (Massachusetts only)."""
    from steward.pricing.models import CommercialFee, PosAttachment, RiskSharingConsultation

    if not is_massachusetts(contract):
        return []
    fee = CommercialFee.objects.filter(contract=contract).first()
    rows = list(PosAttachment.objects.filter(contract=contract))
    problems = calc.fee_problems(
        for_profit=bool(contract.provider.for_profit) and is_pos(contract),
        compensation_structure=contract.compensation_structure,
        fee_kind=fee.kind if fee else None,
        fee_value=fee.value if fee else calc.ZERO,
    )
    if (
        contract.compensation_structure == "risk_sharing"
        and not RiskSharingConsultation.objects.filter(contract=contract).exists()
    ):
        problems.append(
            "Record the consultation with OSD and the Secretariat before using a risk-sharing "
            "structure."
        )
    if is_pos(contract):
        statuses = attachment_statuses(contract, rows)
        problems.extend(
            calc.attachment_problems(
                {s.number for s in statuses if s.required},
                {s.number for s in statuses if s.satisfied},
                {s.number: s.because for s in statuses if s.number == 3},
            )
        )
    return problems


def attachment_statuses(
    contract: Any, rows: list[Any] | None = None
) -> list[calc.AttachmentStatus]:
    """seed 004: the contract's POS attachments, which are required and why, when each is due
    and whether it is satisfied (Steward's rate calculation counts as Attachment 4)."""
    from steward.pricing.models import CommercialFee, PosAttachment, RateCalculation

    fee = CommercialFee.objects.filter(contract=contract).first()
    if rows is None:
        rows = list(PosAttachment.objects.filter(contract=contract))
    return calc.attachment_statuses(
        compensation_structure=contract.compensation_structure,
        fee_shown=bool(fee and fee.kind != "zero" and fee.value > calc.ZERO),
        marked_required={r.number for r in rows if r.required},
        due_with={r.number: r.due_with for r in rows},
        satisfied={r.number for r in rows if r.satisfied},
        has_rate_calculation=RateCalculation.objects.filter(contract=contract).exists(),
    )
