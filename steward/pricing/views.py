"""Pricing pages (seed 004): a contract's rate calculation with every line and formula, its
payments with the bill-out projection, the commercial fee, the POS attachment checklist, and
units paid against units delivered; an XLSX export of rate calculations."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from steward.contracts.models import Contract
from steward.core.concurrency import expecting, form_version
from steward.core.errors import ApplicationError
from steward.core.exports import XLSX_TYPE, Sheet, attachment, xlsx_bytes
from steward.core.forms import apply_errors
from steward.core.replica import reads_from_replica
from steward.core.views import application_errors
from steward.pricing import calc, selectors, services
from steward.pricing.execution_checks import (
    attachment_statuses,
    is_massachusetts,
    pricing_execution_problems,
)
from steward.pricing.forms import (
    AttachmentForm,
    ConsultationForm,
    FeeForm,
    LimitsForm,
    PaymentForm,
    RateForm,
    in_currency,
)
from steward.pricing.models import (
    CommercialFee,
    PosAttachment,
    PriceLimits,
    RiskSharingConsultation,
)


def _rate_result(rc: Any) -> calc.RateResult | None:
    if rc is None:
        return None
    try:
        return services.compute(
            contract=rc.contract,
            program_cost=rc.program_cost,
            capacity=rc.capacity,
            units_per_period=rc.units_per_period,
            utilization_factor=rc.utilization_factor,
            exceptional_reason=rc.exceptional_reason or "recorded",
        )
    except ApplicationError:
        return None


def _document_choices(form: Any, contract: Contract) -> None:
    """The attachment form offers this contract's documents."""
    field: Any = form.fields["document"]
    field.choices = [("", "None")] + [(d.pk, d.title) for d in contract.documents.all()]


def _context(request: HttpRequest, contract: Contract, **forms: Any) -> dict[str, Any]:
    user = request.user
    internal = user.has_perm("pricing.view_internal", contract)
    can_write = user.has_perm("pricing.change_pricing", contract)
    calcs = list(selectors.rate_calculations(actor=user, contract=contract))
    latest = calcs[0] if calcs else None
    payments = list(selectors.payments(contract=contract))
    billed = sum((p.amount for p in payments), calc.money(calc.ZERO))
    today = timezone.localdate()
    last_end = payments[-1].period_end if payments else today
    bill_out = calc.project_bill_out(
        currency=contract.currency,
        maximum_obligation=contract.maximum_obligation,
        billed_to_date=billed,
        start=contract.start_date,
        as_of=last_end,
        end=contract.end_date,
    )
    ctx: dict[str, Any] = {
        "contract": contract,
        "internal": internal,
        "can_write": can_write,
        "calcs": calcs,
        "latest": latest,
        "result": _rate_result(latest),
        "payments": payments,
        "billed": billed,
        "bill_out": bill_out,
        "bill_out_years": selectors.bill_out_years(contract, payments),
        "reminder": calc.REMINDER,
        "units": selectors.units_cross_reference(contract, payments),
    }
    if internal:
        fee = CommercialFee.objects.filter(contract=contract).first()
        rows = {a.number: a for a in PosAttachment.objects.filter(contract=contract)}
        ctx.update(
            fee=fee,
            retainable=services.fee_retainable(fee, billed) if fee else None,
            limits=PriceLimits.objects.filter(contract=contract).first(),
            consultations=list(RiskSharingConsultation.objects.filter(contract=contract)),
            attachments=[
                (s, rows.get(s.number)) for s in attachment_statuses(contract, list(rows.values()))
            ],
            massachusetts=is_massachusetts(contract),
            problems=pricing_execution_problems(contract) if contract.status == "draft" else [],
        )
    if can_write:
        suggestion = selectors.utilization_suggestion(contract)
        factor = suggestion.factor
        ctx["suggestion"] = suggestion
        ctx["suggested"] = (factor * 100 if factor is not None else None, suggestion.basis)
        ctx["rate_form"] = forms.get("rate_form") or RateForm(
            initial={"utilization_percent": factor * 100 if factor is not None else 85}
        )
        ctx["fee_form"] = forms.get("fee_form") or FeeForm(
            initial={
                "kind": ctx["fee"].kind,
                "value": ctx["fee"].value,
                "basis": ctx["fee"].basis,
                "version": ctx["fee"].version,
            }
            if ctx.get("fee")
            else None
        )
        ctx["payment_form"] = forms.get("payment_form") or PaymentForm()
        attachment_form = forms.get("attachment_form") or AttachmentForm()
        _document_choices(attachment_form, contract)
        ctx["attachment_form"] = attachment_form
        limits = ctx.get("limits")
        ctx["limits_form"] = forms.get("limits_form") or LimitsForm(
            initial={f: getattr(limits, f) for f in LimitsForm.base_fields} if limits else None
        )
        ctx["consultation_form"] = forms.get("consultation_form") or ConsultationForm()
        for name in ("rate_form", "fee_form", "payment_form", "limits_form"):
            in_currency(ctx[name], contract.currency)
    return ctx


