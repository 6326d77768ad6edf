"""Set-based writes (steward.core.bulk): audit rows are the rows simple-history itself writes;
`insert` stores exactly what `bulk_create` would, keys included."""

from __future__ import annotations

from datetime import UTC, date
from decimal import Decimal

import pytest
from django.utils import timezone

from steward.contracts.models import Contract
from steward.core.bulk import history_from_table, insert
from steward.testing.factories import ContractFactory


def test_history_rows_copy_the_table_with_date_type_user_and_reason(agency, provider, manager):
    contracts = ContractFactory.create_batch(3, agency=agency, provider=provider)
    Contract.history.all().delete()
    when = timezone.now()
    written = history_from_table(
        Contract,
        [c.pk for c in contracts],
        history_type="+",
        when=when,
        user=manager,
        reason="Imported from x.csv",
        batch_size=2,
    )
    assert written == 3
    for contract in contracts:
        row = contract.history.get()
        assert (row.history_type, row.history_user, row.history_change_reason) == (
            "+",
            manager,
            "Imported from x.csv",
        )
        assert row.history_date == when
        assert (row.number, row.title, row.maximum_obligation, row.agency_id) == (
            contract.number,
            contract.title,
            contract.maximum_obligation,
            contract.agency_id,
        )


def _unsaved(agency, provider, n):
    return [ContractFactory.build(agency=agency, provider=provider) for _ in range(n)]


def test_insert_sets_keys_and_stores_every_value_as_bulk_create_would(agency, provider):
    fast = _unsaved(agency, provider, 3)
    fast[0].maximum_obligation = Decimal("1234567.89")
    fast[1].rate_setting = True
    fast[1].rate_setting_authority = "EOHHS 101 CMR 414"
    fast[1].end_date = date(2028, 2, 29)
    fast[2].notes = "Line one\nline two; it's 'quoted' and has a tab\t.\r\nA\\path and \\N."
    fast[2].title = "\\N"  # COPY's null marker, as text
    fast[2].payments_to_date = None
    before = timezone.now()
    insert(Contract, fast)
    assert all(c.pk is not None and not c._state.adding for c in fast)
    assert len({c.pk for c in fast}) == 3

    slow = _unsaved(agency, provider, 1)
    Contract.objects.bulk_create(slow)
    fields = [f.attname for f in Contract._meta.concrete_fields if f.attname != "id"]
    stored = {row["id"]: row for row in Contract.objects.values("id", *fields)}
    for contract in fast:
        row = stored[contract.pk]
        for name in fields:
            if name in ("created_at", "updated_at"):
                assert row[name] >= before
            else:
                assert row[name] == getattr(contract, name), name
    # The keys come from the same sequence bulk_create uses: the next row follows on.
    assert slow[0].pk > max(c.pk for c in fast)


def test_insert_of_nothing_writes_nothing(agency, provider, django_assert_num_queries):
    with django_assert_num_queries(0):
        insert(Contract, [])


def test_insert_in_batches_keeps_each_key_with_its_row(agency, provider):
    contracts = _unsaved(agency, provider, 75)  # more than one SQLite batch (999 parameters)
    insert(Contract, contracts)
    numbers = dict(Contract.objects.values_list("id", "number"))
    assert {c.pk: c.number for c in contracts} == numbers


def test_insert_rows_writes_rows_and_their_created_history(agency, provider, manager):
    from steward.core.bulk import insert_rows

    when = timezone.now()
    fields = [f.attname for f in Contract._meta.concrete_fields if f.attname != "id"]
    template = ContractFactory.build(agency=agency, provider=provider)
    rows = []
    for n in range(3):
        values = dict(template.__dict__, number=f"ROW-{n}", created_at=when, updated_at=when)
        rows.append([values[name] for name in fields])
    keys = insert_rows(Contract, fields, rows, when=when, user=manager, reason="Imported")
    assert [Contract.objects.get(pk=k).number for k in keys] == ["ROW-0", "ROW-1", "ROW-2"]
    for key in keys:
        row = Contract.history.get(id=key)
        assert (row.history_type, row.history_user, row.history_change_reason) == (
            "+",
            manager,
            "Imported",
        )
        assert row.history_date == when and row.title == template.title
    with pytest.raises(ValueError, match="every field"):
        insert_rows(Contract, ["number"], [["X"]])


def test_copy_text_format_of_each_plain_type_and_subclasses():
    """COPY's text format as `_write_copy` writes it on PostgreSQL: escapes, NULL, enums;
    a type it does not know makes it hand the rows to psycopg instead."""
    from datetime import datetime
    from enum import Enum

    from steward.contracts.models import ContractStatus
    from steward.core.bulk import _COPY_TEXT, _copy_text

    when = datetime(2026, 11, 25, 10, 30, 0, 123456, tzinfo=UTC)
    assert _COPY_TEXT[datetime](when) == "2026-11-25T10:30:00.123456+00:00"
    assert _COPY_TEXT[date](date(2026, 2, 28)) == "2026-02-28"
    assert _COPY_TEXT[Decimal](Decimal("-12.50")) == "-12.50"
    assert _COPY_TEXT[bool](False) == "f" and _COPY_TEXT[int](7) == "7"
    assert _COPY_TEXT[type(None)](None) == "\\N"
    assert _COPY_TEXT[str]("a\tb\nc\rd\\N") == "a\\tb\\nc\\rd\\\\N"
    assert _copy_text(ContractStatus.ACTIVE) == "active"
    assert _copy_text(True) == "t"

    class Level(int, Enum):
        HIGH = 3

    assert _copy_text(Level.HIGH) == "3"
    with pytest.raises(TypeError):
        _copy_text(object())


