"""Set-based writes for bulk work: inserts and their audit rows.

django-simple-history's `bulk_create_with_history` builds one historical model instance per
row in Python, which costs as much as the insert itself. `history_from_table` writes the same
history rows in one INSERT … SELECT per batch: the database copies the rows just written from
the model's table into its history table, with the date, type, user and reason given. The rows
are the ones simple-history would write (same columns, same values).

`insert` is `bulk_create` without the per-value work of Django's SQL compiler: COPY on
PostgreSQL, multi-row `INSERT … RETURNING` on SQLite.

`write_behind` lets an import read and check its next chunk while the database writes the
last one (Python and the database each on a core instead of taking turns)."""

from __future__ import annotations

import functools
import operator
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections, models, router
from django.db.models.lookups import In
from django.utils import timezone


class AnyOf(In):
    """`lhs IN values` written `lhs = ANY(%s)` on PostgreSQL: one array parameter instead of a
    placeholder per value, so that a big batch's query is not built, adapted and parsed value
    by value (the usual IN elsewhere). `values` must be the field's Python values already
    (keys, dates, text): they are not prepared. Use it as a filter expression:
    `Model.objects.filter(AnyOf(F("contract_id"), ids))`."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        if connection.vendor == "postgresql" and self.rhs_is_direct_value():
            values = [value for value in self.rhs if value is not None]
            if not values:
                raise EmptyResultSet
            lhs, lhs_params = self.process_lhs(compiler, connection)
            return f"{lhs} = ANY(%s)", (*lhs_params, values)
        return super().as_sql(compiler, connection)


def keys_condition(connection: Any, column: str, count: int) -> str:
    """The SQL condition `column` is one of `count` keys: `= ANY(%s)` (one array parameter,
    the keys as a list) on PostgreSQL, `IN (%s, …)` (a parameter per key) elsewhere."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)"
    return f"{column} IN ({', '.join(['%s'] * count)})"


def keys_params(connection: Any, keys: list[Any]) -> list[Any]:
    """The parameters of `keys_condition` for `keys`."""
    return [keys] if connection.vendor == "postgresql" else keys


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
                f"WHERE {keys_condition(connection, pk_column, len(chunk))}"
            )
            cursor.execute(sql, [*ordered, *keys_params(connection, chunk)])
            written += cursor.rowcount
    return written


def _converter(field: models.Field, connection: Any) -> Any:
    """How a Python value of `field` becomes a database parameter: the database's own adapter
    for dates, times and decimals; None (the value itself) for text, numbers, booleans and
    keys; the field's full `get_db_prep_save` for anything else."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.TimeField):
        return ops.adapt_timefield_value
    if isinstance(field, models.DecimalField):
        digits, places = field.max_digits, field.decimal_places
        return lambda value: ops.adapt_decimalfield_value(value, digits, places)
    if isinstance(field, _PLAIN):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


# Field types whose Python values both drivers take as they are.
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
)
# ... and those psycopg's COPY also writes as they are (dates, datetimes, decimals).
_COPYABLE = (*_PLAIN, models.DateField, models.DecimalField)


def _set_keys(connection: Any, objs: list[Any], keys: list[Any]) -> None:
    for obj, key in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = connection.alias


_sequences: dict[tuple[str, str, str], str] = {}


def _sequence(cursor: Any, table: str, column: str) -> str:
    """The name of the sequence of `table`'s serial `column`, looked up once per database."""
    key = (cursor.db.settings_dict["NAME"], table, column)
    if key not in _sequences:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
        (_sequences[key],) = cursor.fetchone()
    return _sequences[key]