@login_required
@require_GET
@application_errors
def contract_pricing(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.pricing_contract_get(actor=request.user, pk=pk)
    return render(request, "pricing/contract_pricing.html", _context(request, contract))


def _post(request: HttpRequest, pk: int, form_class: Any, key: str, save: Any) -> HttpResponse:
    contract = selectors.pricing_contract_get(actor=request.user, pk=pk)
    form = form_class(request.POST)
    if key == "attachment_form":
        _document_choices(form, contract)
    if form.is_valid():
        try:
            message = save(contract, form)
        except ApplicationError as exc:
            if exc.__class__.__name__ in ("PermissionDeniedError", "NotFoundError"):
                raise
            apply_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect("pricing:contract", pk=contract.pk)
    return render(
        request,
        "pricing/contract_pricing.html",
        _context(request, contract, **{key: form}),
        status=422,
    )


@login_required
@require_POST
@application_errors
def rate_create(request: HttpRequest, pk: int) -> HttpResponse:
    def save(contract: Contract, form: RateForm) -> str:
        rc = services.rate_calculation_create(
            actor=request.user,
            contract=contract,
            program_cost=form.cleaned_data["program_cost"],
            capacity=form.cleaned_data["capacity"],
            units_per_period=form.cleaned_data["units_per_period"],
            utilization_factor=form.factor(),
            exceptional_reason=form.cleaned_data["exceptional_reason"],
        )
        return (
            f"Rate calculation version {rc.version} recorded: unit rate "
            f"{calc.fmt_money(rc.unit_rate, contract.currency)}."
        )

    return _post(request, pk, RateForm, "rate_form", save)


@login_required
@require_POST
@application_errors
def fee_set(request: HttpRequest, pk: int) -> HttpResponse:
    def save(contract: Contract, form: FeeForm) -> str:
        d = form.cleaned_data
        current = CommercialFee.objects.filter(contract=contract).first()
        with expecting(current, form_version(form)) if current is not None else nullcontext():
            services.commercial_fee_set(
                actor=request.user,
                contract=contract,
                kind=d["kind"],
                value=d["value"] or calc.ZERO,
                basis=d["basis"],
                year_revenue=d["year_revenue"],
                year_expenses=d["year_expenses"],
            )
        return "Commercial fee stated."

    return _post(request, pk, FeeForm, "fee_form", save)


@login_required
@require_POST
@application_errors
def payment_create(request: HttpRequest, pk: int) -> HttpResponse:
    def save(contract: Contract, form: PaymentForm) -> str:
        services.payment_record(actor=request.user, contract=contract, **form.cleaned_data)
        return "Payment recorded."

    return _post(request, pk, PaymentForm, "payment_form", save)


@login_required
@require_POST
@application_errors
def attachment_update(request: HttpRequest, pk: int) -> HttpResponse:
    def save(contract: Contract, form: AttachmentForm) -> str:
        d = form.cleaned_data
        services.attachment_set(
            actor=request.user,
            contract=contract,
            number=d["number"],
            required=d["required"],
            completed=d["completed"],
            document_id=d["document"],
            due_with=d["due_with"],
        )
        return f"POS Attachment {d['number']} updated."

    return _post(request, pk, AttachmentForm, "attachment_form", save)


@login_required
@require_POST
@application_errors
def limits_update(request: HttpRequest, pk: int) -> HttpResponse:
    def save(contract: Contract, form: LimitsForm) -> str:
        d = form.cleaned_data
        current = PriceLimits.objects.filter(contract=contract).first()
        with expecting(current, form_version(form)) if current is not None else nullcontext():
            _limits_set(contract, d)
        return "Price limits recorded."

    def _limits_set(contract: Contract, d: dict[str, Any]) -> None:
        services.price_limits_set(
            actor=request.user,
            contract=contract,
            authorised_rate=d["authorised_rate"],
            lowest_price_to_others=d["lowest_price_to_others"],
            lowest_price_purchaser=d["lowest_price_purchaser"],
            client_resources=d["client_resources"] or calc.ZERO,
            third_party_payments=d["third_party_payments"] or calc.ZERO,
            non_reimbursable_offset=d["non_reimbursable_offset"] or calc.ZERO,
        )

    return _post(request, pk, LimitsForm, "limits_form", save)


@login_required
@require_POST
@application_errors
def consultation_create(request: HttpRequest, pk: int) -> HttpResponse:
    def save(contract: Contract, form: ConsultationForm) -> str:
        services.risk_consultation_record(
            actor=request.user, contract=contract, **form.cleaned_data
        )
        return "Risk-sharing consultation recorded."

    return _post(request, pk, ConsultationForm, "consultation_form", save)


EXPORT_HEADERS = [
    "Contract",
    "Agency",
    "Provider",
    "Version",
    "Program cost",
    "Non-reimbursable",
    "Capacity",
    "Units per period",
    "Utilization factor",
    "Total capacity purchased",
    "Funded units",
    "Unit rate",
    "Maximum obligation",
    "Exceptional reason",
]


def export_rows(actor: Any) -> list[list[Any]]:
    """One row per rate calculation visible to `actor` (Decimal values, never float)."""
    return [
        [
            rc.contract.number,
            rc.contract.agency.name,
            rc.contract.provider.legal_name,
            rc.version,
            rc.program_cost,
            rc.non_reimbursable,
            rc.capacity,
            rc.units_per_period,
            rc.utilization_factor,
            rc.total_capacity_purchased,
            rc.funded_units,
            rc.unit_rate,
            rc.maximum_obligation,
            rc.exceptional_reason,
        ]
        for rc in selectors.rate_calculations(actor=actor)
    ]


def export_xlsx(actor: Any) -> bytes:
    """The rate calculations visible to `actor` as a workbook of one sheet."""
    return xlsx_bytes([Sheet("Rate calculations", EXPORT_HEADERS, export_rows(actor))])


@login_required
@require_GET
@reads_from_replica
def rate_export(request: HttpRequest) -> HttpResponse:
    return attachment(
        export_xlsx(request.user), content_type=XLSX_TYPE, filename="rate-calculations.xlsx"
    )


def contract_panel(request: HttpRequest, contract: Contract) -> str | None:
    """The pricing section of the contract page (nothing for those who may not see it)."""
    if not request.user.has_perm("pricing.view_pricing", contract):
        return None
    latest = selectors.rate_calculations(actor=request.user, contract=contract).first()
    return render_to_string(
        "pricing/_panel.html", {"contract": contract, "latest": latest}, request=request
    )


@login_required
@require_GET
def bill_out_list(request: HttpRequest) -> HttpResponse:
    """Contracts projected to bill out before their end date (seed 004)."""
    return render(
        request,
        "pricing/bill_out_list.html",
        {"flags": selectors.bill_out_flags(actor=request.user), "reminder": calc.REMINDER},
    )
