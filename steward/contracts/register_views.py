"""Pages for the register in and out: import (upload, preview, confirm), the import template,
export of the current filter, and exercising a renewal option."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from steward.contracts import services
from steward.contracts.exporting import HEADERS, SHEET_TITLE, visible_export_rows
from steward.contracts.forms import ContractFilterForm, ImportForm, RenewalForm
from steward.contracts.jobs import (
    export_is_large,
    export_start,
    import_confirm_start,
    import_start,
)
from steward.contracts.selectors import ContractFilters, contract_get, contract_list
from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.exports import CSV_TYPE, FORMATS, attachment, csv_text, export_response
from steward.core.forms import apply_errors
from steward.core.jobs import job_get, store_upload
from steward.core.models import JobStatus
from steward.core.replica import reads_from_replica
from steward.core.uploads import UploadRejected, check_upload
from steward.core.views import application_errors
from steward.parties.models import Agency, Role

IMPORT_MAX_BYTES = 20 * 1024 * 1024


def _import_agencies(user: Any) -> list[tuple[str, str]] | None:
    """None: the user imports into their own agency; else the agencies to choose from."""
    if user.role == Role.ADMINISTRATOR:
        return list(Agency.objects.order_by("name").values_list("slug", "name"))
    if user.agency_id and user.has_perm("contracts.add_contract", user.agency):
        return None
    raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def contract_import(request: HttpRequest) -> HttpResponse:
    """Step 1: upload. The request only checks the file (type, size, a real CSV/XLSX), stores
    it and starts the check (a dry run) as a background job; the job's page shows what would
    happen, every bad row listed, and step 2: "Import", from there (`import_confirm`)."""
    user: Any = request.user
    agencies = _import_agencies(user)
    form = ImportForm(request.POST or None, request.FILES or None, agencies=agencies)
    agency: Agency | None = user.agency if agencies is None else None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        head = upload.read(8192)
        upload.seek(0)
        try:
            checked = check_upload(
                filename=upload.name,
                head=head,
                size=upload.size,
                max_bytes=IMPORT_MAX_BYTES,
                stream=upload,
            )
            if checked.extension not in ("csv", "xlsx"):
                raise UploadRejected("Upload the register as a .csv or .xlsx file.")
        except UploadRejected as exc:
            form.add_error("file", str(exc))
        else:
            if agencies is not None:
                agency = Agency.objects.select_related("pack").get(slug=form.cleaned_data["agency"])
            assert agency is not None
            job = import_start(
                actor=user,
                agency=agency,
                path=store_upload(upload),
                filename=upload.name,
                fmt=form.cleaned_data["format"],
                dry_run=True,
                confirmable=True,
            )
            return redirect("core:job", pk=job.pk)
    return render(request, "contracts/import.html", {"form": form, "agency": agency})


@login_required
@require_http_methods(["POST"])
@application_errors
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 2: import the file the check job `pk` found ready, all or nothing, as a new job
    (once: a second confirm is refused)."""
    user: Any = request.user
    check = job_get(actor=user, pk=pk)
    try:
        job = import_confirm_start(actor=user, check=check)
    except TransitionNotAllowed as exc:  # already imported, not ready, the file is gone
        messages.error(request, exc.message)
        return redirect("core:job", pk=check.pk)
    if job.status == JobStatus.SUCCEEDED and job.result.get("written") and not job.problems:
        messages.success(request, job.summary)  # done already (a quick worker, the tests)
        return redirect(f"{_register_url()}?agency={job.params['agency']}")
    return redirect("core:job", pk=job.pk)


def _register_url() -> str:
    from django.urls import reverse

    return reverse("contracts:list")


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    """The native template: the header row and one example row."""
    example = [
        "DCF-27-001",
        "Intensive family preservation",
        "In-home services for families at risk of a child's removal",
        "Bright Futures Family Services, Inc.",
        "06-1234567",
        "",
        "",
        "no",
        "Child welfare",
        "pos",
        "Family preservation",
        "MM3",
        "Deputy Commissioner",
        "2027-07-01",
        "2028-06-30",
        "2",
        "0",
        "Two one-year renewals",
        "1250000.00",
        "USD",
        "",
        "unit_rate",
        "no",
        "",
        "tendered",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ]
    assert len(example) == len(HEADERS)
    return attachment(
        csv_text(HEADERS, [example]),
        content_type=CSV_TYPE,
        filename="steward-contracts-template.csv",
    )


@login_required
@require_GET
@reads_from_replica
def contract_export(request: HttpRequest) -> HttpResponseBase:
    """The register for the current filter, in csv, xlsx or json (the native columns)."""
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        fmt = "csv"
    form = ContractFilterForm(
        request.GET or None,
        agencies=list(Agency.objects.order_by("name").values_list("slug", "name")),
    )
    if form.is_bound:
        form.is_valid()
    filters = ContractFilters(
        q=form.value("q") or "",
        status=form.value("status") or "",
        agency=form.value("agency") or "",
        provider=form.value("provider") or "",
        contract_type=form.value("contract_type") or "",
        ends_before=form.value("ends_before"),
        ends_after=form.value("ends_after"),
        sort="end_date",
    )
    contracts = contract_list(actor=request.user, filters=filters)
    count = contracts.count()
    if export_is_large(count):
        # more than a page: written by a background job; its page offers the download
        job = export_start(actor=request.user, filters=filters, fmt=fmt, count=count)
        return redirect("core:job", pk=job.pk)
    rows = visible_export_rows(request.user, contracts)
    return export_response(
        fmt,
        HEADERS,
        rows,
        filename=f"steward-contracts-{timezone.localdate():%Y-%m-%d}.{fmt}",
        sheet_title=SHEET_TITLE,
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def renewal_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    contract = contract_get(actor=user, pk=pk)
    if not user.has_perm("contracts.amend_contract", contract):
        raise PermissionDenied
    form = RenewalForm(request.POST or None, contract=contract)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.renewal_exercise(
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
            messages.success(request, "Renewal option exercised.")
            return redirect("contracts:detail", pk=pk)
    return render(request, "contracts/renewal_form.html", {"form": form, "contract": contract})
