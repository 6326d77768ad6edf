"""The Charter School Contract Review Team's page (seed 001): the reviews of a charter school's
contract against the performance requirements in it, and for a member of the team the form to
record the next one. Thin: the services decide, refusals are shown on the page."""

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
from steward.evaluations import selectors, services, services_charter
from steward.evaluations.forms import CharterReviewForm


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def charter_review(request: HttpRequest, pk: int) -> HttpResponse:
    """A charter school contract's reviews by the team, the requirements reviewed against and,
    for a member of the agency's team, the form to record the review of the next option."""
    user: Any = request.user
    contract = contract_get(actor=user, pk=pk)
    if not user.has_perm("contracts.view_internal", contract):
        raise PermissionDenied("Charter school contract reviews are for agency staff.")
    requirements = list(contract.indicators.all())  # type: ignore[attr-defined]
    may_record = user.has_perm("evaluations.record_charter_review", contract)
    form = CharterReviewForm(request.POST or None, requirements=requirements)
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied(
                "The agency's Charter School Contract Review Team records the review."
            )
        if form.is_valid():
            try:
                services_charter.charter_review_record(
                    actor=user,
                    contract=contract,
                    reviewed_on=form.cleaned_data["reviewed_on"],
                    reviewers=form.cleaned_data["reviewers"],
                    outcome=form.cleaned_data["outcome"],
                    conditions=form.cleaned_data["conditions"],
                    summary=form.cleaned_data["summary"],
                    findings=form.findings(),
                    today=contract.agency.today(),
                )
            except (ValidationFailed, TransitionNotAllowed) as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"The review of {contract.number} is recorded.")
                return redirect("evaluations:charter_review", pk=contract.pk)
    options_left = max((contract.renewal_options or 0) - contract.renewals_exercised, 0)
    return render(
        request,
        "evaluations/charter_review.html",
        {
            "contract": contract,
            "requirements": requirements,
            "reviews": selectors.charter_review_list(contract),
            "applies": services.charter_review_applies(contract),
            "eligibility": services.renewal_eligibility(contract),
            "form": form
            if may_record and options_left and contract.status in ("executed", "active")
            else None,
            "next_option": contract.renewals_exercised + 1,
            "is_charter": contract.contract_type == "charter_school",
        },
    )