def test_insert_of_a_value_of_another_type_goes_through_the_driver(agency, provider):
    contract = _unsaved(agency, provider, 1)[0]
    contract.maximum_obligation = 1234.5  # a float: not in _COPY_TEXT; psycopg adapts it
    insert(Contract, [contract])
    assert Contract.objects.get(pk=contract.pk).maximum_obligation == Decimal("1234.50")


def test_write_behind_writes_every_chunk_in_order_in_the_callers_transaction(agency, provider):
    """Issue 20 §7: the writer thread shares the caller's connection, so a rollback of the
    caller's transaction takes its writes too; an error in the writer is raised in the
    caller."""
    from django.db import transaction

    from steward.core.bulk import write_behind

    written: list[int] = []

    def write(chunk: list[int]) -> None:
        written.extend(chunk)
        ContractFactory(agency=agency, provider=provider, number=f"WB-{chunk[0]}")

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        write_behind(([n, n + 1] for n in range(0, 6, 2)), write)
        assert written == [0, 1, 2, 3, 4, 5]
        assert Contract.objects.filter(number__startswith="WB-").count() == 3
        raise Undo
    assert not Contract.objects.filter(number__startswith="WB-").exists()

    def fail(chunk: list[int]) -> None:
        raise ValueError(f"chunk {chunk}")

    with pytest.raises(ValueError, match=r"chunk \[0\]"):
        write_behind(([n] for n in range(5)), fail)


def test_copy_lines_write_what_the_per_value_format_writes():
    """The %-template of `_copy_lines` (constant columns formatted once, the rest by str())
    gives the same values as `_copy_text` value by value; a value str() cannot write (text,
    None) that is not the same on every row sends the rows to `_write_copy`."""
    from datetime import datetime

    from steward.core.bulk import _copy_lines, _copy_text

    when = datetime(2026, 11, 25, 10, 30, 0, 123456, tzinfo=UTC)
    rows = [(7, when, 3, Decimal("-12.50"), date(2026, 2, 28)), (8, when, 4, Decimal("1"), None)]
    assert _copy_lines(rows, [("row", i) for i in range(5)]) is None  # None on one row only
    rows = [(7, when, 3, Decimal("-12.50"), "50% off"), (8, when, 4, Decimal("1"), "50% off")]
    lines = _copy_lines(rows, [("row", 0), ("const", "a\tb"), ("row", 3), ("row", 1), ("row", 4)])
    assert lines is not None
    template, pick = lines
    assert [template % pick(row) for row in rows] == [
        "7\ta\\tb\t-12.50\t2026-11-25T10:30:00.123456+00:00\t50% off\n",
        "8\ta\\tb\t1\t2026-11-25T10:30:00.123456+00:00\t50% off\n",
    ]
    varying = [(1, date(2026, 1, 1), when), (2, date(2026, 1, 2), when.replace(microsecond=0))]
    template, pick = _copy_lines(varying, [("row", 0), ("row", 1), ("row", 2)])  # type: ignore[misc]
    assert template % pick(varying[1]) == "2\t2026-01-02\t2026-11-25 10:30:00+00:00\n"
    assert _copy_text(when.replace(microsecond=0)).replace("T", " ") in template % pick(varying[1])


def test_update_rows_sets_each_rows_values_and_the_same_fields(agency, provider):
    from steward.core.bulk import update_rows

    contracts = ContractFactory.create_batch(3, agency=agency, provider=provider)
    when = timezone.now()
    update_rows(
        Contract,
        ["title", "maximum_obligation"],
        [(contracts[0].pk, "First", Decimal("10.50")), (contracts[1].pk, "Second", Decimal("7"))],
        updated_at=when,
        notes="Set",
    )
    stored = {c.pk: c for c in Contract.objects.all()}
    assert (stored[contracts[0].pk].title, stored[contracts[0].pk].maximum_obligation) == (
        "First",
        Decimal("10.50"),
    )
    assert stored[contracts[1].pk].title == "Second"
    assert stored[contracts[1].pk].updated_at == when and stored[contracts[1].pk].notes == "Set"
    untouched = stored[contracts[2].pk]
    assert (untouched.title, untouched.notes) == (contracts[2].title, contracts[2].notes)


def test_foreign_keys_checked_per_statement_then_deferred_again(agency, provider):
    """PostgreSQL: inside the block a broken foreign key fails at its statement; after it,
    the check waits for the commit again, as Django's deferred keys do. Elsewhere the block
    changes nothing."""
    from django.db import IntegrityError, connection, transaction

    from steward.core.bulk import foreign_keys_checked_per_statement

    contract = ContractFactory(agency=agency, provider=provider)
    table = Contract._meta.db_table
    broken = Contract.objects.filter(pk=contract.pk)
    if connection.vendor == "postgresql":
        with (
            pytest.raises(IntegrityError),
            transaction.atomic(),
            foreign_keys_checked_per_statement([table]),
        ):
            broken.update(agency_id=agency.pk + 10_000)
    with transaction.atomic():
        with foreign_keys_checked_per_statement([table]):
            pass
        broken.update(agency_id=agency.pk + 10_000)  # deferred: no error yet
        broken.update(agency_id=agency.pk)  # mended before the commit
    assert Contract.objects.get(pk=contract.pk).agency_id == agency.pk
