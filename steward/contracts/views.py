"""Contract pages: the register, a contract's page, and the forms that call the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST

from steward.contracts import services
from steward.contracts.forms import (
    AmendmentForm,
    ContractFilterForm,
    ContractForm,
    DocumentForm,
    TransitionForm,
    contract_initial,
)
from steward.contracts.hooks import contract_panels, register_downloads
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


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    needs_date: bool
    needs_reason: bool = False
    hint: str = ""


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
    # match of a common word costs as much as the search (docs/performance.md).
    paginator = (
        CappedPaginator(
            contracts, PAGE_SIZE, cap=SEARCH_COUNT_CAP, page_hint=request.GET.get("page")
        )
        if filters.q.strip()
        else Paginator(contracts, PAGE_SIZE)
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
        "transition_initial": today,
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
@require_POST
@application_errors
def contract_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Change a contract's status through its transition service; errors come back as a
    message on the contract's page."""
    user = request.user
    contract = contract_get(actor=user, pk=pk)
    if not user.has_perm("contracts.transition_contract", contract):
        raise PermissionDenied
    today = timezone.localdate()
    form = TransitionForm(request.POST)
    needs_date = action in ("execute", "complete", "terminate")
    if action not in ("execute", "activate", "complete", "terminate", "expire"):
        raise Http404("No such status change.")
    if needs_date and not form.is_valid():
        messages.error(request, "Give the date as YYYY-MM-DD, e.g. 2026-07-01.")
        return redirect("contracts:detail", pk=pk)
    on: date = form.cleaned_data["on"] if needs_date else today
    try:
        if action == "execute":
            services.contract_execute(actor=user, contract=contract, executed_on=on)
        elif action == "activate":
            services.contract_activate(actor=user, contract=contract, today=today)
        elif action == "complete":
            services.contract_complete(actor=user, contract=contract, completed_on=on)
        elif action == "terminate":
            services.contract_terminate(
                actor=user,
                contract=contract,
                terminated_on=on,
                reason=form.cleaned_data.get("reason", ""),
            )
        else:
            services.contract_expire(actor=user, contract=contract, today=today)
    except (ValidationFailed, TransitionNotAllowed) as exc:
        messages.error(request, exc.message)
    else:
        contract.refresh_from_db(fields=["status"])
        messages.success(request, f"The contract is now {contract.get_status_display().lower()}.")
    return redirect("contracts:detail", pk=pk)


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
