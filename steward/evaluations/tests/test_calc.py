"""The evaluation rules in plain Python (seeds 000 and 001), at their edges."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from steward.evaluations import calc

CRITERIA = [
    calc.Criterion("service_delivery", "Service delivery and outcomes", 30),
    calc.Criterion("quality", "Quality and user satisfaction", 20),
    calc.Criterion("timeliness", "Timeliness and compliance", 20),
    calc.Criterion("financial", "Financial management", 15),
    calc.Criterion("management", "Management and communication", 15),
]
SCALE = [calc.ScalePoint(v, label) for v, label in enumerate("UMSVE")]


def _ratings(**over: int) -> dict[str, int | None]:
    ratings: dict[str, int | None] = {c.key: 4 for c in CRITERIA}
    ratings.update(over)
    return ratings


def test_score_all_top_is_100_and_all_bottom_is_0() -> None:
    assert calc.score(_ratings(), CRITERIA, SCALE).total == Decimal("100.00")
    bottom = {c.key: 0 for c in CRITERIA}
    assert calc.score(bottom, CRITERIA, SCALE).total == Decimal("0.00")


def test_score_weights_each_criterion_and_shows_the_arithmetic() -> None:
    """Seed 001: a 0–100 score from ratings and weights; 30 × 3/4 = 22.5, the rest at the top."""
    result = calc.score(_ratings(service_delivery=3), CRITERIA, SCALE)
    assert result.total == Decimal("92.50")
    assert result.lines[0].points == Decimal("22.5000")
    explained = result.explain()
    assert explained[0] == (
        "Service delivery and outcomes: rated 3 (V); 30 × (3 − 0) ÷ (4 − 0) = 22.5 points"
    )
    assert (
        explained[-1] == "Score = 22.5 + 20 + 20 + 15 + 15 = 92.50 (rounded down to the hundredth)"
    )


def test_score_scale_not_starting_at_zero_scores_bottom_as_nothing() -> None:
    scale = [calc.ScalePoint(v, str(v)) for v in (1, 2, 3, 4, 5)]
    criteria = [calc.Criterion("a", "A", 50), calc.Criterion("b", "B", 50)]
    assert calc.score({"a": 1, "b": 5}, criteria, scale).total == Decimal("50.00")
    assert calc.score({"a": 3, "b": 5}, criteria, scale).total == Decimal("75.00")


def test_score_rounds_down_so_a_shown_score_never_overstates_eligibility() -> None:
    """Seed 001: 89.996… must not become 90.00 (eligible) by rounding."""
    scale = [calc.ScalePoint(v, str(v)) for v in (0, 1, 2, 3)]
    criteria = [calc.Criterion("a", "A", 70), calc.Criterion("b", "B", 30)]
    # 70 + 30 × 2/3 = 90 exactly; 70 × 2/3 + 30 = 76.666…
    assert calc.score({"a": 3, "b": 2}, criteria, scale).total == Decimal("90.00")
    low = calc.score({"a": 2, "b": 3}, criteria, scale)
    assert low.total == Decimal("76.66")
    assert low.exact > low.total


def test_score_refuses_missing_and_off_scale_ratings_naming_them() -> None:
    with pytest.raises(calc.ScoreError) as exc:
        calc.score(_ratings(quality=None, financial=7), CRITERIA, SCALE)
    assert exc.value.errors == {
        "quality": ["Rate quality and user satisfaction."],
        "financial": ["7 is not on the rating scale (0, 1, 2, 3, 4)."],
    }


@pytest.mark.parametrize(
    ("score", "eligible"),
    [
        (Decimal("89.99"), False),  # seed 001: "a score of 90 or higher"
        (Decimal("90.00"), True),
        (Decimal("90"), True),
        (Decimal("100"), True),
        (Decimal("0"), False),
    ],
)
def test_seed_001_renewal_needs_90_or_higher(score: Decimal, eligible: bool) -> None:
    result = calc.renewal_eligibility(score, 90, terms="contractor")
    assert result.eligible is eligible
    assert str(score) in result.reason
    if not eligible:
        assert "below the 90 needed" in result.reason


def test_seed_001_never_evaluated_is_not_eligible_where_a_threshold_is_set() -> None:
    result = calc.renewal_eligibility(None, 90, terms="contractor")
    assert not result.eligible
    assert result.reason.startswith("The contractor has no finalised evaluation")


def test_no_threshold_in_the_pack_makes_every_contract_eligible() -> None:
    assert calc.renewal_eligibility(None, None).eligible
    assert calc.renewal_eligibility(Decimal("10"), None).eligible


@pytest.mark.parametrize(
    ("today", "open_"),
    [
        (date(2026, 7, 19), False),  # before release
        (date(2026, 7, 20), True),  # the day of release
        (date(2026, 8, 3), True),  # the last day of the window
        (date(2026, 8, 4), False),  # the day after
    ],
)
def test_provider_comment_window_edges(today: date, open_: bool) -> None:
    """Seed 000: the evaluation is shared with the provider, who may comment within the window."""
    released, due = date(2026, 7, 20), date(2026, 8, 3)
    assert calc.comment_window_open(released_on=released, comment_due=due, today=today) is open_


def test_comment_window_closed_until_released() -> None:
    assert not calc.comment_window_open(released_on=None, comment_due=None, today=date(2026, 7, 20))


def test_interim_years_end_the_day_before_each_anniversary_and_skip_the_last_year() -> None:
    """Interim evaluations each contract year (issue 7); the last year is the closeout's."""
    start, end = date(2024, 7, 1), date(2027, 6, 30)
    assert calc.interim_years(start, end, date(2025, 6, 30)) == []
    assert calc.interim_years(start, end, date(2025, 7, 1)) == [(1, date(2025, 6, 30))]
    assert calc.interim_years(start, end, date(2030, 1, 1)) == [
        (1, date(2025, 6, 30)),
        (2, date(2026, 6, 30)),
    ]


def test_interim_years_from_29_february() -> None:
    assert calc.interim_years(date(2024, 2, 29), date(2027, 2, 28), date(2025, 3, 1)) == [
        (1, date(2025, 2, 27))
    ]


@pytest.mark.parametrize(
    ("done_on", "today", "expected"),
    [
        (date(2026, 8, 29), date(2026, 9, 30), calc.Compliance.ON_TIME),  # on the due date
        (date(2026, 8, 30), date(2026, 9, 30), calc.Compliance.LATE),  # the day after
        (None, date(2026, 8, 29), calc.Compliance.DUE),  # still due on the due date
        (None, date(2026, 8, 30), calc.Compliance.MISSING),  # overdue the day after
    ],
)
def test_seed_000_compliance_of_an_evaluation_due_60_days_after_completion(
    done_on: date | None, today: date, expected: calc.Compliance
) -> None:
    """Seed 000: not later than 60 days after completion; completed 30 June → due 29 August."""
    assert calc.compliance(due=date(2026, 8, 29), done_on=done_on, today=today) is expected


def test_compliance_counts() -> None:
    rows = [
        (date(2026, 8, 29), date(2026, 8, 1)),
        (date(2026, 8, 29), date(2026, 9, 1)),
        (date(2026, 8, 29), None),
        (date(2026, 12, 1), None),
    ]
    assert calc.compliance_counts(rows, date(2026, 10, 1)) == {
        "due": 1,
        "on_time": 1,
        "late": 1,
        "missing": 1,
    }
