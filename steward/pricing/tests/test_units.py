"""Units paid against units delivered (seed 003 asks for the cross-reference)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from steward.contracts import hooks
from steward.pricing import selectors, services

pytestmark = pytest.mark.django_db


def test_cross_reference_with_a_units_source(contract, manager, monkeypatch):
    services.payment_record(
        actor=manager,
        contract=contract,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31),
        units=D("50"),
        amount=D("5000"),
    )
    monkeypatch.setattr(
        hooks,
        "_units_delivered",
        {
            "test": lambda c: [
                (date(2026, 1, 1), date(2026, 1, 31), D("45")),
                (date(2026, 2, 1), date(2026, 2, 28), D("40")),
            ]
        },
    )
    rows = selectors.units_cross_reference(contract, list(selectors.payments(contract=contract)))
    assert rows is not None and len(rows) == 2
    assert rows[0].paid == D("50") and rows[0].delivered == D("45") and rows[0].difference == D("5")
    assert rows[1].paid is None and rows[1].difference is None


def test_no_source_means_no_returns_data(contract, monkeypatch):
    monkeypatch.setattr(hooks, "_units_delivered", {})
    assert selectors.units_cross_reference(contract, []) is None