def _copy(
    connection: Any, model: Any, fields: list[Any], rows: Sequence[Sequence[Any]]
) -> list[Any]:
    """PostgreSQL: take the keys from the table's sequence in one query, then stream the rows,
    keys included, with COPY."""
    quote = connection.ops.quote_name
    pk_column = model._meta.pk.column
    with connection.cursor() as cursor:
        # The sequence's name looked up once: pg_get_serial_sequence() in the select list is
        # evaluated (a catalog lookup) for every key, which cost more than the keys themselves.
        sequence = _sequence(cursor, model._meta.db_table, pk_column)
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, len(rows)]
        )
        keys = [key for (key,) in cursor.fetchall()]
        columns = ", ".join(quote(c) for c in [pk_column, *(f.column for f in fields)])
        sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
        krows = [(key, *row) for row, key in zip(rows, keys, strict=True)]
        lines = _copy_lines(krows, [("row", i) for i in range(len(fields) + 1)])
        if lines is not None:
            _write_lines(cursor, sql, lines, krows)
        else:
            _write_copy(cursor, sql, krows)
    return keys


#: The types whose str() is a text COPY reads back as the same value (exact types: not bool).
#: An aware datetime's str() ("2026-12-07 10:00:00+00:00") is a timestamp PostgreSQL reads.
_AS_STR = frozenset({int, Decimal, date, datetime})


def _copy_lines(
    rows: Sequence[tuple[Any, ...]], picks: Sequence[tuple[str, Any]]
) -> tuple[str, Callable[[tuple[Any, ...]], Any]] | None:
    """How to write each of `rows` as a line of COPY's text format, fast: a %-template and
    the function picking a row's values for it. `picks` are the line's columns in order:
    ("const", value) for a value the same on every line, ("row", i) for a row's i-th value.
    A column whose value is the same object on every row is formatted once, into the
    template (an import's timestamps); the others must be of a type in _AS_STR (written by
    str(), in C). None when one is not: write the rows with `_write_copy`."""
    if not rows:
        return None
    first = rows[0]
    parts: list[str] = []
    indices: list[int] = []
    for kind, value in picks:
        if kind == "row" and all(row[value] is first[value] for row in rows):
            kind, value = "const", first[value]
        if kind == "const":
            try:
                parts.append(_copy_text(value).replace("%", "%%"))
            except TypeError:
                return None
        elif {type(row[value]) for row in rows} <= _AS_STR:
            parts.append("%s")
            indices.append(value)
        else:
            return None
    if not indices:
        return None
    pick = operator.itemgetter(*indices)
    if len(indices) == 1:
        return "\t".join(parts) + "\n", lambda row: (pick(row),)
    return "\t".join(parts) + "\n", pick


def _write_lines(
    cursor: Any,
    sql: str,
    lines: tuple[str, Callable[[tuple[Any, ...]], Any]],
    rows: Sequence[tuple[Any, ...]],
    block: int = 2000,
) -> None:
    """Stream `rows` with COPY `sql`, each line `template % pick(row)` (see `_copy_lines`),
    `block` rows at a time (the database stores one block while the next is formatted)."""
    template, pick = lines
    with cursor.cursor.copy(sql) as copy:
        for start in range(0, len(rows), block):
            copy.write("".join([template % pick(row) for row in rows[start : start + block]]))


def _escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


#: COPY's text format for the plain types an import writes, by exact type. psycopg's
#: `write_row` adapts every value on its own (a time-zone-aware datetime is the slow one);
#: the rows of one import repeat their timestamps and audit reasons, which the caches format
#: once. A value of any other type sends the rows through `write_row`.
_COPY_TEXT: dict[type, Callable[[Any], str]] = {
    int: str,
    bool: lambda value: "t" if value else "f",
    Decimal: str,
    str: lru_cache(maxsize=256)(_escape),
    date: lru_cache(maxsize=1024)(date.isoformat),
    datetime: lru_cache(maxsize=64)(datetime.isoformat),
    type(None): lambda value: "\\N",
}


def _copy_text(value: Any) -> str:
    """One value in COPY's text format, subclasses of the plain types included (a choices
    enum is written as its value); TypeError for any other type."""
    if isinstance(value, Enum):
        value = value.value
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, str):
        return _escape(str.__str__(value))
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return datetime.isoformat(value)
    if isinstance(value, date):
        return date.isoformat(value)
    raise TypeError(type(value).__name__)


def _enum_text(base: Callable[[Any], str], value: Enum) -> str:
    return base(value.value)


