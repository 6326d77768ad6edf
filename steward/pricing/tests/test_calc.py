"""Worked examples of the seed 004 pricing rules, numbers checked by hand."""

from __future__ import annotations

import ast
import inspect
from datetime import date
from decimal import Decimal as D

import pytest

from steward.pricing import calc


def rate(factor: str, reason: str = "", **kw):
    return calc.calculate_rate(
        program_cost=D("1000000"),
        capacity=D("10"),
        units_per_period=D("365"),
        utilization_factor=D(factor),
        exceptional_reason=reason,
        **kw,
    )


def test_85_percent_exactly_is_reasonable():
    """seed 004: 85% is reasonable. 10 × 365 = 3,650 capacity; × 0.85 = 3,102.5 funded units;
    $1,000,000 ÷ 3,102.5 = $322.3207… → $322.32; × 3,102.5 = $999,997.80."""
    r = rate("0.85")
    assert r.total_capacity_purchased == D("3650")
    assert r.funded_units == D("3102.50")
    assert r.unit_rate == D("322.32")
    assert r.maximum_obligation == D("999997.80")
    assert [line.number for line in r.lines] == [str(n) for n in range(1, 12)]
    assert r.lines[4].formula.startswith("line 4 × 365")
    assert r.lines[7].formula == "line 3 ÷ line 7, rounded half up to cents"


def test_84_99_percent_is_refused_without_exceptional_reason():
    """seed 004: below 85% is discouraged except in exceptional circumstances."""
    with pytest.raises(calc.PricingError) as exc:
        rate("0.8499")
    assert exc.value.field == "exceptional_reason"


def test_84_99_percent_with_exceptional_reason():
    """seed 004: 3,650 × 0.8499 = 3,102.135; $1,000,000 ÷ 3,102.135 = $322.3588… → $322.36;
    × 3,102.135 = $1,000,004.2386… → $1,000,004.24."""
    r = rate("0.8499", "New program, census still building")
    assert r.unit_rate == D("322.36")
    assert r.maximum_obligation == D("1000004.24")


def test_100_percent_is_reasonable_and_above_is_invalid():
    """seed 004: up to 100% is reasonable; above the pack maximum is invalid."""
    r = rate("1")
    assert r.unit_rate == D("273.97")  # 1,000,000 ÷ 3,650 = 273.9726…
    with pytest.raises(calc.PricingError) as exc:
        rate("1.0001", "any reason")
    assert exc.value.field == "utilization_factor"
    with pytest.raises(calc.PricingError):
        rate("0", "x")


def test_bill_out_three_months_early():
    """seed 004: $273,000 obligation for 2026; $90,000 billed over Jan–Mar (90 days) is
    $1,000/day; the remaining $183,000 takes 183 days → 30 September 2026, three months (92 days)
    before 31 Dec."""
    b = calc.project_bill_out(
        maximum_obligation=D("273000"),
        billed_to_date=D("90000"),
        start=date(2026, 1, 1),
        as_of=date(2026, 3, 31),
        end=date(2026, 12, 31),
    )
    assert b.bill_out_date == date(2026, 9, 30)
    assert b.early and b.early_by_days == 92
    assert "total capacity purchased" in calc.REMINDER


def test_bill_out_on_schedule_is_not_flagged():
    """seed 004: billing at the planned pace reaches the obligation on the end date."""
    b = calc.project_bill_out(
        maximum_obligation=D("365000"),
        billed_to_date=D("90000"),
        start=date(2026, 1, 1),
        as_of=date(2026, 3, 31),
        end=date(2026, 12, 31),
    )
    assert b.bill_out_date == date(2026, 12, 31)
    assert not b.early


def test_deficit_year_retains_no_fee():
    """seed 004: a 5% fee on $480,000 payments, revenue $500,000 and expenses $510,000 (deficit
    $10,000): no fee may be retained."""
    f = calc.retainable_fee(
        fee_kind="percentage",
        fee_value=D("5"),
        basis="total_payments",
        maximum_obligation=D("500000"),
        total_payments=D("480000"),
        revenue=D("500000"),
        expenses=D("510000"),
    )
    assert f.deficit and f.fee == D("0.00")


