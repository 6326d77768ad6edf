"""A contract's renewal eligibility (seed 001; DOMAIN.md section 3.3): the score against the
pack's threshold, the reason, the options left, and the senior manager's override.

The views are thin: the selectors decide what a person may see, the services what they may do;
refusals are shown on the page (never a 500)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from steward.contracts.selectors import contract_get
from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.forms import apply_errors
from steward.core.views import application_errors
from steward.evaluations import selectors, services
from steward.evaluations.forms import RenewalOverrideForm
from steward.evaluations.models import EvaluationStatus
from steward.evaluations.views import is_staff


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def renewal(request: HttpRequest, pk: int) -> HttpResponse:
    """A contract's renewal eligibility explained (score, the pack's threshold, the reason,
    options left, an override on record) and, for a senior manager of the agency, the override
    form."""
    user: Any = request.user
    contract = contract_get(actor=user, pk=pk)
    if not is_staff(user):
        raise PermissionDenied("Renewal eligibility is for agency staff.")
    status = selectors.renewal_status(contract)
    may_override = user.has_perm("evaluations.override_renewal", contract)
    needs_override = (
        not status.eligibility.eligible
        and status.override is None
        and contract.status in ("executed", "active")
    )
    form = RenewalOverrideForm(request.POST or None)
    if request.method == "POST":
        if not may_override:
            raise PermissionDenied("A senior manager of the agency records renewal overrides.")
        if form.is_valid():
            try:
                services.renewal_override_record(
                    actor=user,
                    contract=contract,
                    justification=form.cleaned_data["justification"],
                    today=contract.agency.today(),
                )
            except (ValidationFailed, TransitionNotAllowed) as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Override recorded: renewal option {contract.renewals_exercised + 1} of "
                    f"{contract.number} may be exercised.",
                )
                return redirect("evaluations:renewal", pk=contract.pk)
    latest = selectors.evaluation_list(
        actor=user, contract_id=contract.pk, status=EvaluationStatus.FINALISED
    ).first()
    pack = contract.agency.pack
    return render(
        request,
        "evaluations/renewal.html",
        {
            "contract": contract,
            "status": status,
            "pack": pack,
            "latest": latest,
            "next_option": contract.renewals_exercised + 1,
            "form": form if may_override and needs_override else None,
            "may_override": may_override,
            "can_exercise": user.has_perm("contracts.amend_contract", contract),
            "charter": services.charter_review_applies(contract),
        },
    )
