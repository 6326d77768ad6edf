"""API schemas shared by every router: the error shape and audit entries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in words a person can act on")
    code: str = Field(description="Machine-readable: not_authenticated, permission_denied, ...")
    errors: dict[str, list[str]] = Field(
        default_factory=dict, description="Messages by field name ('__all__' for the record)"
    )


class FieldChangeOut(Schema):
    field: str
    label: str
    old: str
    new: str


class AuditEntryOut(Schema):
    when: datetime
    who: str = Field(description="The person, or 'Steward (system)'")
    action: str = Field(description="created, changed or deleted")
    reason: str
    changes: list[FieldChangeOut]


#: Error responses every authenticated endpoint may give (422: a query parameter is invalid).
READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
#: ... and an edit of a versioned record: 412 when `If-Match` names a version that is no longer
#: the record's (someone else saved it meanwhile; the response's ETag is the current version).
EDIT_ERRORS = {**WRITE_ERRORS, 412: ErrorOut}


class BackgroundJobOut(Schema):
    id: int
    kind: str = Field(description="What kind of work, e.g. contracts.import, performance.import")
    label: str = Field(description="The job in plain words")
    status: str = Field(description="queued, running, succeeded or failed")
    status_label: str
    owner: str | None = Field(description="Username of who started it (null: Steward itself)")
    rows_read: int
    problems: int = Field(description="Problems and notices found so far")
    progress: int = Field(description="Per cent done, 0–100 (0 when it cannot be told)")
    summary: str = Field(description="What the job did, once finished")
    result: dict[str, Any] = Field(description="The job's counts, once finished")
    url: str = Field(description="This job in the API (`GET` it to follow the job)")
    page_url: str = Field(description="The job's page, for a person to follow it")
    report_url: str | None = Field(description="Download of the job's report, once there is one")
    error: str = Field(description="Why a failed job failed")
    retry_of: int | None = Field(description="The failed job this one retries")
    can_retry: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.username if obj.owner_id else None

    @staticmethod
    def resolve_url(obj: Any) -> str:
        from django.urls import reverse

        return reverse("api:job_detail", args=[obj.pk])

    @staticmethod
    def resolve_page_url(obj: Any) -> str:
        from django.urls import reverse

        return reverse("core:job", args=[obj.pk])

    @staticmethod
    def resolve_report_url(obj: Any) -> str | None:
        from django.urls import reverse

        return reverse("core:job_report", args=[obj.pk]) if obj.report else None

    @staticmethod
    def resolve_retry_of(obj: Any) -> int | None:
        return obj.retry_of_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_can_retry(obj: Any) -> bool:
        return obj.status == "failed"


def job_accepted(job: Any, response: Any) -> Any:
    """The API's answer to long work started in the background: 202 with the job, and the
    job's URL in `Location` (RFC 9110: where to follow it)."""
    from django.urls import reverse
    from ninja import Status

    response["Location"] = reverse("api:job_detail", args=[job.pk])
    return Status(202, job)
