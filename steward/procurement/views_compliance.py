"""The procurement record of a contract (seed 003): how it was procured, and what the pack's
tender threshold still asks before it can be executed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from steward.contracts.models import ContractDocument
from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.forms import apply_errors
from steward.core.views import application_errors
from steward.procurement import forms as f
from steward.procurement import services_compliance as services
from steward.procurement.selectors import placement_contract_get


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def procurement_record(request: HttpRequest, contract_pk: int) -> HttpResponse:
    """Show and record how the contract was procured; agency readers see it, procurement
    officers and contract managers record it (providers get 404)."""
    user: Any = request.user
    contract = placement_contract_get(actor=user, pk=contract_pk)
    record = services.procurement_record_of(contract)
    can_record = user.has_perm("procurement.manage_solicitation", contract)
    documents = ContractDocument.objects.filter(contract=contract).only("pk", "title")
    initial: dict[str, Any] = {}
    if record:
        initial = {
            "best_value_analysis": record.best_value_analysis,
            "best_value_document": record.best_value_document_id,
            "advertised_on_council_website": record.advertised_on_council_website,
            "advertised_on_pcs": record.advertised_on_pcs,
            "advertised_on": record.advertised_on,
            "advertisement_reference": record.advertisement_reference,
            "promotion_risk": record.promotion_risk,
            "risk_assessment": record.risk_assessment,
        }
    form = f.ProcurementRecordForm(request.POST or None, initial=initial, documents=documents)
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.procurement_record_set(
                    actor=user, contract=contract, data=dict(form.cleaned_data)
                )
            except (ValidationFailed, TransitionNotAllowed) as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "How the contract was procured is recorded.")
                return redirect("procurement:record", contract_pk=contract.pk)
    return render(
        request,
        "procurement/procurement_record.html",
        {
            "contract": contract,
            "record": record,
            "form": form,
            "can_record": can_record,
            "threshold": contract.agency.pack.parsed.tender.threshold,
            "problems": services.procurement_problems(contract),
        },
    )
