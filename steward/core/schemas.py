"""API schemas shared by every router: the error shape and audit entries."""

from __future__ import annotations

from datetime import datetime

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
