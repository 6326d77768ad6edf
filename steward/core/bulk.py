"""Set-based audit rows for bulk writes.

django-simple-history's `bulk_create_with_history` builds one historical model instance per
row in Python, which costs as much as the insert itself. `history_from_table` writes the same
history rows in one INSERT … SELECT per batch: the database copies the rows just written from
the model's table into its history table, with the date, type, user and reason given. The rows
are the ones simple-history would write (same columns, same values)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connections, models, router

HISTORY_COLUMNS = ("history_date", "history_change_reason", "history_type", "history_user_id")


def history_from_table(
    model: type[models.Model],
    pks: Iterable[Any],
    *,
    history_type: str,
    when: datetime,
    user: Any = None,
    reason: str = "",
    batch_size: int = 5000,
) -> int:
    """Write a history row (type "+" created, "~" changed) for each row `pks` of `model`, copied
    from the table as it is now. Returns the number of rows written."""
    history = model.history.model  # type: ignore[attr-defined]
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    source = {f.column for f in model._meta.concrete_fields}
    targets: list[str] = []
    selects: list[str] = []
    for field in history._meta.concrete_fields:
        if field.column == "history_id":
            continue
        targets.append(quote(field.column))
        if field.column in HISTORY_COLUMNS:
            selects.append("%s")
        elif field.column in source:
            selects.append(quote(field.column))
        else:
            raise ValueError(f"{history.__name__}.{field.column} has no column to copy from")
    date_value = history._meta.get_field("history_date").get_db_prep_save(when, connection)
    params = {
        "history_date": date_value,
        "history_change_reason": reason or None,
        "history_type": history_type,
        "history_user_id": getattr(user, "pk", None),
    }
    ordered = [
        params[f.column] for f in history._meta.concrete_fields if f.column in HISTORY_COLUMNS
    ]
    pk = model._meta.pk
    assert pk is not None and pk.column is not None
    pk_column = quote(pk.column)
    keys = list(pks)
    limit = connection.features.max_query_params  # 999 on SQLite; None means no limit
    if limit:
        batch_size = min(batch_size, limit - len(ordered))
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(keys), batch_size):
            chunk = keys[start : start + batch_size]
            # Only quoted table/column names from the models and %s placeholders go into the
            # text; every value is a parameter.
            sql = (
                f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(targets)}) "  # noqa: S608
                f"SELECT {', '.join(selects)} FROM {quote(model._meta.db_table)} "
                f"WHERE {pk_column} IN ({', '.join(['%s'] * len(chunk))})"
            )
            cursor.execute(sql, [*ordered, *chunk])
            written += cursor.rowcount
    return written
