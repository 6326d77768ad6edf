"""Pages that close a due date by hand: mark it "not needed" with a reason, or reopen it with a
reason. Each is a confirmation page that says what will happen before anything changes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from steward.contracts.due_kinds import KINDS
from steward.contracts.forms import DueDateReasonForm
from steward.contracts.models import DueDate, DueDateStatus
from steward.contracts.selectors_due_dates import visible_due_date
from steward.contracts.services_due_dates import due_date_not_needed, due_date_reopen
from steward.core.errors import ValidationFailed
from steward.core.forms import apply_errors
from steward.core.views import application_errors


def _back(due: DueDate) -> str:
    if due.contract_id:
        return f"{_contract_url(due)}#due-dates"
    return "/"


def _contract_url(due: DueDate) -> str:
    from django.urls import reverse

    return reverse("contracts:detail", args=[due.contract_id])


def _page(request: HttpRequest, pk: int, *, reopen: bool) -> HttpResponse:
    user = request.user
    due = visible_due_date(user, pk)
    if not user.has_perm("contracts.close_due_date", due):
        raise PermissionDenied
    wanted = DueDateStatus.NOT_NEEDED if reopen else DueDateStatus.OPEN
    if due.status != wanted:
        messages.error(
            request,
            "This due date is not marked as not needed."
            if reopen
            else "This due date is already closed.",
        )
        return redirect(_back(due))
    form = DueDateReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if reopen:
                due_date_reopen(actor=user, due=due, reason=form.cleaned_data["reason"])
            else:
                due_date_not_needed(
                    actor=user,
                    due=due,
                    reason=form.cleaned_data["reason"],
                    today=due.agency.today(),
                )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"{due.label}: due again on {due.due_date:%-d %B %Y}."
                if reopen
                else f"{due.label}: marked as not needed.",
            )
            return redirect(_back(due))
    return render(
        request,
        "contracts/due_date_reason.html",
        {
            "due": due,
            "kind": KINDS.get(due.kind),
            "form": form,
            "reopen": reopen,
            "back": _back(due),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def due_date_not_needed_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a due date not needed: who it concerns and what changes, then the reason."""
    return _page(request, pk, reopen=False)


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def due_date_reopen_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Reopen a due date marked not needed, with the reason."""
    return _page(request, pk, reopen=True)
