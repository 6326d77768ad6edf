"""Supply against demand as plain rules (seed 003 section 3(A)(i))."""

from __future__ import annotations

from steward.commissioning import calc


def test_balance_names_a_shortfall_a_surplus_and_a_match():
    """seed 003 (A)(i): supply against demand: fewer places than needed is a shortfall."""
    assert calc.balance(need=10, places=6).status == calc.SHORTFALL
    assert calc.balance(need=10, places=6).short == 4
    assert calc.balance(need=10, places=15).status == calc.SURPLUS
    assert calc.balance(need=10, places=15).spare == 5
    assert calc.balance(need=10, places=11).status == calc.BALANCED  # within 10%
    assert calc.balance(need=0, places=0).status == calc.BALANCED
    assert calc.balance(need=0, places=1).status == calc.SURPLUS
    assert calc.balance(need=None, places=3).status == calc.NO_DATA
    assert calc.balance(need=None, places=3).gap is None


def test_percent_used_needs_places():
    assert calc.percent_used(places=0, in_use=2) is None
    assert calc.percent_used(places=3, in_use=1) == 33
    assert calc.percent_used(places=2, in_use=2) == 100