def _learn_choices(rows: Sequence[Sequence[Any]]) -> bool:
    """Add the choices enums (TextChoices, IntegerChoices) of `rows` to _COPY_TEXT, written
    as their values; False when a value of another unknown type remains."""
    for row in rows:
        for value in row:
            kind = type(value)
            if kind in _COPY_TEXT:
                continue
            if isinstance(value, Enum) and isinstance(value.value, str | int):
                _COPY_TEXT[kind] = functools.partial(_enum_text, _COPY_TEXT[type(value.value)])
            else:
                return False
    return True


def _write_copy(cursor: Any, sql: str, rows: Sequence[Sequence[Any]], block: int = 2000) -> None:
    """Stream `rows` with COPY `sql` (… FROM STDIN, text format), `block` rows at a time so
    that the database stores one block while the next is formatted. A block is formatted here
    when every value is of a type in _COPY_TEXT (three times as fast as psycopg's `write_row`
    for an import's rows), else row by row through psycopg."""
    text = _COPY_TEXT

    def formatted(chunk: Sequence[Sequence[Any]]) -> str:
        return "".join(
            ["\t".join([text[type(value)](value) for value in row]) + "\n" for row in chunk]
        )

    with cursor.cursor.copy(sql) as copy:
        for start in range(0, len(rows), block):
            chunk = rows[start : start + block]
            data: str | None = None
            try:
                data = formatted(chunk)
            except KeyError:  # a choices enum is learnt once, then written as its value
                if _learn_choices(chunk):
                    data = formatted(chunk)
            if data is None:  # another subclass: by isinstance, slower
                try:
                    data = "".join(
                        ["\t".join([_copy_text(value) for value in row]) + "\n" for row in chunk]
                    )
                except TypeError:
                    data = None
            if data is None:
                for row in chunk:
                    copy.write_row(row)
            else:
                copy.write(data)


