"""Optimistic concurrency: a version on every record people edit, so that a stale save is refused
instead of silently undoing someone else's change (docs/security.md §6).

- `Versioned` (a model mixin) adds an integer `version`, starting at 1. Every save of an existing
  row moves it on by one with a conditional, set-based `UPDATE ... SET version = n + 1 WHERE
  id = ... AND version = n`, in the same transaction as the save.
- The version a person edited is declared with `expecting(obj, version)` around the service
  call (edit pages carry it in a hidden `version` field; the API reads it from `If-Match`, and
  answers every read and write of the record with `ETag: "<version>"`). When the row's version is
  no longer that one, the save raises `StaleEdit` (HTTP 412; on a page, the form is shown again
  with the person's input and a message naming who changed what).
- Saves without a declared version (services, jobs, imports) still move the version on, so an
  ETag handed out before them no longer matches.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from django import forms
from django.db import models
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.formats import date_format

from steward.core.errors import ValidationFailed

_expected: ContextVar[dict[tuple[str, Any], int] | None] = ContextVar(
    "steward_expected_versions", default=None
)


class StaleEdit(ValidationFailed):
    """The record changed since the person (or API client) read it: the save is refused.

    `current_version` is the record's version now; `message` says who changed what."""

    status_code = 412
    code = "stale_edit"

    def __init__(
        self, message: str, *, current_version: int | None, changes: list[str] | None = None
    ) -> None:
        super().__init__(message, errors={"__all__": [message]})
        self.current_version = current_version
        self.changes = changes or []

    @property
    def etag(self) -> str | None:
        return etag_for(self.current_version) if self.current_version is not None else None


class Versioned(models.Model):
    """Mixin for models people edit: an integer `version` moved on by every save."""

    #: The name of the row-version field (RowVersioned: `row_version`, for models whose
    #: `version` already means something else).
    version_field = "version"

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Moves on by one at every save; edits name the version they started from",
    )

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        _versioned_save(self, kwargs)
        super().save(*args, **kwargs)


class RowVersioned(models.Model):
    """As Versioned, for a model whose `version` field already means something else (an
    evaluation's `version` is its correction number): the row version is `row_version`."""

    version_field = "row_version"

    row_version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Moves on by one at every save; edits name the row version they started from",
    )

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        _versioned_save(self, kwargs)
        super().save(*args, **kwargs)


def _versioned_save(obj: Any, kwargs: dict[str, Any]) -> None:
    if not obj._state.adding and obj.pk is not None:
        _bump_version(obj)
        update_fields = kwargs.get("update_fields")
        field = obj.version_field
        if update_fields is not None and field not in update_fields:
            kwargs["update_fields"] = [*update_fields, field]


def version_of(obj: Any) -> int | None:
    """The row version of `obj` (None for a model that has none)."""
    return getattr(obj, getattr(obj, "version_field", "version"), None)


def _key(obj: models.Model) -> tuple[str, Any]:
    return (obj._meta.concrete_model._meta.label_lower, obj.pk)  # type: ignore[union-attr]


def _bump_version(obj: Any) -> None:
    field = obj.version_field
    rows = type(obj)._base_manager.filter(pk=obj.pk)
    expected = (_expected.get() or {}).get(_key(obj))
    if expected is not None:
        if rows.filter(**{field: expected}).update(**{field: expected + 1}) == 0:
            raise stale_edit(obj, expected)
        setattr(obj, field, expected + 1)
        # a service may save the row again within the same edit: it now starts from here (the
        # mapping is the block's own copy, see `expecting`)
        declared = _expected.get()
        if declared is not None:
            declared[_key(obj)] = expected + 1
        return
    current = getattr(obj, field)
    if rows.filter(**{field: current}).update(**{field: current + 1}):
        setattr(obj, field, current + 1)
        return
    # This copy was loaded before another save of the same row in this request: no version was
    # declared, so move on from whatever the row holds.
    rows.update(**{field: F(field) + 1})
    setattr(obj, field, rows.values_list(field, flat=True).first() or current + 1)


def check_expected(obj: Any) -> None:
    """Raise StaleEdit now if a version of `obj` is declared (`expecting`) and the row holds
    another: for services that may change only related rows (e.g. an evaluation's ratings)."""
    expected = (_expected.get() or {}).get(_key(obj))
    if expected is None:
        return
    row = (
        type(obj)._base_manager.filter(pk=obj.pk).values_list(obj.version_field, flat=True).first()
    )
    if row != expected:
        raise stale_edit(obj, expected)


