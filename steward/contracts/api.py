"""API: contracts, their workflow, amendments, documents, due dates and history.

Every endpoint on one contract first finds it among the contracts the caller may view (404
otherwise: a provider is not told that another provider's contract exists); the service then
checks the write permission (403 for, e.g., an oversight officer who can read but not write).
"""

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Form, Query, Router, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from ninja.pagination import paginate

from steward.contracts import reports, services
from steward.contracts.hooks import termination_workflow
from steward.contracts.models import Contract, DocumentKind, DueDate
from steward.contracts.schemas import (
    AmendmentIn,
    AmendmentOut,
    AnnualLineOut,
    CompleteIn,
    ContractFilterIn,
    ContractIn,
    ContractOut,
    ContractPatch,
    DocumentOut,
    DueDateOut,
    DueDateReasonIn,
    ExecuteIn,
    ExpiringContractOut,
    ImportReportOut,
    RenewalIn,
    ReopenIn,
    TerminateIn,
    TodayIn,
)
from steward.contracts.selectors import (
    ContractFilters,
    contract_documents,
    contract_get,
    contract_list,
)
from steward.contracts.selectors_due_dates import visible_due_date
from steward.contracts.services_due_dates import due_date_not_needed, due_date_reopen
from steward.core.audit import history_entries
from steward.core.concurrency import if_match, set_etag
from steward.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from steward.core.pagination import LimitOffsetPagination
from steward.core.replica import reads_from_replica
from steward.core.schemas import (
    EDIT_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    AuditEntryOut,
    BackgroundJobOut,
    job_accepted,
)
from steward.core.services import require_perm
from steward.parties.models import Agency, Provider, User

router = Router(tags=["contracts"])


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _contract(request: HttpRequest, contract_id: int) -> Contract:
    return contract_get(actor=_actor(request), pk=contract_id)


def _lookup(model: Any, field: str, value: str, what: str, **lookup: Any) -> Any:
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        raise ValidationFailed(
            f"{field}: no {what} {value!r}.", errors={field: [f"No {what} {value!r}."]}
        )
    return obj


def _resolve_references(data: dict[str, Any]) -> dict[str, Any]:
    """Replace the provider slug and contract manager username in `data` by the records."""
    data = dict(data)
    if data.get("provider") is not None:
        slug = data["provider"]
        data["provider"] = _lookup(Provider, "provider", slug, "provider", slug=slug)
    elif "provider" in data:
        raise ValidationFailed(
            "provider: a contract needs a provider.", errors={"provider": ["Required."]}
        )
    if data.get("contract_manager"):
        name = data["contract_manager"]
        data["contract_manager"] = _lookup(User, "contract_manager", name, "user", username=name)
    elif "contract_manager" in data:
        data["contract_manager"] = None
    return data


def _refetch(request: HttpRequest, contract: Contract) -> Contract:
    return _contract(request, contract.pk)


# ---------------------------------------------------------------- the register


@router.get(
    "/contracts",
    response={200: list[ContractOut], **READ_ERRORS},
    summary="List contracts",
    description="The contracts the caller may see, filtered and sorted; paginated with "
    "`limit` and `offset`. Provider users see only their own organisation's executed "
    "contracts, with `notes` null.",
)
@paginate(LimitOffsetPagination)
def contract_index(request: HttpRequest, filters: Query[ContractFilterIn]) -> Any:
    return contract_list(
        actor=_actor(request),
        filters=ContractFilters(
            q=filters.q,
            status=filters.status or "",
            agency=filters.agency,
            provider=filters.provider,
            contract_type=filters.contract_type or "",
            ends_before=filters.ends_before,
            ends_after=filters.ends_after,
            sort=filters.sort,
        ),
    )


