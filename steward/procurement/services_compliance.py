"""seed 003 3(A)iii-iv: procurement compliance on contracts. A contract records how it was
procured; the pack's tender threshold (Scotland: more than £20,000) is enforced when the
contract is executed, through the contracts area's execution-check registry."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from steward.contracts.models import Contract, ContractDocument
from steward.core.errors import ValidationFailed
from steward.core.services import require_perm, save_audited
from steward.pricing.calc import fmt_money
from steward.procurement import calc
from steward.procurement.models import ProcurementRecord, PromotionRisk, Solicitation

_TEXT_FIELDS = ("best_value_analysis", "advertisement_reference", "risk_assessment")
_BOOL_FIELDS = ("advertised_on_council_website", "advertised_on_pcs")


def procurement_record_of(contract: Contract) -> ProcurementRecord | None:
    """The contract's procurement record, or None when nothing has been recorded yet."""
    return ProcurementRecord.objects.filter(contract=contract).first()


def procurement_problems(contract: Contract) -> list[str]:
    """seed 003: every reason the contract's procurement record falls short of the agency's pack
    tender threshold (empty when the pack sets none). A Best Value exemption recorded on the
    solicitation the contract was awarded from counts as the analysis on file. Runs at most
    two queries (the record and the solicitation), none when the pack sets no threshold."""
    pack = contract.agency.pack.parsed
    threshold = pack.tender.threshold
    if threshold is None:
        return []
    record = procurement_record_of(contract)
    best_value = bool(
        record and (record.best_value_analysis.strip() or record.best_value_document_id)
    ) or (Solicitation.objects.filter(contract=contract).exclude(best_value_exemption="").exists())
    facts = calc.ProcurementFacts(
        value=contract.maximum_obligation,
        threshold=threshold,
        method=contract.procurement_method,
        best_value_on_file=best_value,
        advertised=bool(record and record.advertised),
        risk_assessed=bool(record and record.risk_assessed),
    )
    currency = pack.currency
    return calc.procurement_problems(
        facts,
        value=fmt_money(contract.maximum_obligation, currency),
        threshold=fmt_money(threshold, currency),
    )


def execution_check(contract: Contract) -> list[str]:
    """The execution check registered with `steward.contracts.hooks` (seed 003)."""
    return procurement_problems(contract)


@transaction.atomic
def procurement_record_set(
    *, actor: Any, contract: Contract, data: dict[str, Any]
) -> ProcurementRecord:
    """Record how `contract` was procured (seed 003): the Best Value analysis (text and/or
    `best_value_document`, a ContractDocument of this contract), the advertisement (channels,
    date, reference) and, under the threshold, the promotion risk and its reasons. Keys absent
    from `data` keep their value. Procurement officers and contract managers of the agency
    (PermissionDeniedError otherwise); ValidationFailed for a document of another contract, an
    advertisement date without a channel, or a risk level without its reasons. Audited."""
    require_perm(
        actor, "procurement.manage_solicitation", contract, action="record how it was procured"
    )
    record = procurement_record_of(contract) or ProcurementRecord(contract=contract)
    for name in _TEXT_FIELDS:
        if name in data:
            setattr(record, name, (data[name] or "").strip())
    for name in _BOOL_FIELDS:
        if name in data:
            setattr(record, name, bool(data[name]))
    if "advertised_on" in data:
        advertised_on = data["advertised_on"]
        if isinstance(advertised_on, str):
            advertised_on = date.fromisoformat(advertised_on) if advertised_on else None
        record.advertised_on = advertised_on
    if "promotion_risk" in data:
        risk = (data["promotion_risk"] or "").strip()
        if risk and risk not in PromotionRisk.values:
            raise ValidationFailed(
                "Choose the risk of the opportunity.",
                errors={"promotion_risk": ["Choose low, medium or high."]},
            )
        record.promotion_risk = risk
    if "best_value_document" in data:
        document = data["best_value_document"]
        if document is not None and not isinstance(document, ContractDocument):
            document = ContractDocument.objects.filter(pk=document, contract=contract).first()
            if document is None:
                raise ValidationFailed(
                    "That document is not held with this contract.",
                    errors={"best_value_document": ["Choose a document of this contract."]},
                )
        if document is not None and document.contract_id != contract.pk:
            raise ValidationFailed(
                "That document is not held with this contract.",
                errors={"best_value_document": ["Choose a document of this contract."]},
            )
        record.best_value_document = document
    if record.advertised_on and not record.advertised:
        raise ValidationFailed(
            "Say where the opportunity was advertised.",
            errors={"advertised_on": ["Tick the Council's website or Public Contracts Scotland."]},
        )
    if record.promotion_risk and not record.risk_assessment:
        raise ValidationFailed(
            "Say why, with the risk of the opportunity.",
            errors={"risk_assessment": ["Write the risk assessment."]},
        )
    record.recorded_by = actor
    save_audited(record, actor=actor, reason="Procurement recorded")
    return record


def compliance_applies(contract: Contract) -> bool:
    """Whether the agency's pack sets a tender threshold (the record is asked for)."""
    return contract.agency.pack.parsed.tender.threshold is not None