def _insert_returning(
    connection: Any, model: Any, fields: list[Any], rows: Sequence[Sequence[Any]]
) -> list[Any]:
    """Multi-row `INSERT … RETURNING` (SQLite 3.35+): the keys come back in the order the rows
    were given, as `bulk_create` also relies on."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    converters = list(enumerate(_converter(f, connection) for f in fields))
    converters = [(i, convert) for i, convert in converters if convert is not None]
    limit = connection.features.max_query_params or 65535
    batch_size = max(1, min(1000, limit // len(fields)))
    row_sql = f"({', '.join(['%s'] * len(fields))})"
    keys: list[Any] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            chunk = rows[start : start + batch_size]
            params: list[Any] = []
            for row in chunk:
                values = list(row)
                for i, convert in converters:
                    if values[i] is not None:
                        values[i] = convert(values[i])
                params.extend(values)
            # Only quoted table/column names and %s placeholders go into the text.
            sql = (
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "  # noqa: S608
                f"VALUES {', '.join([row_sql] * len(chunk))} "
                f"RETURNING {quote(model._meta.pk.column)}"
            )
            cursor.execute(sql, params)
            keys.extend(key for (key,) in cursor.fetchall())
    return keys


def _fast(connection: Any, model: Any, fields: list[Any]) -> bool:
    if connection.vendor == "postgresql":
        pk = model._meta.pk
        return isinstance(pk, models.AutoField) and all(isinstance(f, _COPYABLE) for f in fields)
    return bool(connection.features.can_return_rows_from_bulk_insert)


def _copy_history(
    connection: Any,
    model: Any,
    fields: list[Any],
    rows: Sequence[Sequence[Any]],
    keys: list[Any],
    stamp: dict[str, Any],
) -> None:
    """PostgreSQL: the "created" history rows of rows just copied, streamed with COPY too
    (the values are at hand: no need to read them back as `history_from_table` does)."""
    history = model.history.model
    quote = connection.ops.quote_name
    position = {f.column: i for i, f in enumerate(fields)}
    pk_column = model._meta.pk.column
    columns, picks = [], []
    for field in history._meta.concrete_fields:
        if field.column == "history_id":
            continue
        columns.append(quote(field.column))
        if field.column in HISTORY_COLUMNS:
            picks.append(("stamp", stamp[field.column]))
        elif field.column == pk_column:
            picks.append(("key", None))
        elif field.column in position:
            picks.append(("row", position[field.column]))
        else:
            raise ValueError(f"{history.__name__}.{field.column} has no column to copy from")
    sql = f"COPY {quote(history._meta.db_table)} ({', '.join(columns)}) FROM STDIN"
    krows = [(key, *row) for row, key in zip(rows, keys, strict=True)]
    lines = _copy_lines(
        krows,
        [
            ("const", value) if kind == "stamp" else ("row", 0 if kind == "key" else value + 1)
            for kind, value in picks
        ],
    )
    if lines is not None:
        with connection.cursor() as cursor:
            _write_lines(cursor, sql, lines, krows)
        return
    history_rows = [
        [
            value if kind == "stamp" else key if kind == "key" else row[value]
            for kind, value in picks
        ]
        for row, key in zip(rows, keys, strict=True)
    ]
    with connection.cursor() as cursor:
        _write_copy(cursor, sql, history_rows)


def insert_rows(
    model: type[models.Model],
    attnames: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    when: datetime | None = None,
    user: Any = None,
    reason: str = "",
) -> list[Any]:
    """Insert `rows` (each the values of `attnames`, which must name every field but the
    primary key, in that order) into `model`'s table without building model instances, with
    their "created" audit rows (dated `when`, by `user`, for `reason`); return their new
    primary keys in order. For bulk work that has its values already (an import)."""
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    pk = model._meta.pk
    by_name = {f.attname: f for f in model._meta.concrete_fields if f is not pk}
    if set(attnames) != set(by_name) or len(attnames) != len(by_name):
        raise ValueError(f"give every field of {model.__name__} but its key: {sorted(by_name)}")
    fields = [by_name[name] for name in attnames]
    when = when or timezone.now()
    if connection.vendor == "postgresql" and _fast(connection, model, fields):
        keys = _copy(connection, model, fields, rows)
        stamp = {
            "history_date": when,
            "history_change_reason": reason or None,
            "history_type": "+",
            "history_user_id": getattr(user, "pk", None),
        }
        _copy_history(connection, model, fields, rows, keys, stamp)
        return keys
    if _fast(connection, model, fields):
        keys = _insert_returning(connection, model, fields, rows)
    else:
        objs = [model(**dict(zip(attnames, row, strict=True))) for row in rows]
        model._default_manager.bulk_create(objs)
        keys = [obj.pk for obj in objs]
    history_from_table(model, keys, history_type="+", when=when, user=user, reason=reason)
    return keys


def insert(model: type[models.Model], objs: list[Any]) -> None:
    """Insert unsaved `objs` of `model` and set their primary keys, like `bulk_create` but
    without its per-value compiler work (half of an import's time at 100,000 rows): COPY on
    PostgreSQL, multi-row `INSERT … RETURNING` on SQLite, each value through its field's
    database adapter only. `auto_now`/`auto_now_add` fields are filled as `save` fills them.
    A model with a field type neither path knows falls back to `bulk_create`."""
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if f is not pk]
    if not _fast(connection, model, fields):
        model._default_manager.bulk_create(objs)
        return
    auto = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    for obj in objs:
        for field in auto:
            field.pre_save(obj, add=True)
    attnames = [f.attname for f in fields]
    rows = [[obj.__dict__[name] for name in attnames] for obj in objs]
    if connection.vendor == "postgresql":
        keys = _copy(connection, model, fields, rows)
    else:
        keys = _insert_returning(connection, model, fields, rows)
    _set_keys(connection, objs, keys)


def _history_mirrors(model: Any, fields: list[Any]) -> bool:
    """Whether `model`'s history table has exactly the model's columns and the four history
    columns (then a history row is the model row's COPY text and the history values)."""
    history = model.history.model
    pk = model._meta.pk
    mine = {pk.column, *(f.column for f in fields), *HISTORY_COLUMNS}
    theirs = {f.column for f in history._meta.concrete_fields if f.column != "history_id"}
    return mine == theirs


def _copy_text_lines(rows: Sequence[Sequence[Any]]) -> list[str] | None:
    """Each row in COPY's text format (no line end), or None when a value is of a type the
    formatter does not know (the caller then takes the general path)."""
    text = _COPY_TEXT
    try:
        return ["\t".join([text[type(value)](value) for value in row]) for row in rows]
    except KeyError:
        if _learn_choices(rows):
            return ["\t".join([text[type(value)](value) for value in row]) for row in rows]
    try:
        return ["\t".join([_copy_text(value) for value in row]) for row in rows]
    except TypeError:
        return None


def insert_with_history(
    model: type[models.Model],
    objs: list[Any],
    *,
    when: datetime,
    user: Any = None,
    reason: str = "",
    block: int = 2000,
) -> None:
    """`insert(model, objs)` and their "created" audit rows (dated `when`, by `user`, for
    `reason`), the rows `history_from_table` writes. On PostgreSQL, when the history table
    mirrors the model's, each row is formatted once and COPYed into both tables: the history
    row is the same text with the history values after it (no read back of the rows just
    written). Elsewhere: `insert` then `history_from_table`."""
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if f is not pk]
    lines: list[str] | None = None
    if (
        connection.vendor == "postgresql"
        and _fast(connection, model, fields)
        and _history_mirrors(model, fields)
    ):
        auto = [
            f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        for obj in objs:
            for field in auto:
                field.pre_save(obj, add=True)
        attnames = [f.attname for f in fields]
        lines = _copy_text_lines([[obj.__dict__[name] for name in attnames] for obj in objs])
    if lines is None:
        insert(model, objs)
        history_from_table(
            model, [obj.pk for obj in objs], history_type="+", when=when, user=user, reason=reason
        )
        return
    assert pk is not None
    quote = connection.ops.quote_name
    history = model.history.model  # type: ignore[attr-defined]
    stamp = {
        "history_date": when,
        "history_change_reason": reason or None,
        "history_type": "+",
        "history_user_id": getattr(user, "pk", None),
    }
    suffix = "".join("\t" + _copy_text(stamp[c]) for c in HISTORY_COLUMNS) + "\n"
    columns = [quote(c) for c in [pk.column, *(f.column for f in fields)] if c is not None]
    history_columns = [*columns, *(quote(c) for c in HISTORY_COLUMNS)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, pk.column])
        (sequence,) = cursor.fetchone()
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, len(objs)]
        )
        keys = [key for (key,) in cursor.fetchall()]
        keyed = [f"{key}\t{line}" for key, line in zip(keys, lines, strict=True)]
        for table, names, end in (
            (model._meta.db_table, columns, "\n"),
            (history._meta.db_table, history_columns, suffix),
        ):
            sql = f"COPY {quote(table)} ({', '.join(names)}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                for start in range(0, len(keyed), block):
                    copy.write(end.join(keyed[start : start + block]) + end)
    _set_keys(connection, objs, keys)


