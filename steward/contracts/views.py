"""Contract pages: the register, a contract's page, and the forms that call the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from steward.contracts import services
from steward.contracts.forms import (
    AmendmentForm,
    ContractFilterForm,
    ContractForm,
    DocumentForm,
    TransitionForm,
    contract_initial,
)
from steward.contracts.hooks import contract_panels, register_downloads, termination_workflow
from steward.contracts.models import Contract, ContractStatus
from steward.contracts.selectors import (
    SORTS,
    ContractFilters,
    contract_document_get,
    contract_documents,
    contract_get,
    contract_list,
)
from steward.core.audit import history_entries
from steward.core.concurrency import add_version_field, expecting, form_version
from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.forms import apply_errors
from steward.core.paginator import CappedPaginator
from steward.core.views import application_errors
from steward.parties.models import Agency

PAGE_SIZE = 50
SEARCH_COUNT_CAP = 1000
#: the register without a search counts exactly up to this many contracts ("more than 10000"
#: past it): an exact count of a state-wide register reads every row of the index, 80-300 ms
#: at 1,000,000 contracts (docs/performance.md)
REGISTER_COUNT_CAP = 10_000


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    needs_date: bool
    needs_reason: bool = False
    hint: str = ""
    #: set when the change goes through another area's workflow page instead (seed 003)
    link: str = ""


#: what each status change does and who learns of it, for its confirmation page
EFFECTS: dict[str, tuple[str, str]] = {
    "execute": (
        "The contract is recorded as signed on the date you give. From then on its dates, "
        "parties, number and maximum obligation change only by amendment, and its renewal "
        "decision and review meetings are planned.",
        "The provider's users can see the contract from now on; where the agency's process "
        "asks for it, Finance is sent the contract's dates.",
    ),
    "activate": (
        "The contract becomes active: its work has started.",
        "No one is sent a message; the provider's users see the new status.",
    ),
    "complete": (
        "The contract is recorded as completed on the date you give. Its closeout evaluation "
        "falls due, the due dates that end with the contract are closed and its renewal "
        "decision is cancelled.",
        "The people who write the closeout evaluation see it on their work list; the "
        "provider's users see the new status.",
    ),
    "terminate": (
        "The contract ends early on the date you give, for the reason you give. Its closeout "
        "evaluation falls due, the due dates that end with the contract are closed and its "
        "renewal decision is cancelled.",
        "The people who write the closeout evaluation see it on their work list; the "
        "provider's users see the new status and the reason.",
    ),
    "expire": (
        "The contract is recorded as expired at the end of its term. Its closeout evaluation "
        "falls due from the end date and its renewal decision is cancelled.",
        "The people who write the closeout evaluation see it on their work list; the "
        "provider's users see the new status.",
    ),
    "reopen": (
        "The contract runs again: active, or executed if it has not started yet. Its completion "
        "or termination date and reason are cleared (the history keeps them, with your reason "
        "for reopening); the closeout evaluation that fell due is cancelled and the renewal "
        "decision and review meetings are planned again.",
        "No one is sent a message; the provider's users see the contract running again.",
    ),
}
UNDO = {
    "complete": "If this is a mistake, the contract manager can reopen it with a reason.",
    "terminate": "If this is a mistake, the contract manager can reopen it with a reason.",
}
ACTIONS = ("execute", "activate", "complete", "terminate", "expire", "reopen")


def available_transitions(contract: Contract, today: Any) -> list[Transition]:
    """The status changes that may make sense now (the services check them again)."""
    status = contract.status
    found: list[Transition] = []
    if status == ContractStatus.DRAFT:
        found.append(Transition("execute", "Mark as executed", True, hint="Date it was signed."))
    if status == ContractStatus.EXECUTED and today >= contract.start_date:
        found.append(Transition("activate", "Make active", False))
    if status == ContractStatus.ACTIVE:
        found.append(
            Transition("complete", "Mark as completed", True, hint="Date the work was completed.")
        )
    if status in (ContractStatus.EXECUTED, ContractStatus.ACTIVE):
        if contract.end_date < today:
            found.append(Transition("expire", "Mark as expired", False))
        found.append(
            Transition(
                "terminate",
                "Terminate early",
                True,
                needs_reason=True,
                hint="Date of termination, and why.",
                link=termination_workflow(contract) or "",
            )
        )
    if status in (ContractStatus.COMPLETED, ContractStatus.TERMINATED):
        found.append(
            Transition(
                "reopen",
                "Reopen the contract",
                False,
                needs_reason=True,
                hint="Why it was closed by mistake.",
            )
        )
    return found


def _agency_choices() -> list[tuple[str, str]]:
    return list(Agency.objects.order_by("name").values_list("slug", "name"))


@login_required
def contract_register(request: HttpRequest) -> HttpResponse:
    """The register: filters (a GET form), sortable columns, 50 a page. An htmx request gets
    only the results, to swap in place."""
    form = ContractFilterForm(request.GET or None, agencies=_agency_choices())
    if form.is_bound:
        form.is_valid()
    sort = request.GET.get("sort", "end_date")
    if sort not in SORTS:
        sort = "end_date"
    filters = ContractFilters(
        q=form.value("q") or "",
        status=form.value("status") or "",
        agency=form.value("agency") or "",
        provider=form.value("provider") or "",
        contract_type=form.value("contract_type") or "",
        ends_before=form.value("ends_before"),
        ends_after=form.value("ends_after"),
        sort=sort,
    )
    contracts = contract_list(actor=request.user, filters=filters)
    # A text search counts at most SEARCH_COUNT_CAP matches ("more than 1000"): counting every
    # match of a common word costs as much as the search; any other page counts up to
    # REGISTER_COUNT_CAP (docs/performance.md).
    paginator = CappedPaginator(
        contracts,
        PAGE_SIZE,
        cap=SEARCH_COUNT_CAP if filters.q.strip() else REGISTER_COUNT_CAP,
        page_hint=request.GET.get("page"),
        narrow=bool(filters.q.strip()),
    )
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "sort": sort,
        "can_add": _can_add_somewhere(request.user),
        "export_query": _export_query(request),
        "register_downloads": register_downloads(request),
    }
    partial = request.headers.get("HX-Request") and not request.headers.get(
        "HX-History-Restore-Request"
    )
    template = "contracts/_register_results.html" if partial else "contracts/contract_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _export_query(request: HttpRequest) -> str:
    """The register's filters as a query string for the export links (no page, no format)."""
    query = request.GET.copy()
    for key in ("page", "format", "sort"):
        query.pop(key, None)
    return query.urlencode()