@router.post(
    "/contracts",
    response={201: ContractOut, **WRITE_ERRORS},
    summary="Create a contract",
    description="Create a draft contract in the agency named by `agency` with the provider "
    "named by `provider` (slugs). The agency's contract managers and administrators.",
)
def contract_add(request: HttpRequest, payload: ContractIn) -> Any:
    data = payload.model_dump()
    slug = data.pop("agency")
    agency = _lookup(Agency, "agency", slug, "agency", slug=slug)
    if data.get("contract_manager") is None:
        data.pop("contract_manager")
    contract = services.contract_create(
        actor=_actor(request), agency=agency, data=_resolve_references(data)
    )
    return Status(201, _refetch(request, contract))


# ---------------------------------------------------------------- register in and out


@router.post(
    "/contracts/import",
    response={200: ImportReportOut, 202: BackgroundJobOut, **WRITE_ERRORS},
    tags=["register import and export"],
    summary="Import a contract register (CSV or XLSX)",
    description="Multipart upload: `file` (.csv or .xlsx), `format` (native, uk-transparency, "
    "us-open-data), `agency` (slug; defaults to the caller's agency), `dry_run`, "
    "`skip_invalid`. All or nothing: a file with any bad row imports nothing and answers 422 "
    "with every bad row in `errors`, keyed 'line N: column'. With `dry_run` nothing is "
    "written and the report says what would happen; with `skip_invalid` the valid rows are "
    "imported and `rejected_csv` holds the others with their reasons. Re-importing the same "
    "file changes nothing (upsert on agency and contract number). Contract managers of the "
    "agency and administrators. The import runs in the background: the file is checked "
    "(type, size, a real CSV/XLSX), stored, and the answer is at once 202 with the job "
    "(`id`, `url` to follow at `GET /api/v1/jobs/{id}`, `page_url`; also in `Location`); a "
    "worker then imports it, all or nothing, and the job keeps its counts and problems "
    "report. Changed in issue 20: `background` now defaults to true. `background=false` "
    "keeps the former synchronous answer (200 with the report, 422 with every bad row) for "
    "small files and existing clients.",
)
def contract_import(
    request: HttpRequest,
    response: HttpResponse,
    file: File[UploadedFile],
    format: Form[str] = "native",
    agency: Form[str] = "",
    dry_run: Form[bool] = False,
    skip_invalid: Form[bool] = False,
    background: Form[bool] = True,
) -> Any:

    from steward.contracts.importing import import_contracts
    from steward.contracts.register_views import IMPORT_MAX_BYTES
    from steward.core.uploads import UploadRejected, check_upload

    actor = _actor(request)
    if agency:
        target = _lookup(Agency, "agency", agency, "agency", slug=agency)
    elif actor.agency_id:
        target = actor.agency
    else:
        raise ValidationFailed(
            "Name the agency to import into.", errors={"agency": ["This field is required."]}
        )
    head = file.read(8192)
    file.seek(0)
    try:
        checked = check_upload(
            filename=file.name or "",
            head=head,
            size=file.size or 0,
            max_bytes=IMPORT_MAX_BYTES,
            stream=file,
        )
        if checked.extension not in ("csv", "xlsx"):
            raise UploadRejected("Upload the register as a .csv or .xlsx file.")
    except UploadRejected as exc:
        raise ValidationFailed(str(exc), errors={"file": [str(exc)]}) from exc
    if background:
        from steward.contracts.jobs import import_start
        from steward.core.jobs import store_upload
        from steward.core.services import require_perm

        require_perm(actor, "contracts.add_contract", target, action="import contracts")
        job = import_start(
            actor=actor,
            agency=target,
            path=store_upload(file),
            filename=file.name or "upload",
            fmt=format,
            skip_invalid=skip_invalid,
            dry_run=dry_run,
        )
        return job_accepted(job, response)
    report = import_contracts(
        actor=actor,
        agency=target,
        stream=file,
        filename=file.name or "upload",
        fmt=format,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        today=timezone.localdate(),
    )
    if report.errors and not (skip_invalid and report.written):
        errors: dict[str, list[str]] = {}
        for e in report.errors:
            errors.setdefault(f"line {e.line}: {e.column}" if e.column else f"line {e.line}", [])
            errors[f"line {e.line}: {e.column}" if e.column else f"line {e.line}"].append(e.reason)
        raise ValidationFailed(report.summary(), errors=errors)
    return {
        "filename": report.filename,
        "format": report.format,
        "dry_run": report.dry_run,
        "written": report.written,
        "rows_read": report.rows_read,
        "rows_taken": report.rows_taken,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "amendments_created": report.amendments_created,
        "reopened": report.reopened,
        "providers_created": report.providers_created,
        "skipped": [f"line {line}: {why}" for line, why in report.skipped],
        "errors": [
            {"line": e.line, "column": e.column, "contract": e.number, "reason": e.reason}
            for e in report.errors
        ],
        "notices": [
            {"line": e.line, "column": e.column, "contract": e.number, "reason": e.reason}
            for e in report.notices
        ],
        "rejected_csv": report.rejected_csv() if report.rejected else None,
        "problems_csv": report.problems_csv() if report.errors or report.notices else None,
    }


