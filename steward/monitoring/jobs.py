"""Results letters in a batch, as a background job (issue 20 section 2; docs/letters.md).

Whoever follows a monitoring round wants its results letters (seed 002 stage 7) together: to
print and post them, to file the round, to put them before senior managers. The cycle list
(filtered by year, agency, status) and `POST /api/v1/monitoring/results-letters` start ONE
job; the request only checks who asks and which letters, and answers at once. The worker
draws each letter with the letter's own template and context (`services.LETTER_TEMPLATE`,
`services.sent_letter_context`: no second copy of the layout) into one PDF, each letter on
new pages and a bookmark of the file, and the job's page counts the letters drawn and offers
the PDF. `steward letters results` makes the same PDF on the command line.

Who: only someone who may read every letter of the batch, as they read the single letter
(`selectors.results_letters`: the cycle, its contract, the letter among its documents); a
provider's users only their own. Asked again when the worker runs and when the file is
downloaded. The job's row is the record of the batch: who asked, when, which cycles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from steward.contracts.selectors import agencies_seen_by
from steward.core.errors import PermissionDeniedError, ValidationFailed
from steward.core.jobs import Outcome, Progress, job_start
from steward.core.models import Job
from steward.core.pdf import render_pdf_bundle
from steward.monitoring import selectors
from steward.monitoring.models import Cycle
from steward.monitoring.services import LETTER_TEMPLATE, sent_letter_context
from steward.parties.models import Agency, Provider, Role

KIND = "monitoring.results_letters"
#: The most letters in one file. Every letter's pages are held until the file is written
#: (about 1.8 MB and 0.4 s a letter on a two-core machine): 200 is some 360 MB at most.
MAX_LETTERS = 200


def batch_cycles(
    *,
    actor: Any,
    year: int | None = None,
    agency: Agency | None = None,
    provider: Provider | None = None,
    status: str = "",
    cycle_ids: list[int] | None = None,
) -> list[Cycle]:
    """The cycles whose results letters make the batch `actor` asks for, by agency, contract
    number and year. PermissionDeniedError when they name an agency or provider whose letters
    they may not read, or a cycle whose letter they may not read (or that has none);
    ValidationFailed when no letter matches (nothing to draw) or more than MAX_LETTERS."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDeniedError("Sign in to download letters.")
    own = actor.provider_id if actor.role == Role.PROVIDER_USER else None
    if provider is not None and own is not None and provider.pk != own:
        raise PermissionDeniedError("You may download only your own organisation's letters.")
    if agency is not None and not _may_read_agency(actor, agency):
        raise PermissionDeniedError("You may not read this agency's letters.")
    wanted = sorted(set(cycle_ids)) if cycle_ids is not None else None
    cycles = list(
        selectors.results_letters(
            actor=actor,
            year=year,
            agency_id=agency.pk if agency else None,
            provider_id=provider.pk if provider else None,
            status=status,
            cycle_ids=wanted,
        )
    )
    if wanted is not None and len(cycles) != len(wanted):
        raise PermissionDeniedError(
            "You may not read every letter in this batch: some of these cycles are not yours "
            "to read or have no results letter yet."
        )
    for cycle in cycles:  # the single letter's own rules, object by object
        if not (
            actor.has_perm("monitoring.view_cycle", cycle)
            and actor.has_perm("contracts.view_contract", cycle.contract)
        ):
            raise PermissionDeniedError("You may not read every letter in this batch.")
    if not cycles:
        raise ValidationFailed(
            "No results letter has been sent for these cycles yet, so there is nothing to "
            "download. Choose another year or agency.",
            errors={"__all__": ["No results letter matches."]},
        )
    if len(cycles) > MAX_LETTERS:
        raise ValidationFailed(
            f"These are {len(cycles)} letters, more than the {MAX_LETTERS} one file holds. "
            "Choose a year and an agency.",
            errors={"__all__": [f"At most {MAX_LETTERS} letters."]},
        )
    return cycles


def _may_read_agency(actor: Any, agency: Agency) -> bool:
    """Whether `actor` may name `agency` in a batch: a provider's users any agency (the letters
    are narrowed to their own), anyone else an agency whose contracts they see (the register's
    rule: their own agency, or an oversight officer's jurisdiction)."""
    if actor.role == Role.PROVIDER_USER:
        return True
    return agencies_seen_by(actor).filter(pk=agency.pk).exists()