def _can_add_somewhere(user: Any) -> bool:
    if user.agency_id:
        return user.has_perm("contracts.add_contract", user.agency)
    return user.role == "administrator"


@login_required
@application_errors
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    contract = contract_get(actor=user, pk=pk)
    today = timezone.localdate()
    documents = contract_documents(actor=user, contract=contract)
    can_transition = user.has_perm("contracts.transition_contract", contract)
    context = {
        "contract": contract,
        "today": today,
        "amendments": contract.amendments.select_related("created_by"),
        "documents": documents,
        "due_dates": contract.due_dates.order_by("status", "due_date"),
        "history": history_entries(contract) if user.has_perm("audit.view_history") else None,
        "can_view_internal": user.has_perm("contracts.view_internal", contract),
        "can_edit": user.has_perm("contracts.change_contract", contract),
        "can_amend": user.has_perm("contracts.amend_contract", contract)
        and contract.status in (ContractStatus.EXECUTED, ContractStatus.ACTIVE),
        "can_upload": user.has_perm("contracts.upload_document", contract),
        "transitions": available_transitions(contract, today) if can_transition else [],
        "panels": contract_panels(request, contract),
    }
    closable = closable_kinds(user, contract.agency_id)
    context["closable_kinds"] = closable
    context["can_close_due_dates"] = bool(closable)
    return render(request, "contracts/contract_detail.html", context)


