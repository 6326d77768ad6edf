"""The lead professional's advice and requests on a contract, and the contract manager's
answers (seed 003): one page per contract."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from steward.contracts.selectors import contract_get
from steward.core.errors import NotFoundError, TransitionNotAllowed, ValidationFailed
from steward.core.forms import apply_errors
from steward.core.views import application_errors
from steward.monitoring import services_lead as services
from steward.monitoring.models import LeadProfessionalRequest, LeadRequestKind
from steward.risk.models import MonitoringLevel

KIND_CHOICES = [*LeadRequestKind.choices, (services.TERMINATE, "Terminate the contract early")]
DECISION_CHOICES = [("", "—"), ("yes", "Yes: additional monitoring is required"), ("no", "No")]


class LeadRequestForm(forms.Form):
    kind = forms.ChoiceField(choices=KIND_CHOICES, label="What you are sending")
    risk_analysis = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Your analysis of the risk",
        help_text="For additional monitoring: what the operational monitoring shows.",
    )
    additional_monitoring = forms.ChoiceField(
        required=False, choices=DECISION_CHOICES, label="Is additional monitoring required?"
    )
    proposed_level = forms.ChoiceField(
        required=False,
        choices=[("", "—"), *MonitoringLevel.choices],
        label="Monitoring level you advise",
    )
    advice = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label="Your advice or request, and why"
    )


class AnswerForm(forms.Form):
    response = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Your response")


def _contract(user: Any, pk: int) -> Any:
    contract = contract_get(actor=user, pk=pk)
    if not user.has_perm("monitoring.view_internal", contract):
        raise NotFoundError("No such contract.")
    return contract


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def lead_requests(request: HttpRequest, pk: int) -> HttpResponse:
    """The contract's advice and requests from the lead professional, the answers, and the
    form to send one (contract monitors and managers of the agency)."""
    user: Any = request.user
    contract = _contract(user, pk)
    can_raise = user.has_perm("monitoring.raise_lead_request", contract)
    form = LeadRequestForm(request.POST or None)
    if request.method == "POST":
        if not can_raise:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            decision = {"yes": True, "no": False}.get(data["additional_monitoring"])
            try:
                row = services.lead_request_raise(
                    actor=user,
                    contract=contract,
                    kind=data["kind"],
                    advice=data["advice"],
                    risk_analysis=data["risk_analysis"],
                    additional_monitoring=decision,
                    proposed_level=data["proposed_level"],
                    today=contract.agency.today(),
                )
            except (ValidationFailed, TransitionNotAllowed) as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Sent to the contract manager.")
                if data["kind"] == services.TERMINATE:
                    return redirect("procurement:termination", contract_pk=contract.pk)
                return redirect("monitoring:lead_requests", pk=row.contract_id)
    rows = LeadProfessionalRequest.objects.filter(contract=contract).select_related(
        "raised_by", "responded_by"
    )
    return render(
        request,
        "monitoring/lead_requests.html",
        {
            "contract": contract,
            "rows": rows,
            "form": form,
            "can_raise": can_raise,
            "can_answer": user.has_perm("monitoring.answer_lead_request", contract),
            "answer_form": AnswerForm(),
        },
    )


@login_required
@require_POST
@application_errors
def lead_request_answer(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """The contract manager accepts or declines (decision "accept" or "decline")."""
    user: Any = request.user
    row = LeadProfessionalRequest.objects.select_related("contract__agency").filter(pk=pk).first()
    if row is None or decision not in ("accept", "decline"):
        raise NotFoundError("No such request.")
    contract = _contract(user, row.contract_id)
    form = AnswerForm(request.POST)
    response = form.data.get("response", "")
    try:
        services.lead_request_answer(
            actor=user,
            request=row,
            accept=decision == "accept",
            response=response,
            today=contract.agency.today(),
        )
    except (ValidationFailed, TransitionNotAllowed) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Answer recorded and sent to the lead professional.")
    return redirect("monitoring:lead_requests", pk=contract.pk)