@contextmanager
def foreign_keys_checked_per_statement(
    tables: Sequence[str], *, using: str = DEFAULT_DB_ALIAS
) -> Iterator[None]:
    """PostgreSQL: within the current transaction, check the deferred foreign keys of `tables`
    at the end of each statement rather than all at once at commit, then defer them again.

    Django makes every foreign key DEFERRABLE INITIALLY DEFERRED: a bulk write queues one check
    per row and key, run when the transaction commits, serially, after everything else (for
    an import's million values, a fifth of its time). Checked per statement, they run while
    `write_behind`'s reader checks the next chunk, and before a later statement updates the
    rows they point to (a check of an updated row costs more). The same checks, the same
    transaction: only when they run. Does nothing on other databases."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not tables:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.conname) FROM pg_constraint c"
            " JOIN pg_namespace n ON n.oid = c.connamespace"
            " WHERE c.contype = 'f' AND c.condeferrable AND c.condeferred"
            " AND c.conrelid = ANY(%s::regclass[])",
            [list(tables)],
        )
        names = ", ".join(name for (name,) in cursor.fetchall())
    if not names:
        yield
        return
    with connection.cursor() as cursor:
        # Only constraint names quoted by the database go into the text.
        cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")
    try:
        yield
    finally:
        # After an error the transaction (or savepoint) is rolled back, which restores them.
        if not connection.needs_rollback and not _aborted(connection):
            with connection.cursor() as cursor:
                cursor.execute(f"SET CONSTRAINTS {names} DEFERRED")


def _aborted(connection: Any) -> bool:
    """True when the PostgreSQL transaction of `connection` has failed (only a rollback
    works)."""
    import psycopg

    raw = connection.connection
    return raw is None or raw.info.transaction_status == psycopg.pq.TransactionStatus.INERROR


def update_rows(
    model: type[models.Model],
    attnames: Sequence[str],
    rows: Sequence[Sequence[Any]],
    **same: Any,
) -> None:
    """Set, for each of `rows` (a key, then the values of `attnames`), those fields of the
    row of `model` with that key, and the fields `same` to the same values on every row,
    without building model instances. PostgreSQL: one `UPDATE … FROM unnest(arrays)` for
    all the rows (an array parameter per field); elsewhere `bulk_update`. No history row
    is written: see `history_from_table`."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    by_name = {f.attname: f for f in meta.concrete_fields}
    fields = [by_name[name] for name in attnames]
    if connection.vendor != "postgresql":
        objs = [
            model(pk=row[0], **dict(zip(attnames, row[1:], strict=True)), **same) for row in rows
        ]
        model._default_manager.bulk_update(objs, [*attnames, *same], batch_size=500)
        return
    quote = connection.ops.quote_name

    def column(field: models.Field) -> str:
        return quote(str(field.column))

    pk = meta.pk
    assert pk is not None
    keyed = [pk, *fields]
    # Only quoted column names, the database's own type names and %s placeholders go into
    # the text; every value is a parameter.
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in keyed)
    names = ", ".join(column(f) for f in keyed)
    sets = [f"{column(f)} = v.{column(f)}" for f in fields]
    params: list[Any] = []
    for name, value in same.items():
        field = by_name[name]
        sets.append(f"{column(field)} = %s")
        params.append(field.get_db_prep_save(value, connection))
    sql = (
        f"UPDATE {quote(meta.db_table)} AS t SET {', '.join(sets)} "  # noqa: S608
        f"FROM unnest({arrays}) AS v({names}) "
        f"WHERE t.{column(pk)} = v.{column(pk)}"
    )
    values = [list(column) for column in zip(*rows, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *values])