def results_letters_start(
    *,
    actor: Any,
    year: int | None = None,
    agency: Agency | None = None,
    provider: Provider | None = None,
    status: str = "",
    cycle_ids: list[int] | None = None,
) -> Job:
    """Start ONE job drawing the results letters `batch_cycles` finds for `actor` into one
    PDF. Draws nothing itself. Returns the job (already done with the immediate backend of
    the tests). Raises what `batch_cycles` raises; no job is written then."""
    cycles = batch_cycles(
        actor=actor,
        year=year,
        agency=agency,
        provider=provider,
        status=status,
        cycle_ids=cycle_ids,
    )
    n = len(cycles)
    return job_start(
        owner=actor,
        kind_name=KIND,
        params={
            "cycles": [c.pk for c in cycles],
            "total": n,
            "unit": "letters",
            "file": _file_name(year, agency, provider),
        },
        label=f"{n} results letter{'s' if n != 1 else ''}{_about(year, agency, provider)} (PDF)",
    )


def _about(year: int | None, agency: Agency | None, provider: Provider | None) -> str:
    parts = [str(year)] if year else []
    parts += [o for o in (agency and agency.name, provider and provider.legal_name) if o]
    return f": {', '.join(parts)}" if parts else ""


def _file_name(year: int | None, agency: Agency | None, provider: Provider | None) -> str:
    parts = ["results-letters"]
    if year:
        parts.append(str(year))
    if agency is not None:
        parts.append(agency.slug)
    if provider is not None:
        parts.append(f"provider-{provider.pk}")
    return "-".join(parts) + ".pdf"


def results_letters_pdf(
    cycles: list[Cycle], *, progress: Callable[[int], None] | None = None
) -> tuple[bytes, int]:
    """The results letters of `cycles` (each sent) as one PDF, in that order, each drawn as
    the letter alone is (its template, its context) and starting on a new page. Returns the
    bytes and the number of pages; `progress(letters_done)` after each letter."""
    years = sorted({c.year for c in cycles})
    title = "Monitoring results letters " + (
        str(years[0]) if len(years) == 1 else f"{years[0]} to {years[-1]}"
    )
    return render_pdf_bundle(
        ((LETTER_TEMPLATE, sent_letter_context(c)) for c in cycles),
        title=title,
        progress=progress,
    )


def _cycles_of(actor: Any, job: Job) -> list[Cycle]:
    ids = [int(pk) for pk in job.params.get("cycles", [])]
    return list(
        selectors.results_letters(actor=actor, cycle_ids=ids).prefetch_related(
            "actions", "judgements"
        )
    )


def run_results_letters(job: Job, progress: Progress) -> Outcome:
    """The work of the job: the letters drawn for its owner, who must still read every one of
    them (PermissionDeniedError, the job fails, otherwise), into one PDF offered for download.
    Writes nothing but the job's progress."""
    if job.owner is None:
        raise PermissionDeniedError("A batch of letters is made for the person who asked.")
    ids = job.params.get("cycles", [])
    cycles = _cycles_of(job.owner, job)
    if len(cycles) != len(ids):
        raise PermissionDeniedError(
            "You may no longer read every letter in this batch; start it again from the list."
        )
    progress.expect(len(cycles))
    progress(0, force=True)
    pdf, pages = results_letters_pdf(cycles, progress=progress)
    n = len(cycles)
    return Outcome(
        summary=f"{n} results letter{'s' if n != 1 else ''} in one PDF of {pages} pages, "
        "each letter starting on a new page.",
        rows_read=n,
        result={
            "download_label": "Download the letters (one PDF)",
            "letters": n,
            "pages": pages,
            "bytes": len(pdf),
        },
        report_bytes=pdf,
        report_name=job.params.get("file") or "results-letters.pdf",
    )


def may_download(actor: Any, job: Job) -> bool:
    """Whether `actor` may still read every letter of the batch `job` made."""
    ids = set(job.params.get("cycles", []))
    return selectors.results_letters(actor=actor, cycle_ids=list(ids)).count() == len(ids)
