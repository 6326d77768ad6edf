"""The pure risk scoring (seeds 002 stage 1, 003): every threshold edge."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from steward.risk import scoring


@dataclass
class Rules:
    amber_at: int = 3
    red_at: int = 6
    concern_window_days: int = 90
    review_overdue_days: int = 365
    weights: dict[str, int] = field(
        default_factory=lambda: {
            "indicators_missed": 1,
            "high_severity_concerns": 2,
            "concerns": 1,
            "inspection_poor": 3,
            "ignored": 0,
        }
    )

    def weight(self, signal: str) -> int:
        return self.weights.get(signal, 1)


@pytest.mark.parametrize(
    ("score", "rating"),
    [(0, "green"), (2, "green"), (3, "amber"), (5, "amber"), (6, "red"), (60, "red")],
)
def test_rating_edges(score: int, rating: str) -> None:
    """seed 003: score >= red_at is red, >= amber_at amber, else green (edges at 3 and 6)."""
    assert scoring.rating_for(score, Rules()) == rating


def test_every_reason_in_words() -> None:
    """seed 003: every reason shown ("amber: 2 indicators missed; 1 high-severity concern")."""
    result = scoring.assess(
        {"indicators_missed": 2, "high_severity_concerns": 1, "concerns": 0}, Rules()
    )
    assert result.rating == "amber"
    assert result.score == 4
    assert result.reasons == [
        "2 indicators missed (+2)",
        "1 high-severity concern in 90 days (+2)",
    ]
    assert result.summary == (
        "amber: 2 indicators missed (+2); 1 high-severity concern in 90 days (+2)"
    )
    assert result.monitoring_level == "standard"


def test_no_signals_is_green_light() -> None:
    """seed 003: no signal is green, monitored light (desk only)."""
    result = scoring.assess({}, Rules())
    assert (result.rating, result.score, result.reasons) == ("green", 0, [])
    assert result.summary == "green: no risk signals"
    assert result.monitoring_level == "light"


def test_red_is_enhanced() -> None:
    """seed 003: red calls for enhanced monitoring (visit required)."""
    result = scoring.assess({"inspection_poor": 1, "high_severity_concerns": 2}, Rules())
    assert result.rating == "red" and result.score == 7
    assert result.monitoring_level == "enhanced"


def test_unknown_signal_weighs_one_and_zero_weight_is_silent() -> None:
    """Steward default: a signal the pack does not name weighs 1; weight 0 adds no reason."""
    result = scoring.assess({"visits_cancelled": 3, "ignored": 5}, Rules())
    assert result.score == 3 and result.rating == "amber"
    assert result.reasons == ["3 visits cancelled (+3)"]


def test_negative_signal_refused() -> None:
    with pytest.raises(ValueError):
        scoring.assess({"concerns": -1}, Rules())


def test_singular_and_plural() -> None:
    rules = Rules()
    assert scoring.describe("concerns", 1, rules) == "1 concern in 90 days"
    assert scoring.describe("concerns", 2, rules) == "2 concerns in 90 days"
    assert scoring.describe("review_overdue", 1, rules) == "1 review meeting not held by its date"
    assert (
        scoring.describe("review_overdue", 2, rules) == "2 review meetings not held by their date"
    )


@pytest.mark.parametrize(
    ("previous", "current", "trend"),
    [
        (None, "red", "new"),
        ("", "red", "new"),
        ("green", "amber", "worse"),
        ("red", "amber", "better"),
        ("amber", "amber", "same"),
    ],
)
def test_trend(previous: str | None, current: str, trend: str) -> None:
    assert scoring.trend(previous, current) == trend


@pytest.mark.parametrize(
    ("rating", "poor"),
    [
        ("Good", False),
        ("Outstanding", False),
        ("Requires improvement", True),
        ("Inadequate", True),
        ("5 - Very good", False),
        ("2 - Weak", True),
        ("Provisional licence", True),
    ],
)
def test_inspection_poor(rating: str, poor: bool) -> None:
    assert scoring.inspection_is_poor(rating) is poor


def test_shipped_pack_rules_work() -> None:
    """The shipped packs' RiskRules satisfy the scoring protocol (weights from the pack)."""
    from steward.core.packs import SHIPPED_PACKS_DIR, load_pack

    rules = load_pack(SHIPPED_PACKS_DIR / "connecticut-opm.json").risk
    assert rules.weight("returns_missing") == 2
    assert scoring.assess({"returns_missing": 3}, rules).rating == "red"