@router.get(
    "/contracts/export",
    response={200: None, **READ_ERRORS},
    tags=["register import and export"],
    summary="Export the register (CSV, XLSX or JSON)",
    description="The contracts the caller may see, with the same filters as the list, in "
    "Steward's native columns (the import template's: an export imports back unchanged). "
    "`format`: csv (default), xlsx or json. Provider users get `notes` empty.",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The register as a file (an attachment)",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}
                    },
                },
            }
        }
    },
)
@decorate_view(reads_from_replica)
def contract_export(
    request: HttpRequest, filters: Query[ContractFilterIn], format: str = "csv"
) -> Any:
    from steward.contracts.exporting import HEADERS, SHEET_TITLE, export_rows
    from steward.core.exports import FORMATS, export_response

    if format not in FORMATS:
        raise ValidationFailed(
            f"Unknown format {format!r}.", errors={"format": ["Use csv, xlsx or json."]}
        )
    actor = _actor(request)
    contracts = contract_list(
        actor=actor,
        filters=ContractFilters(
            q=filters.q,
            status=filters.status or "",
            agency=filters.agency,
            provider=filters.provider,
            contract_type=filters.contract_type or "",
            ends_before=filters.ends_before,
            ends_after=filters.ends_after,
            sort=filters.sort,
        ),
    )
    rows = export_rows(contracts)
    if not actor.has_perm("audit.view_history"):
        rows = ([*row[:-1], ""] for row in rows)
    return export_response(
        format, HEADERS, rows, filename=f"steward-contracts.{format}", sheet_title=SHEET_TITLE
    )


@router.get(
    "/contracts/{contract_id}",
    response={200: ContractOut, **READ_ERRORS},
    summary="Get a contract",
    description="One contract; 404 when the caller may not see it.",
)
def contract_detail(request: HttpRequest, contract_id: int, response: HttpResponse) -> Any:
    contract = _contract(request, contract_id)
    set_etag(response, contract)
    return contract


@router.patch(
    "/contracts/{contract_id}",
    response={200: ContractOut, **EDIT_ERRORS},
    summary="Change a contract",
    description="Change the fields sent. Once executed, the parties, number, dates and "
    "maximum obligation change only by amendment (422 naming the fields). Send the ETag of "
    "your last read as `If-Match`: 412 when someone else changed the contract since.",
)
def contract_change(
    request: HttpRequest, contract_id: int, payload: ContractPatch, response: HttpResponse
) -> Any:
    current = _contract(request, contract_id)
    with if_match(request, current):
        contract = services.contract_update(
            actor=_actor(request),
            contract=current,
            data=_resolve_references(payload.model_dump(exclude_unset=True)),
        )
    contract = _refetch(request, contract)
    set_etag(response, contract)
    return contract


# ---------------------------------------------------------------- workflow


