"""Audit trail: who, when, what changed (DOMAIN.md §2 'Audit trail')."""

from __future__ import annotations

from datetime import date

import pytest

from steward.contracts import services
from steward.core.audit import history_entries

pytestmark = pytest.mark.django_db


def test_history_lists_who_changed_which_fields(manager, contract, django_assert_max_num_queries):
    services.contract_update(actor=manager, contract=contract, data={"title": "New title"})
    services.contract_terminate(
        actor=manager, contract=contract, terminated_on=date(2026, 6, 30), reason="Closure"
    )
    with django_assert_max_num_queries(2):
        entries = history_entries(contract)
    newest, edit = entries[0], entries[1]
    assert newest.who == manager.get_full_name()
    assert newest.reason == "Terminated: Closure"
    changed = {c.field: (c.old, c.new) for c in newest.changes}
    assert changed["status"] == ("Active", "Terminated")
    assert {c.field for c in edit.changes} >= {"title"}
    assert entries[-1].action == "created"


def test_system_changes_are_attributed_to_steward(packs):
    entries = history_entries(packs["connecticut-opm"])
    assert entries[0].who == "Steward (system)"
    assert entries[0].action == "created"


def test_history_query_count_does_not_grow_with_entries(
    manager, contract, django_assert_max_num_queries
):
    for n in range(15):
        services.contract_update(actor=manager, contract=contract, data={"title": f"T{n}"})
    with django_assert_max_num_queries(2):
        assert len(history_entries(contract, limit=10)) == 10