def closable_kinds(user: Any, agency_id: int) -> list[str]:
    """The kinds of due date of agency `agency_id` that `user` may mark not needed (and
    reopen): those their role acts on in their own agency; every agency's kinds for an
    administrator; none for a provider user."""
    from steward.contracts.due_kinds import KINDS, Owner

    if user.role == "administrator":
        return [k.key for k in KINDS.values() if k.owner != Owner.PROVIDER]
    if not user.agency_id or user.agency_id != agency_id:
        return []
    return [k.key for k in KINDS.values() if k.owner != Owner.PROVIDER and user.role in k.roles]


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def contract_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    agency = user.agency if user.agency_id else None
    if agency is not None and not user.has_perm("contracts.add_contract", agency):
        raise PermissionDenied
    if agency is None and user.role != "administrator":
        raise PermissionDenied
    form = ContractForm(request.POST or None, agency=agency, choose_agency=agency is None)
    if request.method == "POST" and form.is_valid():
        target = agency or form.cleaned_data["agency"]
        try:
            contract = services.contract_create(actor=user, agency=target, data=form.service_data())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Contract {contract.number} created as a draft.")
            return redirect("contracts:detail", pk=contract.pk)
    return render(request, "contracts/contract_form.html", {"form": form, "contract": None})


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    contract = contract_get(actor=user, pk=pk)
    if not user.has_perm("contracts.change_contract", contract):
        raise PermissionDenied
    form = ContractForm(
        request.POST or None, agency=contract.agency, initial=contract_initial(contract)
    )
    add_version_field(form, contract)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.service_data().items() if getattr(contract, k) != v}
        try:
            with expecting(contract, form_version(form)):
                services.contract_update(actor=user, contract=contract, data=data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Contract saved.")
            return redirect("contracts:detail", pk=contract.pk)
    return render(request, "contracts/contract_form.html", {"form": form, "contract": contract})


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def contract_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """A status change in two steps: GET (or a POST without `confirm=yes`) shows what it will
    do and who is told, with the date and reason it needs and Cancel back to the contract;
    the POST with `confirm=yes` calls the transition service. A refusal comes back on this
    page with the input kept. Early termination where the agency's process is a review
    (seed 003) is not done here: the person is sent to that workflow."""
    user = request.user
    contract = contract_get(actor=user, pk=pk)
    if not user.has_perm("contracts.transition_contract", contract):
        raise PermissionDenied
    if action not in ACTIONS:
        raise Http404("No such status change.")
    today = timezone.localdate()
    offered = {t.action: t for t in available_transitions(contract, today)}
    transition = offered.get(action)
    if transition is None:
        messages.error(
            request,
            f"This contract is {contract.get_status_display().lower()}; that change does not "
            "apply to it now.",
        )
        return redirect("contracts:detail", pk=pk)
    if transition.link:
        return redirect(transition.link)
    form = TransitionForm(
        request.POST if request.method == "POST" else None,
        initial={"on": today},
        needs_date=transition.needs_date,
        needs_reason=transition.needs_reason,
        hint=transition.hint,
    )
    if request.method == "POST" and request.POST.get("confirm") == "yes" and form.is_valid():
        try:
            _transition_do(user, contract, action, form.cleaned_data, today)
        except (ValidationFailed, TransitionNotAllowed) as exc:
            apply_errors(form, exc)
        else:
            contract.refresh_from_db(fields=["status"])
            messages.success(
                request, f"The contract is now {contract.get_status_display().lower()}."
            )
            return redirect("contracts:detail", pk=pk)
    effect, told = EFFECTS[action]
    return render(
        request,
        "core/confirm.html",
        {
            "heading": f"{transition.label}: {contract.number}",
            "facts": [
                ("Contract", f"{contract.number}, {contract.title}"),
                ("Provider", contract.provider.legal_name),
                ("Status now", contract.get_status_display()),
                ("Runs", f"{contract.start_date:%-d %B %Y} to {contract.end_date:%-d %B %Y}"),
            ],
            "effect": effect,
            "told": told,
            "undo": UNDO.get(action, ""),
            "form": form,
            "button": transition.label,
            "danger": action in ("terminate", "complete", "reopen"),
            "back": reverse("contracts:detail", args=[pk]),
        },
    )


def _transition_do(user: Any, contract: Contract, action: str, data: dict, today: date) -> None:
    """Call the transition service of `action` with the confirmed form's data."""
    on: date = data.get("on") or today
    reason = data.get("reason") or ""
    if action == "execute":
        services.contract_execute(actor=user, contract=contract, executed_on=on)
    elif action == "activate":
        services.contract_activate(actor=user, contract=contract, today=today)
    elif action == "complete":
        services.contract_complete(actor=user, contract=contract, completed_on=on)
    elif action == "terminate":
        services.contract_terminate(actor=user, contract=contract, terminated_on=on, reason=reason)
    elif action == "reopen":
        services.contract_reopen(actor=user, contract=contract, reason=reason)
    else:
        services.contract_expire(actor=user, contract=contract, today=today)


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def amendment_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    contract = contract_get(actor=user, pk=pk)
    if not user.has_perm("contracts.amend_contract", contract):
        raise PermissionDenied
    form = AmendmentForm(request.POST or None, contract=contract)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            amendment = services.amendment_create(
                actor=user,
                contract=contract,
                effective_on=data["effective_on"],
                reason=data["reason"],
                new_end_date=data["new_end_date"],
                new_maximum_obligation=data["new_maximum_obligation"],
            )
        except (ValidationFailed, TransitionNotAllowed) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Amendment {amendment.sequence} recorded.")
            return redirect("contracts:detail", pk=pk)
    return render(request, "contracts/amendment_form.html", {"form": form, "contract": contract})


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def document_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    contract = contract_get(actor=user, pk=pk)
    if not user.has_perm("contracts.upload_document", contract):
        raise PermissionDenied
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = services.document_upload(
                actor=user,
                contract=contract,
                kind=data["kind"],
                title=data["title"],
                upload=data["file"],
                released_to_provider=data["released_to_provider"],
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Uploaded {document.title}.")
            return redirect("contracts:detail", pk=pk)
    return render(request, "contracts/document_form.html", {"form": form, "contract": contract})


@login_required
@application_errors
def document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    """Send a contract's document as an attachment, if the person may see it: the contract
    must be visible and, for provider users, the document released to them."""
    user = request.user
    contract = contract_get(actor=user, pk=pk)
    document = contract_document_get(actor=user, contract=contract, pk=document_pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The document's file is missing.") from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