@router.post(
    "/contracts/{contract_id}/execute",
    response={200: ContractOut, **WRITE_ERRORS},
    summary="Execute a contract",
    description="Draft → executed (signed) on `executed_on`. 409 from any other status.",
)
def contract_execute(request: HttpRequest, contract_id: int, payload: ExecuteIn) -> Any:
    contract = services.contract_execute(
        actor=_actor(request),
        contract=_contract(request, contract_id),
        executed_on=payload.executed_on,
    )
    return _refetch(request, contract)


@router.post(
    "/contracts/{contract_id}/activate",
    response={200: ContractOut, **WRITE_ERRORS},
    summary="Activate a contract",
    description="Executed → active, not before the start date. `today` defaults to today.",
)
def contract_activate(request: HttpRequest, contract_id: int, payload: TodayIn) -> Any:
    contract = services.contract_activate(
        actor=_actor(request),
        contract=_contract(request, contract_id),
        today=payload.today or timezone.localdate(),
    )
    return _refetch(request, contract)


@router.post(
    "/contracts/{contract_id}/complete",
    response={200: ContractOut, **WRITE_ERRORS},
    summary="Complete a contract",
    description="Active → completed on `completed_on`; the closeout evaluation falls due "
    "(seed 000: 60 days in the Connecticut pack). 400 when `completed_on` is before the "
    "start, after the end date (record an extension first) or in the future.",
)
def contract_complete(request: HttpRequest, contract_id: int, payload: CompleteIn) -> Any:
    contract = services.contract_complete(
        actor=_actor(request),
        contract=_contract(request, contract_id),
        completed_on=payload.completed_on,
    )
    return _refetch(request, contract)


@router.post(
    "/contracts/{contract_id}/terminate",
    response={200: ContractOut, **WRITE_ERRORS},
    summary="Terminate a contract",
    description="Executed or active → terminated early on `terminated_on`, with a reason; the "
    "closeout evaluation falls due. 400 when the date is in the future or before the signing; "
    "409 where the agency's process is the early-termination review (seed 003 packs): "
    "terminate through that review instead.",
)
def contract_terminate(request: HttpRequest, contract_id: int, payload: TerminateIn) -> Any:
    contract = _contract(request, contract_id)
    if termination_workflow(contract):
        raise TransitionNotAllowed(
            "This agency terminates a contract early through the contract manager's review "
            "of supply and contractual capacity, then written notice; use that review."
        )
    contract = services.contract_terminate(
        actor=_actor(request),
        contract=contract,
        terminated_on=payload.terminated_on,
        reason=payload.reason,
    )
    return _refetch(request, contract)


@router.post(
    "/contracts/{contract_id}/reopen",
    response={200: ContractOut, **WRITE_ERRORS},
    summary="Reopen a completed or terminated contract",
    description="Completed or terminated → active (executed if it has not started), for a "
    "contract closed by mistake, with the reason (kept in the history with the cleared "
    "completion or termination date). The closeout evaluation that fell due is cancelled. "
    "The agency's contract manager or an administrator; 409 from any other status.",
)
def contract_reopen(request: HttpRequest, contract_id: int, payload: ReopenIn) -> Any:
    contract = services.contract_reopen(
        actor=_actor(request),
        contract=_contract(request, contract_id),
        reason=payload.reason,
    )
    return _refetch(request, contract)


@router.post(
    "/contracts/{contract_id}/expire",
    response={200: ContractOut, **WRITE_ERRORS},
    summary="Expire a contract",
    description="Executed or active → expired once the end date has passed (`today` defaults "
    "to today); the closeout evaluation falls due from the end date.",
)
def contract_expire(request: HttpRequest, contract_id: int, payload: TodayIn) -> Any:
    contract = services.contract_expire(
        actor=_actor(request),
        contract=_contract(request, contract_id),
        today=payload.today or timezone.localdate(),
    )
    return _refetch(request, contract)


# ---------------------------------------------------------------- amendments


@router.get(
    "/contracts/{contract_id}/amendments",
    response={200: list[AmendmentOut], **READ_ERRORS},
    tags=["amendments"],
    summary="List a contract's amendments",
    description="The contract's amendments in order, with values before and after.",
)
def amendment_list(request: HttpRequest, contract_id: int) -> Any:
    contract = _contract(request, contract_id)
    return contract.amendments.select_related("created_by").order_by("sequence")


