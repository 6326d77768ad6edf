"""The returns import as a background job (`steward.core.jobs`): the page and the API store
the upload and start a job; the worker imports it, all or nothing, in one transaction."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.utils import timezone

from steward.core.errors import PermissionDeniedError
from steward.core.exports import csv_text
from steward.core.jobs import Outcome, Progress, job_start
from steward.core.models import Job
from steward.performance.importing import import_returns

KIND = "performance.import"
#: The problems shown on the job page (the report file lists them all).
FIRST_PROBLEMS = 50


def run_import(job: Job, progress: Progress) -> Outcome:
    """The work of a returns import job: the stored upload into its owner's agency."""
    owner: Any = job.owner
    if owner is None or not owner.agency_id:
        raise PermissionDeniedError("Only agency staff import returns.")
    size = default_storage.size(job.upload)
    with default_storage.open(job.upload, "rb") as stream:
        progress.watch(stream, size)
        report = import_returns(
            actor=owner,
            agency=owner.agency,
            stream=stream,
            filename=job.params.get("name", "upload"),
            dry_run=bool(job.params.get("dry_run")),
            reason=job.params.get("reason", ""),
            today=timezone.localdate(),
            progress=progress,
        )
    problems = csv_text(
        ["line", "column", "what"], ([e.line, e.column, e.reason] for e in report.errors)
    )
    return Outcome(
        summary=report.summary(),
        rows_read=report.rows_read,
        problems=len(report.errors),
        result={
            name: getattr(report, name)
            for name in ("written", "dry_run", "rows_read", "created", "updated", "unchanged")
        }
        | {
            "returns_submitted": report.returns_submitted,
            "errors": len(report.errors),
            "first_problems": [
                f"Line {e.line}{f', {e.column}' if e.column else ''}: {e.reason}"
                for e in report.errors[:FIRST_PROBLEMS]
            ],
        },
        report_text=problems if report.errors else "",
        report_name="steward-returns-problems.csv",
    )


def import_start(*, actor: Any, path: str, filename: str, dry_run: bool, reason: str) -> Job:
    """Start a background returns import of the stored upload `path` for `actor`'s agency."""
    return job_start(
        owner=actor,
        kind_name=KIND,
        upload=path,
        label=f"Returns import: {filename}",
        params={"name": filename, "dry_run": dry_run, "reason": reason},
    )
