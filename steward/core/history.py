"""History views of the records people edit (issue 19 point 4): one registry that each area
registers its records into (like `steward.contracts.hooks`), so that one page
(/history/<kind>/<id>/) and one endpoint (GET /api/v1/history/{kind}/{id}) serve them all.

Each kind says how to fetch a record for a reader (the area's own read permission: whoever may
not read the record gets "not found") and which fields are hidden from that reader (a provider
never sees who raised a concern): the history shows only what the reader may read.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from django.db import models

from steward.core.audit import AuditEntry, history_entries
from steward.core.errors import NotFoundError


@dataclass(frozen=True)
class HistoryKind:
    key: str  # in URLs: "concern", "placement", ...
    label: str  # on pages: "Concern"
    get: Callable[[Any, int], models.Model]  # the record if the reader may read it, else raises
    hidden_fields: Callable[[Any, Any], Collection[str]] = lambda actor, obj: ()
    personal_fields: tuple[str, ...] = ()  # reading them is logged (DOMAIN.md §1)
    url: Callable[[Any], str] | None = None  # the record's own page
    describe: Callable[[Any], str] = str


_KINDS: dict[str, HistoryKind] = {}


def register_history_kind(kind: HistoryKind) -> None:
    """Register `kind` (called from the area's AppConfig.ready)."""
    _KINDS[kind.key] = kind


def history_kinds() -> dict[str, HistoryKind]:
    return dict(_KINDS)


@dataclass(frozen=True)
class RecordHistory:
    kind: HistoryKind
    record: models.Model
    entries: list[AuditEntry]
    personal_fields_shown: tuple[str, ...]
    agency_id: int | None


def record_history(*, actor: Any, key: str, pk: int) -> RecordHistory:
    """Return the history of record `pk` of kind `key` as `actor` may read it: NotFoundError
    when the kind is unknown or the actor may not read the record. No side effects (the
    caller logs reads of personal fields: `personal_fields_shown`)."""
    kind = _KINDS.get(key)
    if kind is None:
        raise NotFoundError("No such kind of record.")
    record = kind.get(actor, pk)
    hidden = set(kind.hidden_fields(actor, record))
    return RecordHistory(
        kind=kind,
        record=record,
        entries=history_entries(record, hidden=hidden),
        personal_fields_shown=tuple(f for f in kind.personal_fields if f not in hidden),
        agency_id=getattr(record, "agency_id", None)
        or getattr(getattr(record, "contract", None), "agency_id", None),
    )
