"""API: a contract's pricing records (seed 004). A contract the caller may not see (or, for
internal records, may not see internally) answers 404; a write without permission 403."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from steward.contracts.models import Contract
from steward.core.concurrency import if_match, set_etag
from steward.core.errors import NotFoundError
from steward.core.schemas import EDIT_ERRORS, READ_ERRORS, WRITE_ERRORS
from steward.pricing import calc, selectors, services
from steward.pricing.execution_checks import attachment_statuses
from steward.pricing.models import CommercialFee, PosAttachment, PriceLimits
from steward.pricing.schemas import (
    AttachmentIn,
    AttachmentOut,
    BillOutOut,
    ConsultationIn,
    ConsultationOut,
    FeeIn,
    FeeOut,
    PaymentIn,
    PaymentOut,
    PriceLimitsIn,
    PriceLimitsOut,
    RateCalculationIn,
    RateCalculationOut,
    UtilizationSuggestionOut,
)

router = Router(tags=["pricing"])
BASE = "/pricing/contracts/{contract_id}"


def _contract(request: HttpRequest, contract_id: int, *, internal: bool = False) -> Contract:
    actor = request.auth  # type: ignore[attr-defined]
    contract = selectors.pricing_contract_get(actor=actor, pk=contract_id)
    if internal and not actor.has_perm("pricing.view_internal", contract):
        raise NotFoundError("No such contract.")
    return contract


def _rate_out(rc: Any, with_lines: bool) -> dict[str, Any]:
    data = {f: getattr(rc, f) for f in RateCalculationOut.model_fields if f != "lines"}
    data["lines"] = []
    if with_lines:
        result = services.compute(
            contract=rc.contract,
            program_cost=rc.program_cost,
            capacity=rc.capacity,
            units_per_period=rc.units_per_period,
            utilization_factor=rc.utilization_factor,
            exceptional_reason=rc.exceptional_reason or "recorded",
        )
        data["lines"] = [l.__dict__ for l in result.lines]  # noqa: E741
    return data


@router.get(
    f"{BASE}/rate-calculations",
    response={200: list[RateCalculationOut], **READ_ERRORS},
    summary="List a contract's rate calculations",
    description="Every version of the contract's POS Attachment 4 rate calculation, newest "
    "first (seed 004). The contract's provider may read them once it is released.",
)
def rate_list(request: HttpRequest, contract_id: int) -> Any:
    contract = _contract(request, contract_id)
    rows = selectors.rate_calculations(actor=request.auth, contract=contract)  # type: ignore[attr-defined]
    return [_rate_out(rc, False) for rc in rows]


@router.post(
    f"{BASE}/rate-calculations",
    response={201: RateCalculationOut, **WRITE_ERRORS},
    summary="Compute and record a rate calculation",
    description="Compute the unit rate and maximum obligation (every line with its formula) "
    "and record it as a new version. `utilization_factor` is a fraction (0.85 is 85%): below "
    "the pack's reasonable minimum it needs `exceptional_reason`; above its maximum it is "
    "refused (422). Finance officers and contract managers of the contract's agency.",
)
def rate_create(request: HttpRequest, contract_id: int, payload: RateCalculationIn) -> Any:
    contract = _contract(request, contract_id)
    rc = services.rate_calculation_create(
        actor=request.auth,  # type: ignore[attr-defined]
        contract=contract,
        **payload.model_dump(),
    )
    return Status(201, _rate_out(rc, True))


@router.get(
    f"{BASE}/utilization-suggestion",
    response={200: UtilizationSuggestionOut, **READ_ERRORS},
    summary="Suggest a utilization factor from actual use",
    description="seed 004: the factor is based on the program's prior utilization history, "
    "if available, or the average for all programs of the same type. Actual utilization is "
    "units delivered (the provider's submitted returns) against the capacity purchased (the "
    "latest rate calculation's total capacity, spread over the term) in the same periods; "
    "`arithmetic` shows every step. Internal: agency staff, oversight and administrators.",
)
def utilization_suggestion(request: HttpRequest, contract_id: int) -> Any:
    contract = _contract(request, contract_id, internal=True)
    suggestion = selectors.utilization_suggestion(contract)
    return {
        "factor": suggestion.factor,
        "actual": suggestion.actual,
        "basis": suggestion.basis,
        "arithmetic": suggestion.arithmetic,
    }


@router.get(
    f"{BASE}/payments",
    response={200: list[PaymentOut], **READ_ERRORS},
    summary="List a contract's payments",
    description="Invoices paid per period (units and amount), in period order.",
)
def payment_list(request: HttpRequest, contract_id: int) -> Any:
    return list(selectors.payments(contract=_contract(request, contract_id)))


@router.post(
    f"{BASE}/payments",
    response={201: PaymentOut, **WRITE_ERRORS},
    summary="Record a payment",
    description="Record an invoice paid for a period. Finance officers and contract managers "
    "of the contract's agency.",
)
def payment_create(request: HttpRequest, contract_id: int, payload: PaymentIn) -> Any:
    contract = _contract(request, contract_id)
    payment = services.payment_record(
        actor=request.auth,  # type: ignore[attr-defined]
        contract=contract,
        **payload.model_dump(),
    )
    return Status(201, payment)


@router.get(
    f"{BASE}/bill-out",
    response={200: BillOutOut, **READ_ERRORS},
    summary="Project the bill-out date",
    description="From billing to date, the date the maximum obligation is reached and whether "
    "that is before the end date, with the reminder that the provider must still serve up "
    "to the total capacity purchased with no added funding (seed 004).",
)
def bill_out(request: HttpRequest, contract_id: int) -> Any:
    contract = _contract(request, contract_id)
    rows = list(selectors.payments(contract=contract))
    result = calc.project_bill_out(
        currency=contract.currency,
        maximum_obligation=contract.maximum_obligation,
        billed_to_date=sum((p.amount for p in rows), calc.ZERO),
        start=contract.start_date,
        as_of=rows[-1].period_end if rows else contract.start_date,
        end=contract.end_date,
    )
    years = [
        {
            "fiscal_year": y.fiscal_year,
            "first": y.first,
            "last": y.last,
            "obligation": y.obligation,
            "billed": y.billed,
            "bill_out_date": y.bill_out.bill_out_date,
            "early_by_days": y.bill_out.early_by_days,
            "explanation": y.bill_out.explanation,
        }
        for y in selectors.bill_out_years(contract, rows)
    ]
    return {**result.__dict__, "reminder": calc.REMINDER, "fiscal_years": years}


@router.get(
    f"{BASE}/fee",
    response={200: FeeOut, **READ_ERRORS},
    summary="The contract's commercial fee",
    description="The stated fee and, once year-end revenue and expenses are recorded, the "
    "retainable fee (none from a deficit). Agency-internal: 404 for providers.",
)
def fee_get(request: HttpRequest, contract_id: int, response: HttpResponse) -> Any:
    contract = _contract(request, contract_id, internal=True)
    fee = CommercialFee.objects.filter(contract=contract).first()
    if fee is None:
        raise NotFoundError("No commercial fee stated.")
    set_etag(response, fee)
    retainable = services.fee_retainable(fee, selectors.billed_to_date(contract))
    return {
        **{f: getattr(fee, f) for f in FeeIn.model_fields},
        "retainable_fee": retainable.fee if retainable else None,
    }


@router.put(
    f"{BASE}/fee",
    response={200: FeeOut, **EDIT_ERRORS},
    summary="State the commercial fee",
    description="`kind` zero, percentage or amount; `basis` maximum_obligation, "
    "total_payments or share_of_surplus. A cost-reimbursement contract cannot carry a "
    'non-zero fee (422). Send `If-Match: "<version>"` (the ETag of your read) to change a '
    "stated fee: 412 when it changed since.",
)
def fee_put(request: HttpRequest, contract_id: int, payload: FeeIn, response: HttpResponse) -> Any:
    contract = _contract(request, contract_id, internal=True)
    current = CommercialFee.objects.filter(contract=contract).first()
    with if_match(request, current) if current is not None else nullcontext():
        fee = services.commercial_fee_set(
            actor=request.auth,  # type: ignore[attr-defined]
            contract=contract,
            **payload.model_dump(),
        )
    set_etag(response, fee)
    retainable = services.fee_retainable(fee, selectors.billed_to_date(contract))
    return {
        **{f: getattr(fee, f) for f in FeeIn.model_fields},
        "retainable_fee": retainable.fee if retainable else None,
    }


@router.get(
    f"{BASE}/attachments",
    response={200: list[AttachmentOut], **READ_ERRORS},
    summary="POS attachment checklist",
    description="Attachments 1–6 (seed 004): required or not and why (1 always; 3 for a "
    "cost-reimbursement contract and for a for-profit provider's fee; others as marked), due "
    "with the bid or at execution, and whether satisfied (uploaded, completed, or for 4 the "
    "rate calculation recorded here). Agency-internal.",
)
def attachment_list(request: HttpRequest, contract_id: int) -> Any:
    contract = _contract(request, contract_id, internal=True)
    return _attachments_out(contract)


def _attachments_out(contract: Contract) -> list[dict[str, Any]]:
    rows = {a.number: a for a in PosAttachment.objects.filter(contract=contract)}
    out = []
    for status in attachment_statuses(contract, list(rows.values())):
        row = rows.get(status.number)
        out.append(
            {
                "number": status.number,
                "title": status.title,
                "required": status.required,
                "required_because": status.because,
                "due_with": status.due_with,
                "completed": bool(row and row.completed),
                "document_id": row.document_id if row else None,
                "satisfied": status.satisfied,
                "satisfied_by": status.satisfied_by,
                "version": row.version if row else None,
            }
        )
    return out


@router.put(
    f"{BASE}/attachments/{{number}}",
    response={200: AttachmentOut, **EDIT_ERRORS},
    summary="Update a POS attachment",
    description="Mark attachment `number` (1–6) required, completed, or satisfied by one of "
    "the contract's documents. The response carries the attachment's ETag (the checklist "
    'gives each row\'s `version`); send `If-Match: "<version>"`: 412 when it changed since.',
)
def attachment_put(
    request: HttpRequest,
    contract_id: int,
    number: int,
    payload: AttachmentIn,
    response: HttpResponse,
) -> Any:
    contract = _contract(request, contract_id, internal=True)
    current = PosAttachment.objects.filter(contract=contract, number=number).first()
    with if_match(request, current) if current is not None else nullcontext():
        row = services.attachment_set(
            actor=request.auth,  # type: ignore[attr-defined]
            contract=contract,
            number=number,
            **payload.model_dump(),
        )
    set_etag(response, row)
    return next(a for a in _attachments_out(contract) if a["number"] == row.number)


@router.post(
    f"{BASE}/risk-consultations",
    response={201: ConsultationOut, **WRITE_ERRORS},
    summary="Record a risk-sharing consultation",
    description="The consultation with OSD and the Secretariat a risk-sharing structure needs "
    "before execution (seed 004).",
)
def consultation_create(request: HttpRequest, contract_id: int, payload: ConsultationIn) -> Any:
    contract = _contract(request, contract_id, internal=True)
    row = services.risk_consultation_record(
        actor=request.auth,  # type: ignore[attr-defined]
        contract=contract,
        **payload.model_dump(),
    )
    return Status(201, row)


@router.get(
    f"{BASE}/price-limits",
    response={200: PriceLimitsOut, **READ_ERRORS},
    summary="Compensation limits",
    description="The contract's compensation limits, with their ETag (send it back as "
    "`If-Match` when changing them). 404 when none are recorded. Agency-internal.",
)
def limits_get(request: HttpRequest, contract_id: int, response: HttpResponse) -> Any:
    contract = _contract(request, contract_id, internal=True)
    limits = PriceLimits.objects.filter(contract=contract).first()
    if limits is None:
        raise NotFoundError("No compensation limits recorded.")
    set_etag(response, limits)
    return limits


@router.put(
    f"{BASE}/price-limits",
    response={200: PriceLimitsOut, **EDIT_ERRORS},
    summary="Record compensation limits",
    description="Authorised rate-set price (rate-set contracts only), the provider's lowest "
    "price to other purchasers (a higher rate is refused), client resources and third-party "
    "payments reducing the obligation, non-reimbursable cost offsets (seed 004). The response "
    'carries the limits\' ETag; send `If-Match: "<version>"` to change them: 412 when they '
    "changed since.",
)
def limits_put(
    request: HttpRequest, contract_id: int, payload: PriceLimitsIn, response: HttpResponse
) -> Any:
    contract = _contract(request, contract_id, internal=True)
    current = PriceLimits.objects.filter(contract=contract).first()
    with if_match(request, current) if current is not None else nullcontext():
        limits = services.price_limits_set(
            actor=request.auth,  # type: ignore[attr-defined]
            contract=contract,
            **payload.model_dump(),
        )
    set_etag(response, limits)
    return limits