def test_surplus_year_retains_the_fee():
    """seed 004: 5% of $480,000 total payments = $24,000; an amount on a share of surplus is
    capped at the surplus ($2,000)."""
    f = calc.retainable_fee(
        fee_kind="percentage",
        fee_value=D("5"),
        basis="total_payments",
        maximum_obligation=D("500000"),
        total_payments=D("480000"),
        revenue=D("500000"),
        expenses=D("490000"),
    )
    assert f.fee == D("24000.00")
    g = calc.retainable_fee(
        fee_kind="amount",
        fee_value=D("5000"),
        basis="share_of_surplus",
        maximum_obligation=D("0"),
        total_payments=D("0"),
        revenue=D("100000"),
        expenses=D("98000"),
    )
    assert g.fee == D("2000.00")


def test_cost_reimbursement_with_fee_refused():
    """seed 004: cost reimbursement contracts cannot have a commercial fee."""
    problems = calc.fee_problems(
        for_profit=True,
        compensation_structure="cost_reimbursement",
        fee_kind="percentage",
        fee_value=D("3"),
    )
    assert len(problems) == 1 and "cost-reimbursement" in problems[0]
    assert not calc.fee_problems(
        for_profit=True,
        compensation_structure="cost_reimbursement",
        fee_kind="zero",
        fee_value=D("0"),
    )


def test_for_profit_without_fee_refused_and_non_profit_not():
    """seed 004 (808 CMR 1.03(6)): for-profit contracts state the fee, even when zero."""
    assert calc.fee_problems(
        for_profit=True, compensation_structure="unit_rate", fee_kind=None, fee_value=D("0")
    )
    assert not calc.fee_problems(
        for_profit=False, compensation_structure="unit_rate", fee_kind=None, fee_value=D("0")
    )


def test_authorised_rate_and_lowest_price_and_reductions():
    """seed 004: authorised price used; a rate above the lowest price to others refused;
    client resources and third-party payments reduce the obligation; offsets reduce cost."""
    r = rate("0.85", authorised_rate=D("300"), authority="EOHHS")
    assert r.unit_rate == D("300.00") and r.computed_unit_rate == D("322.32")
    assert r.maximum_obligation == D("930750.00")  # 300 × 3,102.5
    with pytest.raises(calc.PricingError) as exc:
        rate("0.85", lowest_price_to_others=D("322.31"))
    assert exc.value.field == "lowest_price_to_others"
    assert rate("0.85", lowest_price_to_others=D("322.32")).unit_rate == D("322.32")
    r = rate("0.85", client_resources=D("1000"), third_party_payments=D("997.80"))
    assert r.maximum_obligation == D("998000.00")  # 999,997.80 − 1,997.80
    r = rate("0.85", non_reimbursable=D("69375"))  # 930,625 ÷ 3,102.5 = 299.959…
    assert r.unit_rate == D("299.96")


def test_suggested_factor():
    """seed 004: prior utilization history, else the average of the same type."""
    assert calc.suggested_factor([D("0.9")], [D("0.5")])[0] == D("0.9")
    assert calc.suggested_factor([], [D("0.85"), D("0.9"), D("0.95")])[0] == D("0.9000")
    assert calc.suggested_factor([], [])[0] is None


def test_attachment_1_always_required():
    """seed 004: Attachment 1 is required at execution; 2–6 as the contract requires."""
    assert len(calc.attachment_problems(set(), set())) == 1
    assert calc.attachment_problems({4}, {1}) == [
        "POS Attachment 4 (Rate Calculation/Maximum Obligation Calculation Page) is required at "
        "execution and is missing."
    ]
    assert calc.attachment_problems({4}, {1, 4}) == []


def test_no_float_in_money_paths():
    """Money is Decimal only: the calc module never names float or writes a float literal."""
    source = inspect.getsource(calc)
    tree = ast.parse(source)
    for node in ast.walk(tree):
        assert not (isinstance(node, ast.Name) and node.id == "float")
        assert not (isinstance(node, ast.Constant) and isinstance(node.value, float))
    assert "ROUND_HALF_UP" in source
