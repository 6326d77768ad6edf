"""The register import as a background job (`steward.core.jobs`): the page and the API store
the upload and start a job; the worker imports it, all or nothing, in one transaction."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.utils import timezone

from steward.contracts.importing import ImportReport, import_contracts
from steward.core.errors import PermissionDeniedError
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
    return Outcome(
        summary=report.summary(),
        rows_read=report.rows_read,
        problems=report.listed,
        result=import_result(report),
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
) -> Job:
    """Start a background import of the stored upload `path` into `agency` for `actor`."""
    return job_start(
        owner=actor,
        kind_name=KIND,
        upload=path,
        label=f"Register import: {filename} into {agency.name}",
        params={
            "agency": agency.slug,
            "name": filename,
            "format": fmt,
            "skip_invalid": skip_invalid,
            "dry_run": dry_run,
        },
    )