Chunk = TypeVar("Chunk")
_DONE = object()


def write_behind(
    chunks: Iterable[Chunk],
    write: Callable[[Chunk], None],
    *,
    using: str = DEFAULT_DB_ALIAS,
    threaded: bool = True,
) -> None:
    """Call `write(chunk)` for each of `chunks`, in order, in a second thread that shares this
    thread's database connection `using` (and so its transaction): the database works on one
    chunk while this thread reads and checks the next. At most one chunk waits between the
    two threads, so memory stays at a few chunks whatever the size of the file.

    Producing `chunks` must not use the connection (it is the writer's while it runs); with
    `threaded=False` (a producer that reads the database) the chunks are written in this
    thread. An exception in `write` stops the reading and is raised here, after the writer
    has stopped; one from `chunks` is raised after the chunks already read are written."""
    if not threaded:
        for chunk in chunks:
            write(chunk)
        return
    connection = connections[using]
    handoff: queue.Queue[Any] = queue.Queue(maxsize=1)
    failure: list[BaseException] = []

    def work() -> None:
        connections[using] = connection  # the ORM in this thread: the same connection
        while (chunk := handoff.get()) is not _DONE:
            if not failure:  # after a failure, drain what is queued without writing
                try:
                    write(chunk)
                except BaseException as exc:  # raised again in the caller
                    failure.append(exc)

    connection.inc_thread_sharing()
    writer = threading.Thread(target=work, name="steward-write-behind", daemon=True)
    writer.start()
    try:
        for chunk in chunks:
            if failure:
                break
            handoff.put(chunk)
    finally:
        handoff.put(_DONE)
        writer.join()
        connection.dec_thread_sharing()
    if failure:
        raise failure[0]
