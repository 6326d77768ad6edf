"""The pure performance rules (seeds 001, 003): achievement at the edges, trend, periods, the
metrics requirement and the performance-based payment, with hand-checked numbers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from steward.performance import calc


@pytest.mark.parametrize(
    ("actual", "target", "tolerance", "higher", "expected"),
    [
        # higher is better, target 90, tolerance 5
        ("90", "90", "5", True, calc.MET),  # exactly on target
        ("90.01", "90", "5", True, calc.MET),
        ("89.99", "90", "5", True, calc.WITHIN_TOLERANCE),
        ("85", "90", "5", True, calc.WITHIN_TOLERANCE),  # on the tolerance bound
        ("84.99", "90", "5", True, calc.MISSED),
        # lower is better (days to first visit), target 10, tolerance 2
        ("10", "10", "2", False, calc.MET),
        ("9", "10", "2", False, calc.MET),
        ("12", "10", "2", False, calc.WITHIN_TOLERANCE),  # on the bound
        ("12.01", "10", "2", False, calc.MISSED),
        # no tolerance: anything short of the target is missed
        ("99.99", "100", "0", True, calc.MISSED),
        ("100", "100", "0", True, calc.MET),
    ],
)
def test_achievement_at_the_edges_seed_003(actual, target, tolerance, higher, expected):
    status = calc.achievement(
        D(actual), target=D(target), tolerance=D(tolerance), higher_is_better=higher
    )
    assert status == expected


def test_no_value_is_no_data_seed_003():
    assert (
        calc.achievement(None, target=D(1), tolerance=D(0), higher_is_better=True) == calc.NO_DATA
    )
    assert (
        calc.achievement(None, target=D(1), tolerance=D(0), higher_is_better=False) == calc.NO_DATA
    )


def test_negative_tolerance_is_refused():
    with pytest.raises(ValueError):
        calc.achievement(D(1), target=D(1), tolerance=D(-1), higher_is_better=True)


@pytest.mark.parametrize(
    ("values", "higher", "expected"),
    [
        (["80", "85"], True, calc.IMPROVING),
        (["85", "80"], True, calc.WORSENING),
        (["12", "9"], False, calc.IMPROVING),  # fewer days is better
        (["9", "12"], False, calc.WORSENING),
        (["80", None, "80"], True, calc.STEADY),  # a period without data is skipped
        (["80"], True, ""),
        ([None, None], True, ""),
    ],
)
def test_trend(values, higher, expected):
    assert (
        calc.trend([None if v is None else D(v) for v in values], higher_is_better=higher)
        == expected
    )


def test_quarterly_periods_of_a_calendar_year():
    assert calc.periods(date(2026, 1, 1), date(2026, 12, 31), "quarterly") == [
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 12, 31)),
    ]


def test_periods_count_from_the_start_and_cut_the_last_at_the_end():
    assert calc.periods(date(2026, 1, 31), date(2026, 4, 15), "monthly") == [
        (date(2026, 1, 31), date(2026, 2, 27)),  # to the day before 28 Feb (31 Jan + 1 month)
        (date(2026, 2, 28), date(2026, 3, 30)),
        (date(2026, 3, 31), date(2026, 4, 15)),
    ]
    assert calc.periods(date(2026, 7, 1), date(2027, 6, 30), "annual") == [
        (date(2026, 7, 1), date(2027, 6, 30))
    ]
    with pytest.raises(ValueError):
        calc.periods(date(2026, 1, 1), date(2026, 12, 31), "weekly")


@pytest.mark.parametrize(
    ("start", "end", "required"),
    [
        (date(2026, 1, 1), date(2026, 12, 31), False),  # exactly 12 months: not over
        (date(2026, 1, 1), date(2027, 1, 1), True),  # 12 months and a day
        (date(2026, 7, 1), date(2029, 6, 30), True),  # three years
    ],
)
def test_metrics_required_for_formal_procurement_over_12_months_seed_001(start, end, required):
    assert (
        calc.metrics_required(formal_procurement=True, start=start, end=end, months_over=12)
        is required
    )
    # not formally procured, or a pack without the rule: never required
    assert not calc.metrics_required(formal_procurement=False, start=start, end=end, months_over=12)
    assert not calc.metrics_required(
        formal_procurement=True, start=start, end=end, months_over=None
    )


def test_earned_payment_worked_example_seed_001():
    """10,000.00 at stake: 30% met, 30% within tolerance (credit 50%), 40% missed.
    3,000.00 + 1,500.00 + 0.00 = 4,500.00 earned, 5,500.00 withheld."""
    payment = calc.earned_payment(
        D("10000.00"),
        [
            ("Hours delivered", D("30"), calc.MET),
            ("Engaged within 10 days", D("30"), calc.WITHIN_TOLERANCE),
            ("Improved stability", D("40"), calc.MISSED),
        ],
        tolerance_credit=D("50"),
    )
    assert [line.earned for line in payment.lines] == [D("3000.00"), D("1500.00"), D("0.00")]
    assert payment.earned == D("4500.00") and payment.withheld == D("5500.00")
    assert payment.lines[1].explanation == (
        "30% of $10,000.00 = $3,000.00; within tolerance earns 50% = $1,500.00"
    )


def test_earned_payment_rounds_each_line_half_up_to_the_cent():
    """100.01 at stake in thirds: each line is rounded on its own; the total is their sum."""
    payment = calc.earned_payment(
        D("100.01"),
        [("a", D("33.33"), calc.MET), ("b", D("33.33"), calc.MET), ("c", D("33.34"), calc.NO_DATA)],
        tolerance_credit=D("0"),
    )
    # 100.01 x 33.33% = 33.333333 -> 33.33 ; no data earns nothing
    assert [line.earned for line in payment.lines] == [D("33.33"), D("33.33"), D("0.00")]
    assert payment.earned == D("66.66")


def test_payment_weights_must_add_up_to_100():
    with pytest.raises(ValueError, match="99"):
        calc.earned_payment(D("100"), [("a", D("99"), calc.MET)], tolerance_credit=D("50"))
    with pytest.raises(ValueError):
        calc.earned_payment(D("100"), [("a", D("100"), calc.MET)], tolerance_credit=D("101"))