@router.post(
    "/contracts/{contract_id}/amendments",
    response={201: AmendmentOut, **WRITE_ERRORS},
    tags=["amendments"],
    summary="Amend a contract",
    description="Extend the end date and/or change the maximum obligation of an executed or "
    "active contract, with a reason. Contract managers and finance officers of its agency.",
)
def amendment_add(request: HttpRequest, contract_id: int, payload: AmendmentIn) -> Any:
    amendment = services.amendment_create(
        actor=_actor(request),
        contract=_contract(request, contract_id),
        effective_on=payload.effective_on,
        reason=payload.reason,
        new_end_date=payload.new_end_date,
        new_maximum_obligation=payload.new_maximum_obligation,
    )
    return Status(201, amendment)


# ---------------------------------------------------------------- documents


@router.get(
    "/contracts/{contract_id}/documents",
    response={200: list[DocumentOut], **READ_ERRORS},
    tags=["documents"],
    summary="List a contract's documents",
    description="Metadata of the contract's documents, newest first. Provider users see only "
    "those released to the provider.",
)
def document_list(request: HttpRequest, contract_id: int) -> Any:
    contract = _contract(request, contract_id)
    return contract_documents(actor=_actor(request), contract=contract)


@router.post(
    "/contracts/{contract_id}/documents",
    response={201: DocumentOut, **WRITE_ERRORS},
    tags=["documents"],
    summary="Upload a document",
    description="Multipart upload (`file`, `kind`, `title`, `released_to_provider`). The type "
    "is checked by extension and content; the size against the limit. 422 says why a file is "
    "refused.",
)
def document_add(
    request: HttpRequest,
    contract_id: int,
    file: File[UploadedFile],
    kind: Form[DocumentKind],
    title: Form[str] = "",
    released_to_provider: Form[bool] = True,
) -> Any:
    document = services.document_upload(
        actor=_actor(request),
        contract=_contract(request, contract_id),
        kind=kind,
        title=title,
        upload=file,
        released_to_provider=released_to_provider,
    )
    return Status(201, document)


# ---------------------------------------------------------------- due dates and history


@router.get(
    "/contracts/{contract_id}/due-dates",
    response={200: list[DueDateOut], **READ_ERRORS},
    tags=["due dates"],
    summary="A contract's due dates",
    description="The deadlines computed for the contract (open, done and cancelled), soonest "
    "first, each with the rule, pack and version that produced it. Agency staff only.",
)
def due_date_list(request: HttpRequest, contract_id: int) -> Any:
    contract = _contract(request, contract_id)
    require_perm(_actor(request), "contracts.view_internal", contract, action="see due dates")
    return DueDate.objects.filter(contract=contract).order_by("due_date", "pk")


def _due_date(request: HttpRequest, due_id: int) -> DueDate:
    return visible_due_date(_actor(request), due_id)  # Http404 → the API's 404


@router.post(
    "/due-dates/{due_id}/not-needed",
    response={200: DueDateOut, **WRITE_ERRORS},
    tags=["due dates"],
    summary="Mark a due date not needed",
    description="Closes an open due date with the reason (kept in its history): it leaves "
    "every work list, the calendar, the reminders and the exception report. Agency staff whose "
    "role acts on its kind, and administrators.",
)
def due_date_mark_not_needed(request: HttpRequest, due_id: int, payload: DueDateReasonIn) -> Any:
    due = _due_date(request, due_id)
    return due_date_not_needed(
        actor=_actor(request), due=due, reason=payload.reason, today=due.agency.today()
    )


@router.post(
    "/due-dates/{due_id}/reopen",
    response={200: DueDateOut, **WRITE_ERRORS},
    tags=["due dates"],
    summary="Reopen a due date marked not needed",
    description="It is due again on its date, with the reason kept in its history.",
)
def due_date_mark_reopened(request: HttpRequest, due_id: int, payload: DueDateReasonIn) -> Any:
    return due_date_reopen(
        actor=_actor(request), due=_due_date(request, due_id), reason=payload.reason
    )


