"""The red/amber/green desk risk assessment as pure Python (seeds 002 step 1, 003).

Rule (seed 003 "reactive and proactive monitoring", seed 002 stage 1 desk-top risk assessment):
each signal (a count) is multiplied by its weight from the agency's policy pack; the score is the
sum. Score >= `red_at` is red, >= `amber_at` amber, otherwise green. Every signal that adds to
the score is given as a reason in words, so the rating can be explained and challenged.
The monitoring level follows the rating: green -> light (desk only, "CM lite"), amber ->
standard, red -> enhanced (additional monitoring, visit required).

No Django import: the thresholds and weights come in as any object with `amber_at`, `red_at`,
`concern_window_days`, `review_overdue_days` and `weight(name)` (the pack's RiskRules)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

GREEN = "green"
AMBER = "amber"
RED = "red"
RATINGS = (GREEN, AMBER, RED)

LIGHT = "light"
STANDARD = "standard"
ENHANCED = "enhanced"
MONITORING_LEVELS = {GREEN: LIGHT, AMBER: STANDARD, RED: ENHANCED}
MONITORING_LABELS = {
    LIGHT: "Light (desk only)",
    STANDARD: "Standard",
    ENHANCED: "Enhanced (additional monitoring, visit required)",
}


class Rules(Protocol):
    @property
    def amber_at(self) -> int: ...
    @property
    def red_at(self) -> int: ...
    @property
    def concern_window_days(self) -> int: ...
    @property
    def review_overdue_days(self) -> int: ...

    def weight(self, signal: str) -> int: ...


# How each known signal reads in words: (singular, plural); "{w}" is the concern window in days,
# "{r}" the review period in days.
_WORDS: dict[str, tuple[str, str]] = {
    "indicators_missed": ("indicator missed", "indicators missed"),
    "returns_late": ("return late", "returns late"),
    "returns_missing": ("return missing", "returns missing"),
    "concerns": ("concern in {w} days", "concerns in {w} days"),
    "high_severity_concerns": (
        "high-severity concern in {w} days",
        "high-severity concerns in {w} days",
    ),
    "financial_concerns": ("financial concern in {w} days", "financial concerns in {w} days"),
    "inspection_poor": (
        "poor latest inspection rating",
        "poor latest inspection ratings",
    ),
    "actions_overdue": ("open action overdue", "open actions overdue"),
    "review_overdue": (
        "review meeting not held by its date",
        "review meetings not held by their date",
    ),
}

# Signals shown in this order, then any other signal by name.
SIGNAL_ORDER = tuple(_WORDS)


@dataclass(frozen=True)
class Assessment:
    rating: str
    score: int
    reasons: list[str] = field(default_factory=list)
    summary: str = ""

    @property
    def monitoring_level(self) -> str:
        return monitoring_level(self.rating)


def rating_for(score: int, rules: Rules) -> str:
    """Red at or above `red_at`, amber at or above `amber_at`, else green (seed 003)."""
    if score >= rules.red_at:
        return RED
    if score >= rules.amber_at:
        return AMBER
    return GREEN


def monitoring_level(rating: str) -> str:
    """The monitoring level a rating calls for (seed 003): light, standard or enhanced."""
    return MONITORING_LEVELS[rating]


def describe(signal: str, count: int, rules: Rules) -> str:
    """One signal in words, e.g. "2 indicators missed"."""
    one, many = _WORDS.get(signal, (signal.replace("_", " "), signal.replace("_", " ")))
    text = one if count == 1 else many
    return f"{count} " + text.format(w=rules.concern_window_days, r=rules.review_overdue_days)


def _order(name: str) -> tuple[int, str]:
    return (SIGNAL_ORDER.index(name) if name in SIGNAL_ORDER else len(SIGNAL_ORDER), name)


def assess(signals: Mapping[str, int], rules: Rules) -> Assessment:
    """Rate `signals` (name -> count) under `rules`; every signal that adds to the score is a
    reason. Negative counts are refused (a signal counts something)."""
    score = 0
    reasons: list[str] = []
    for name in sorted(signals, key=_order):
        count = int(signals[name])
        if count < 0:
            raise ValueError(f"signal {name} is negative ({count})")
        weight = rules.weight(name)
        points = count * weight
        if count == 0 or points == 0:
            continue
        score += points
        reasons.append(f"{describe(name, count, rules)} (+{points})")
    rating = rating_for(score, rules)
    summary = f"{rating}: " + ("; ".join(reasons) if reasons else "no risk signals")
    return Assessment(rating=rating, score=score, reasons=reasons, summary=summary)


def trend(previous: str | None, current: str) -> str:
    """ "worse", "better", "same" or "new" comparing the previous rating with the current."""
    if previous is None or previous not in RATINGS:
        return "new"
    delta = RATINGS.index(current) - RATINGS.index(previous)
    return "worse" if delta > 0 else "better" if delta < 0 else "same"


POOR_INSPECTION_WORDS = (
    "inadequate",
    "requires improvement",
    "weak",
    "unsatisfactory",
    "poor",
    "provisional",
    "probation",
    "revoked",
    "suspended",
)


def inspection_is_poor(rating: str) -> bool:
    """A latest inspection rating counts against the provider when it says, in the words the
    inspectorates use (Care Inspectorate 'weak'/'unsatisfactory', CQC 'inadequate'/'requires
    improvement', state licensing 'provisional'/'probation'/'suspended'/'revoked'), that the
    service is poor (Steward default list)."""
    text = rating.lower()
    return any(word in text for word in POOR_INSPECTION_WORDS)
