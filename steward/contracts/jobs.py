"""The register import as a background job (`steward.core.jobs`): the page and the API store
the upload and start a job; the worker imports it, all or nothing, in one transaction."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from steward.contracts.importing import ImportReport, import_contracts
from steward.contracts.selectors import ContractFilters
from steward.core.errors import PermissionDeniedError, TransitionNotAllowed
from steward.core.jobs import Outcome, Progress, job_start
from steward.core.models import Job
from steward.parties.models import Agency

KIND = "contracts.import"
#: The problems shown on the job page (the report file lists them all).
FIRST_PROBLEMS = 50


def import_result(report: ImportReport) -> dict[str, Any]:
    """The counts a job keeps of a register import (its page and `GET /api/v1/jobs/{id}`)."""
    return {
        "written": report.written,
        "dry_run": report.dry_run,
        "rows_read": report.rows_read,
        "rows_taken": report.rows_taken,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "amendments_created": report.amendments_created,
        "errors": len(report.errors),
        "notices": len(report.notices),
        "rejected": len(report.rejected),
        "first_problems": [
            f"Line {e.line}{f', {e.column}' if e.column else ''}: {e.reason}"
            for e in [*report.errors, *report.notices][:FIRST_PROBLEMS]
        ],
    }


def run_import(job: Job, progress: Progress) -> Outcome:
    """The work of a register import job: the stored upload into the agency named in
    `job.params`, as its owner (whose permission `import_contracts` checks again)."""
    if job.owner is None:
        raise PermissionDeniedError("An import needs the person who started it.")
    params = job.params
    agency = Agency.objects.select_related("pack").get(slug=params["agency"])
    size = default_storage.size(job.upload)
    with default_storage.open(job.upload, "rb") as stream:
        progress.watch(stream, size)
        report = import_contracts(
            actor=job.owner,
            agency=agency,
            stream=stream,
            filename=params.get("name", "upload"),
            fmt=params.get("format", "native"),
            skip_invalid=bool(params.get("skip_invalid")),
            dry_run=bool(params.get("dry_run")),
            today=timezone.localdate(),
            progress=progress,
        )
    result = import_result(report)
    if report.dry_run and params.get("confirmable"):
        # the page's check: its job page shows what would happen and, when the file can be
        # imported, the confirm step (`import_confirm_start`)
        if report.ok:
            result["heading"] = "Ready to import"
            result["confirm"] = {
                "url": reverse("contracts:import_confirm", args=[job.pk]),
                "label": f"Import {report.rows_taken} rows",
            }
        else:
            result["heading"] = "The file cannot be imported"
    return Outcome(
        summary=report.summary(),
        rows_read=report.rows_read,
        problems=report.listed,
        result=result,
        report_text=report.problems_csv() if report.listed else "",
        report_name="steward-import-problems.csv",
    )


def import_start(
    *,
    actor: Any,
    agency: Agency,
    path: str,
    filename: str,
    fmt: str,
    skip_invalid: bool = False,
    dry_run: bool = False,
    confirmable: bool = False,
) -> Job:
    """Start a background import of the stored upload `path` into `agency` for `actor`.
    `confirmable` (the page's check, a dry run): the upload is kept after the job for the
    confirm step (`import_confirm_start`), which starts the import proper from it."""
    return job_start(
        owner=actor,
        kind_name=KIND,
        upload=path,
        label=f"Register {'check' if dry_run else 'import'}: {filename} into {agency.name}",
        params={
            "agency": agency.slug,
            "name": filename,
            "format": fmt,
            "skip_invalid": skip_invalid,
            "dry_run": dry_run,
            "confirmable": confirmable and dry_run,
            "keep_upload": confirmable and dry_run,
        },
    )


def import_confirm_start(*, actor: Any, check: Job) -> Job:
    """Import, as a new job, the file that the page's check `check` found ready: once (a
    conditional update marks the check confirmed, so a second click is refused)."""
    from steward.core.models import JobStatus

    ready = (
        check.kind == KIND
        and check.status == JobStatus.SUCCEEDED
        and check.params.get("confirmable")
        and "confirm" in check.result
    )
    if not ready:
        raise TransitionNotAllowed("Only a checked file that is ready can be imported.")
    if check.result.get("confirmed_job"):
        raise TransitionNotAllowed(
            f"This file was already imported (job {check.result['confirmed_job']})."
        )
    if not default_storage.exists(check.upload):
        raise TransitionNotAllowed("The uploaded file is gone; upload it again.")
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=check.pk)
        if locked.result.get("confirmed_job"):
            raise TransitionNotAllowed(
                f"This file was already imported (job {locked.result['confirmed_job']})."
            )
        job = job_start(
            owner=actor,
            kind_name=KIND,
            upload=check.upload,
            label=check.label.replace("Register check:", "Register import:", 1),
            params={**check.params, "dry_run": False, "confirmable": False, "keep_upload": False},
        )
        locked.result = {**locked.result, "confirmed_job": job.pk}
        locked.save(update_fields=["result", "updated_at"])
    job.refresh_from_db()
    return job


# ---------------------------------------------------------------- exports of more than a page

EXPORT_KIND = "contracts.export"


def export_is_large(count: int) -> bool:
    """Whether an export of `count` contracts runs as a background job (more than
    STEWARD_EXPORT_INLINE_MAX_ROWS) rather than in the request."""
    return count > settings.STEWARD_EXPORT_INLINE_MAX_ROWS


def _filters_params(filters: ContractFilters) -> dict[str, Any]:
    return {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in asdict(filters).items()
    }


def _filters_from(params: dict[str, Any]) -> ContractFilters:
    values = dict(params)
    for name in ("ends_before", "ends_after"):
        if values.get(name):
            values[name] = date.fromisoformat(values[name])
    return ContractFilters(**values)


def export_start(*, actor: Any, filters: ContractFilters, fmt: str, count: int) -> Job:
    """Start a background export of the register under `filters` in `fmt` for `actor`."""
    return job_start(
        owner=actor,
        kind_name=EXPORT_KIND,
        label=f"Register export ({fmt.upper()}, {count:,} contracts)",
        params={"filters": _filters_params(filters), "format": fmt},
    )


def run_export(job: Job, progress: Progress) -> Outcome:
    """The work of a register export job: the contracts its owner may see under the stored
    filters (read again now, from the replica when there is one), written by the same
    formula-safe writers as a download made at once, to the default storage."""
    import tempfile

    from django.core.files import File

    from steward.contracts.exporting import HEADERS, SHEET_TITLE, visible_export_rows
    from steward.contracts.selectors import contract_list
    from steward.core.exports import write_export
    from steward.core.replica import replica_reads

    owner = job.owner
    if owner is None:
        raise PermissionDeniedError("An export needs the person who asked for it.")
    fmt = job.params["format"]
    read = 0

    def counted(rows: Any) -> Any:
        nonlocal read
        for row in rows:
            read += 1
            if read % 2000 == 0:
                progress(read)
            yield row

    name = f"steward-contracts-{timezone.localdate():%Y-%m-%d}.{fmt}"
    with tempfile.TemporaryFile() as out:
        with replica_reads():
            contracts = contract_list(actor=owner, filters=_filters_from(job.params["filters"]))
            rows = visible_export_rows(owner, contracts)
            write_export(fmt, HEADERS, counted(rows), out, sheet_title=SHEET_TITLE)
        out.seek(0)
        path = default_storage.save(f"jobs/{job.pk}/{name}", File(out, name=name))
    return Outcome(
        summary=f"The register export is ready: {read:,} contracts.",
        rows_read=read,
        result={"rows": read, "format": fmt},
        report_file=path,
        report_name=name,
    )
