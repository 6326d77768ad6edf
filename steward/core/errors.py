"""The one hierarchy of domain errors. Services raise these; the API and pages turn them into
one error shape (API: {"detail": ..., "code": ..., "errors": {...}}) and a clear message."""

from __future__ import annotations


class ApplicationError(Exception):
    """A request that the domain refuses. `message` is shown to the person as it is."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class ValidationFailed(ApplicationError):
    """Input did not validate; `errors` maps field names to messages."""

    status_code = 422
    code = "validation_failed"


class TransitionNotAllowed(ApplicationError):
    """A workflow transition whose guard failed (e.g. activating a contract not yet executed)."""

    status_code = 409
    code = "transition_not_allowed"


class PermissionDeniedError(ApplicationError):
    """The actor may not do this to this object."""

    status_code = 403
    code = "permission_denied"


class NotFoundError(ApplicationError):
    """The object does not exist, or the actor may not know it exists."""

    status_code = 404
    code = "not_found"


def validation_error_from_django(exc: Exception) -> ValidationFailed:
    """Return a ValidationFailed carrying the field errors of a Django ValidationError."""
    from django.core.exceptions import ValidationError

    assert isinstance(exc, ValidationError)
    if hasattr(exc, "error_dict"):
        errors = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    else:
        errors = {"__all__": [str(m) for m in exc.messages]}
    summary = "; ".join(
        f"{'' if field == '__all__' else field + ': '}{' '.join(msgs)}"
        for field, msgs in errors.items()
    )
    return ValidationFailed(summary or "invalid input", errors=errors)
