"""API: the caller (GET /me) and policy packs."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from steward.core.audit import history_entries
from steward.core.concurrency import if_match, set_etag
from steward.core.errors import NotFoundError, PermissionDeniedError
from steward.core.models import PolicyPack
from steward.core.schemas import (
    EDIT_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    AuditEntryOut,
    BackgroundJobOut,
)
from steward.core.services import policy_pack_copy, policy_pack_update, require_perm

router = Router()


# ---------------------------------------------------------------- me


class OrganisationOut(Schema):
    slug: str
    name: str


class MeOut(Schema):
    username: str
    full_name: str
    email: str
    role: str = Field(description="parties.models.Role value")
    role_label: str
    agency: OrganisationOut | None = Field(description="Set for agency staff")
    provider: OrganisationOut | None = Field(description="Set for provider users")

    @staticmethod
    def resolve_full_name(obj: Any) -> str:
        return obj.get_full_name()

    @staticmethod
    def resolve_role_label(obj: Any) -> str:
        return obj.get_role_display()

    @staticmethod
    def resolve_agency(obj: Any) -> Any:
        return {"slug": obj.agency.slug, "name": obj.agency.name} if obj.agency_id else None

    @staticmethod
    def resolve_provider(obj: Any) -> Any:
        if not obj.provider_id:
            return None
        return {"slug": obj.provider.slug, "name": obj.provider.legal_name}


@router.get(
    "/me",
    response={200: MeOut, **READ_ERRORS},
    tags=["me"],
    summary="Who am I",
    description="The authenticated user: role and the agency or provider they belong to.",
)
def me(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# ---------------------------------------------------------------- packs


class PackSummaryOut(Schema):
    slug: str
    name: str
    description: str
    seed: str = Field(description="The seed policy text the pack reproduces, e.g. '000'")
    shipped: bool = Field(description="Shipped with Steward: read-only; copy it to change it")
    version: int
    copied_from: str | None = Field(description="Slug of the pack this one was copied from")
    updated_at: datetime

    @staticmethod
    def resolve_copied_from(obj: PolicyPack) -> str | None:
        return obj.copied_from.slug if obj.copied_from is not None else None


class PackOut(PackSummaryOut):
    rules: dict[str, Any] = Field(description="The pack's figures (see steward.core.packs)")


class PackCopyIn(Schema):
    slug: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)
    name: str = Field(min_length=1, max_length=200)


class PackUpdateIn(Schema):
    rules: dict[str, Any] = Field(description="The whole rules document; slug is kept")
    reason: str = Field(description="Why the pack is changing (kept in its history)")


def _pack(slug: str) -> PolicyPack:
    pack = PolicyPack.objects.select_related("copied_from").filter(slug=slug).first()
    if pack is None:
        raise NotFoundError(f"No policy pack {slug!r}.")
    return pack


@router.get(
    "/packs",
    response={200: list[PackSummaryOut], **READ_ERRORS},
    tags=["packs"],
    summary="List policy packs",
    description="Every policy pack, shipped and copied, without its rules.",
)
def pack_list(request: HttpRequest) -> Any:
    require_perm(request.auth, "packs.view_pack", action="view policy packs")  # type: ignore[attr-defined]
    return PolicyPack.objects.select_related("copied_from").order_by("name")


@router.get(
    "/packs/{slug}",
    response={200: PackOut, **READ_ERRORS},
    tags=["packs"],
    summary="Get a policy pack",
    description="One policy pack with its full rules (deadlines, calendar, thresholds, terms).",
)
def pack_detail(request: HttpRequest, slug: str, response: HttpResponse) -> Any:
    pack = _pack(slug)
    require_perm(request.auth, "packs.view_pack", pack, action="view policy packs")  # type: ignore[attr-defined]
    set_etag(response, pack)
    return pack


@router.post(
    "/packs/{slug}/copy",
    response={201: PackOut, **WRITE_ERRORS},
    tags=["packs"],
    summary="Copy a policy pack",
    description="Copy a pack (typically a shipped, read-only one) into a new editable pack. "
    "Oversight officers and administrators.",
)
def pack_copy(request: HttpRequest, slug: str, payload: PackCopyIn) -> Any:
    source = _pack(slug)
    copy = policy_pack_copy(
        actor=request.auth,  # type: ignore[attr-defined]
        source=source,
        slug=payload.slug,
        name=payload.name,
    )
    return Status(201, _pack(copy.slug))


@router.put(
    "/packs/{slug}",
    response={200: PackOut, **EDIT_ERRORS},
    tags=["packs"],
    summary="Replace a pack's rules",
    description="Replace the rules of an editable (copied) pack, with the reason; the version "
    "goes up by one. Shipped packs are read-only (403). Bad rules give 422 naming the field. "
    'Send `If-Match: "<version>"` (the ETag of your read): 412 when the pack changed since.',
)
def pack_update(
    request: HttpRequest, slug: str, payload: PackUpdateIn, response: HttpResponse
) -> Any:
    current = _pack(slug)
    with if_match(request, current):
        pack = policy_pack_update(
            actor=request.auth,  # type: ignore[attr-defined]
            pack=current,
            rules=payload.rules,
            reason=payload.reason,
        )
    pack = _pack(pack.slug)
    set_etag(response, pack)
    return pack


@router.get(
    "/packs/{slug}/history",
    response={200: list[AuditEntryOut], **READ_ERRORS},
    tags=["packs"],
    summary="A pack's history",
    description="Who changed the pack, when, why, and which fields (newest first). Staff only.",
)
def pack_history(request: HttpRequest, slug: str) -> Any:
    pack = _pack(slug)
    if not request.auth.has_perm("audit.view_history", pack):  # type: ignore[attr-defined]
        raise PermissionDeniedError("You do not have permission to view the history.")
    return history_entries(pack)


# ---------------------------------------------------------------- background jobs


@router.get(
    "/jobs/{job_id}",
    response={200: BackgroundJobOut, **READ_ERRORS},
    tags=["jobs"],
    summary="A background job: its status and progress",
    description="An import (or other long work) started with `background`: status (queued, "
    "running, succeeded, failed), rows read, problems so far, per cent done, and once "
    "finished its summary, counts and report. Only its owner and administrators see it.",
)
def job_detail(request: HttpRequest, job_id: int) -> Any:
    from steward.core.jobs import job_get

    return job_get(actor=request.auth, pk=job_id)  # type: ignore[attr-defined]


@router.get(
    "/jobs/{job_id}/report",
    response={200: None, **READ_ERRORS},
    tags=["jobs"],
    summary="Download a background job's file",
    description="The file a finished job made (an import's problems report, an export, a "
    "batch of letters as one PDF), as an attachment of its own type; `report_url` of the job "
    "is the same file for a signed-in person. Its owner and administrators; 404 when the job "
    "has no file (not finished, or its files were pruned). A kind may ask more: a batch of "
    "letters only for whoever may still read every letter in it (403 otherwise).",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The job's file",
                "content": {
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    "text/csv": {"schema": {"type": "string"}},
                },
            }
        }
    },
)
def job_report(request: HttpRequest, job_id: int) -> Any:
    from steward.core.views import job_report_response

    return job_report_response(request.auth, job_id)  # type: ignore[attr-defined]


@router.post(
    "/jobs/{job_id}/retry",
    response={201: BackgroundJobOut, **WRITE_ERRORS},
    tags=["jobs"],
    summary="Retry a failed background job",
    description="Starts the failed job again as a new job, from the same stored upload "
    "(answers the new job). 409 unless the job failed and was not retried yet. Its owner "
    "and administrators.",
)
def job_retry(request: HttpRequest, job_id: int) -> Any:
    from steward.core import jobs

    actor = request.auth  # type: ignore[attr-defined]
    job = jobs.job_get(actor=actor, pk=job_id)
    return Status(201, jobs.job_retry(actor=actor, job=job))
