"""Reads of the audit trail (django-simple-history) shaped for the record pages and the API."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models

from steward.core.formatting import fmt_date, fmt_money

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class AuditEntry:
    when: datetime
    who: str
    action: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)


def _display(record: Any, name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    model_field = record.instance_type._meta.get_field(name)
    if getattr(model_field, "choices", None):
        return str(dict(model_field.flatchoices).get(value, value))
    # plain words (issue 21 point 6): "16 March 2027", money in the record's currency
    if isinstance(value, date) and not isinstance(value, datetime):
        return fmt_date(value)
    if isinstance(value, Decimal) and isinstance(model_field, models.DecimalField):
        currency = getattr(record, "currency", "")
        if model_field.decimal_places == 2 and currency:
            return fmt_money(value, currency)
        return f"{value:,}"
    return str(value)


def history_entries(
    obj: models.Model, *, limit: int = 50, hidden: Collection[str] = ()
) -> list[AuditEntry]:
    """Return the newest `limit` audit entries of `obj`, each with the fields it changed.

    Fields in `hidden` (those the reader may not read) are left out of every entry, and a
    change that touched only hidden fields is left out altogether, so that the history cannot
    reveal them (issue 19 point 4). Two queries whatever the history length: the records (with
    their users) and nothing else; the diff between consecutive records is computed in memory."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[  # type: ignore[attr-defined]
            : limit + 1
        ]
    )
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes: list[FieldChange] = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            if delta.changes and all(c.field in hidden for c in delta.changes):
                continue
            for change in delta.changes:
                if change.field in hidden:
                    continue
                model_field = record.instance_type._meta.get_field(change.field)
                changes.append(
                    FieldChange(
                        field=change.field,
                        label=str(getattr(model_field, "verbose_name", change.field)).capitalize(),
                        old=_display(record, change.field, change.old),
                        new=_display(record, change.field, change.new),
                    )
                )
        user = record.history_user
        who = (user.get_full_name() or user.username) if user else "Steward (system)"
        entries.append(
            AuditEntry(
                when=record.history_date,
                who=who,
                action=ACTIONS.get(record.history_type, record.history_type),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return entries
