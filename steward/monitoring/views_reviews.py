"""Review meetings (seed 003): planning the review cycle of a contract executed before review
meetings were planned (others are planned when executed), and one meeting's page with the form
to record it as held (internal only).

Views are thin: they parse a form, call one selector or service, and render or redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from steward.contracts.selectors import contract_get
from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.forms import apply_errors
from steward.core.views import application_errors, safe_next
from steward.monitoring import services
from steward.monitoring.forms import ReviewForm
from steward.monitoring.models import ReviewMeeting


@login_required
@require_POST
@application_errors
def reviews_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Plan the contract's review cycle from today on (the meetings it does not have yet)."""
    user: Any = request.user
    contract = contract_get(actor=user, pk=pk)
    if not user.has_perm("monitoring.view_reviews", contract):
        raise Http404("No such contract.")
    back = safe_next(request, reverse("monitoring:contract", args=[contract.pk]))
    try:
        new = services.reviews_plan(actor=user, contract=contract, today=timezone.localdate())
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
        return redirect(back)
    if new:
        messages.success(
            request, f"Planned {len(new)} review meeting{'s' if len(new) != 1 else ''}."
        )
    else:
        messages.info(request, "Every review meeting of the contract's term is planned already.")
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """One review meeting, and the form to record it as held (internal only)."""
    user: Any = request.user
    meeting = (
        ReviewMeeting.objects.select_related(
            "contract__agency", "contract__provider", "contract__contract_manager", "recorded_by"
        )
        .filter(pk=pk)
        .first()
    )
    if meeting is None or not user.has_perm("monitoring.view_reviews", meeting.contract):
        raise Http404("No such review meeting.")
    contract = meeting.contract
    can_record = meeting.cancelled_on is None and user.has_perm(
        "monitoring.manage_reviews", contract
    )
    if request.method == "POST" and meeting.cancelled_on is not None:
        messages.error(request, f"This review meeting was cancelled: {meeting.cancel_reason}.")
        return redirect("monitoring:review", pk=meeting.pk)
    if request.method == "POST" and not can_record:
        raise PermissionDenied("You may not record review meetings of this contract.")
    today = timezone.localdate()
    if meeting.held_on:
        initial = {
            "held_on": meeting.held_on,
            "chair": meeting.chair,
            "attendees": meeting.attendees,
            "contract_manager_attended": meeting.contract_manager_attended,
            "minutes": meeting.minutes,
        }
    else:
        initial = {"held_on": min(meeting.scheduled_for, today)}
    form = ReviewForm(request.POST or None, initial=initial) if can_record else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.review_record(actor=user, meeting=meeting, today=today, **form.cleaned_data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except TransitionNotAllowed as exc:
            messages.error(request, exc.message)
            return redirect("monitoring:review", pk=meeting.pk)
        else:
            messages.success(request, f"{meeting.get_kind_display()} recorded as held.")
            return redirect("monitoring:review", pk=meeting.pk)
    return render(
        request,
        "monitoring/review.html",
        {
            "meeting": meeting,
            "contract": contract,
            "form": form,
            "today": today,
        },
    )