@router.get(
    "/contracts/{contract_id}/history",
    response={200: list[AuditEntryOut], **READ_ERRORS},
    tags=["history"],
    summary="A contract's history",
    description="Who changed the contract, when, why and which fields (newest first, 50 at "
    "most). Agency staff and administrators.",
)
def contract_history(request: HttpRequest, contract_id: int) -> Any:
    contract = _contract(request, contract_id)
    if not _actor(request).has_perm("audit.view_history", contract):
        raise PermissionDeniedError("You do not have permission to view the history.")
    return history_entries(contract)


@router.post(
    "/contracts/{contract_id}/renewals",
    response={201: AmendmentOut, **WRITE_ERRORS},
    tags=["amendments"],
    summary="Exercise a renewal option",
    description="Exercise one of the contract's renewal or extension options: a later end "
    "date (and a new maximum obligation if the renewal adds money), recorded as a renewal "
    "amendment. 409 when every option is exercised or the contract is not executed or "
    "active. Contract managers and finance officers of its agency.",
)
def renewal_add(request: HttpRequest, contract_id: int, payload: RenewalIn) -> Any:
    amendment = services.renewal_exercise(
        actor=_actor(request),
        contract=_contract(request, contract_id),
        effective_on=payload.effective_on,
        new_end_date=payload.new_end_date,
        reason=payload.reason,
        new_maximum_obligation=payload.new_maximum_obligation,
    )
    return Status(201, amendment)


# ---------------------------------------------------------------- reports (seed 000)


@router.get(
    "/reports/expiring",
    response={200: list[ExpiringContractOut], **READ_ERRORS},
    tags=["reports"],
    summary="Expiring contracts",
    description="Executed and active contracts whose end date falls from `as_of` (default "
    "today) to `as_of + within` days, both included, soonest first; with days left, renewal "
    "options left, and (once evaluations exist) the latest evaluation score and renewal "
    "eligibility. Agency staff see their own agency; oversight officers and administrators "
    "every agency (or `agency`, a slug). Provider users: 403.",
)
@decorate_view(reads_from_replica)
def report_expiring(
    request: HttpRequest, within: int = 120, as_of: date | None = None, agency: str = ""
) -> Any:

    day = as_of or timezone.localdate()
    contracts = reports.expiring_report(
        actor=_actor(request), as_of=day, within_days=within, agency_slug=agency
    )
    return [reports.expiring_record(r) for r in reports.expiring_rows(contracts, day)]


@router.get(
    "/reports/annual",
    response={200: list[AnnualLineOut], **READ_ERRORS},
    tags=["reports"],
    summary="Annual POS and PSA report",
    description="Per agency, for `fiscal_year` (named by the year it ends in, on each "
    "agency's pack: July 1 for CT and MA, April 1 in the UK): the contracts in force at any "
    "time in the year by type, POS and PSA first, and the contracts ending in the next "
    "fiscal year. Agency staff: their agency; oversight officers and administrators: every "
    "agency (or `agency`). Provider users: 403.",
)
@decorate_view(reads_from_replica)
def report_annual(request: HttpRequest, fiscal_year: int, agency: str = "") -> Any:

    lines = reports.annual_report(
        actor=_actor(request), fiscal_year=fiscal_year, agency_slug=agency
    )
    return [
        {
            "agency": line.agency,
            "fiscal_year": line.fiscal_year,
            "first_day": line.first_day,
            "last_day": line.last_day,
            "by_type": [
                {"contract_type": t.contract_type, "contracts": t.count, "value": t.value}
                for t in [*line.reported, *line.others]
            ],
            "total_contracts": line.total_count,
            "total_value": line.total_value,
            "ending_next_fiscal_year": line.expiring_next_year,
            "ending_next_fiscal_year_value": line.expiring_next_year_value,
        }
        for line in lines
    ]
