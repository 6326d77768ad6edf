"""The procurement file as a background job (`steward.core.jobs`, issue 20): the page starts
it and answers at once; the worker gathers the file and draws the PDF; the job's page follows
it and offers the PDF when it is made (docs/background-jobs.md)."""

from __future__ import annotations

from typing import Any

from steward.core.errors import PermissionDeniedError
from steward.core.jobs import Outcome, Progress, job_start
from steward.core.models import Job
from steward.procurement.models import Solicitation

KIND = "procurement.file_pdf"


def file_pdf_start(*, actor: Any, solicitation: Solicitation) -> Job:
    """Start making `solicitation`'s procurement file as a PDF for `actor`, who must be allowed
    to read its scores (PermissionDeniedError else). Returns the job (with the immediate
    backend, already done)."""
    if not actor.has_perm("procurement.view_scores", solicitation):
        raise PermissionDeniedError("Only the agency's staff may download the procurement file.")
    return job_start(
        owner=actor,
        kind_name=KIND,
        params={"solicitation": solicitation.pk},
        label=f"Procurement file {solicitation.reference} (PDF)",
    )


def run_file_pdf(job: Job, progress: Progress) -> Outcome:
    """The work of the job: the file as its owner reads it (their permission is checked again,
    at the time it runs), as one PDF offered for download."""
    from django.core.exceptions import PermissionDenied

    from steward.procurement.views import file_pdf

    if job.owner is None:
        raise PermissionDeniedError("A procurement file is made for the person who asked.")
    solicitation = Solicitation.objects.select_related("agency__pack").get(
        pk=job.params["solicitation"]
    )
    try:
        pdf = file_pdf(job.owner, solicitation, progress=lambda n: progress(n, force=True))
    except PermissionDenied as exc:
        raise PermissionDeniedError(
            "You may no longer read this procurement file's scores."
        ) from exc
    bids = solicitation.bids.count()
    return Outcome(
        summary=f"The procurement file {solicitation.reference} is ready: {bids} "
        f"bid{'s' if bids != 1 else ''}, one PDF.",
        rows_read=bids,
        result={"download_label": "Download the procurement file (PDF)", "bytes": len(pdf)},
        report_bytes=pdf,
        report_name=f"procurement-file-{solicitation.reference}.pdf".replace("/", "-"),
    )