@contextlib.contextmanager
def expecting(obj: models.Model, version: int | None) -> Iterator[None]:
    """Within the block, a save of `obj`'s row succeeds only if its version is still `version`
    (None: no expectation). Raises StaleEdit from the save otherwise."""
    if version is None:
        yield
        return
    current = dict(_expected.get() or {})
    current[_key(obj)] = int(version)
    token = _expected.set(current)
    try:
        yield
    finally:
        _expected.reset(token)


# ---------------------------------------------------------------- describing the other change


def _display(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def stale_edit(obj: Any, expected: int) -> StaleEdit:
    """Return the StaleEdit for `obj` edited from version `expected`: who changed it since, and
    which fields, read from the record's history (one query)."""
    field = getattr(obj, "version_field", "version")
    row = type(obj)._base_manager.filter(pk=obj.pk).values_list(field, flat=True).first()
    noun = obj._meta.verbose_name
    who, when, changes = "", "", []
    history = getattr(type(obj), "history", None)
    if history is not None and row is not None:
        records = list(
            obj.history.select_related("history_user").order_by("-history_date", "-history_id")[:25]
        )
        latest = records[0] if records else None
        base = next((r for r in records if getattr(r, field, None) == expected), None)
        if latest is not None:
            user = latest.history_user
            who = (user.get_full_name() or user.username) if user is not None else "someone"
            when = date_format(timezone.localtime(latest.history_date), "j F Y \\a\\t H:i")
            if base is not None and base is not latest:
                for change in latest.diff_against(base).changes:
                    if change.field in {field, "updated_at", "created_at"}:
                        continue
                    label = str(obj._meta.get_field(change.field).verbose_name).capitalize()
                    changes.append(f"{label}: {_display(change.old)} → {_display(change.new)}")
    message = f"This {noun} was changed by someone else after you opened it"
    if who:
        message = f"This {noun} was changed by {who} on {when}, after you opened it"
    if changes:
        message += " (" + "; ".join(changes) + ")"
    message += (
        ". Your changes were not saved. They are kept here: check them against the other "
        "change and save again."
    )
    return StaleEdit(message, current_version=row, changes=changes)


# ---------------------------------------------------------------- API: ETag and If-Match

_ETAG = re.compile(r'^(?:W/)?"(\d{1,12})"$')


def etag_for(version: int) -> str:
    return f'"{version}"'


def set_etag(response: HttpResponse, obj: Any) -> None:
    """Put the record's version on `response` as its ETag (a ninja temporal response)."""
    version = version_of(obj)
    if version is not None:
        response["ETag"] = etag_for(version)


def if_match_version(request: HttpRequest) -> int | None:
    """The version named by the request's If-Match header, or None when there is no header or
    it is `*`. Raises StaleEdit (412) when it names no version we could have sent."""
    raw = request.headers.get("If-Match")
    if raw is None or raw.strip() in {"", "*"}:
        return None
    versions = []
    for part in raw.split(","):
        match = _ETAG.match(part.strip())
        if match:
            versions.append(int(match.group(1)))
    if len(versions) != 1:
        raise StaleEdit(
            'If-Match must carry one ETag as sent by Steward, e.g. If-Match: "3".',
            current_version=None,
        )
    return versions[0]


@contextlib.contextmanager
def if_match(request: HttpRequest, obj: Any) -> Iterator[None]:
    """Honour the request's If-Match for `obj`: refused at once (412) when the record's
    version is already another one, and again at the save if it changes meanwhile."""
    version = if_match_version(request)
    if version is not None and version_of(obj) != version:
        raise stale_edit(obj, version)
    with expecting(obj, version):
        yield


# ---------------------------------------------------------------- edit pages


class VersionField(forms.IntegerField):
    """The hidden field an edit form carries: the version the person started from."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)


def add_version_field(form: forms.BaseForm, obj: Any) -> None:
    """Give `form` a hidden `version` field holding `obj`'s version (when the form is new)."""
    form.fields["version"] = VersionField(initial=version_of(obj))


def form_version(form: forms.BaseForm) -> int | None:
    """The version a submitted edit form started from (None if it carried none)."""
    value = form.cleaned_data.get("version") if hasattr(form, "cleaned_data") else None
    return int(value) if value else None


def refresh_version(form: forms.BaseForm, exc: StaleEdit) -> None:
    """After a stale save, let the form (shown again with the person's input) carry the
    current version, so that saving again after checking the other change succeeds."""
    if "version" in form.fields and form.is_bound and exc.current_version is not None:
        data = form.data.copy()  # type: ignore[attr-defined]
        data["version"] = str(exc.current_version)
        form.data = data
