"""Policy packs: the rules an agency follows, as data (DOMAIN.md section 4).

A pack is a JSON file in ``policy_packs/`` (one per shipped seed) or an agency's edited copy.
``PackRules.from_dict`` checks every field and raises ``PackError`` naming the exact field path
("deadlines.self_assessment.days: must be a whole number ≥ 0"); ``to_dict`` gives back the same
dict, so a pack can be stored, shown and edited as JSON without loss.

Every figure carries a ``source``: the seed that gives it ("seed 002 stage 2") or
"Steward default" where the pack's seed is silent. Money and fractions are strings in JSON
("20000.00", "0.85") and ``Decimal`` here. Pure Python: no Django.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from steward.core.deadlines import (
    DayKind,
    Deadline,
    DeadlineRule,
    WorkingCalendar,
    compute_deadline,
)

__all__ = [
    "DATE_ORDERS",
    "REQUIRED_DEADLINES",
    "SHIPPED_PACKS_DIR",
    "STEWARD_DEFAULT",
    "EvaluationCriterion",
    "EvaluationRules",
    "EvaluationScalePoint",
    "MetricsRequirement",
    "PackError",
    "PackRules",
    "RenewalRules",
    "ReviewRules",
    "RiskRules",
    "TenderRules",
    "Terms",
    "UnknownDeadlineError",
    "UtilizationRules",
    "load_pack",
    "load_shipped_packs",
]

#: Folder of the shipped packs, one ``<slug>.json`` per seed.
SHIPPED_PACKS_DIR = Path(__file__).resolve().parent / "policy_packs"

#: The ``source`` of a figure the pack's seed is silent on.
STEWARD_DEFAULT = "Steward default"

#: Deadline keys every pack must define (DOMAIN.md section 3).
REQUIRED_DEADLINES: tuple[str, ...] = (
    "self_assessment",  # seed 002 stage 2
    "results_letter",  # seed 002 stage 7
    "monitoring_appeal",  # seed 002 stage 8
    "closeout_evaluation",  # seed 000
    "evaluation_comment",  # seed 000: evaluations are shared with providers, who may comment
    "interim_evaluation",  # seed 001: yearly evaluations of performance-based contracts
    "debriefing_request",  # seed 004
    "debriefing_meeting",  # seed 004
    "bid_appeal",  # seed 004: time limits for appeals are set by the procuring team
    "return_submission",  # seed 003: routine returns for monitoring meetings
    "evaluation_finalise",  # seed 000: finalised evaluations are shared between agencies
    "commissioning_report",  # seed 002 stage 10: a twice-yearly report on all services
)

#: How the agency writes dates, used to read imported spreadsheets.
DATE_ORDERS: tuple[str, ...] = ("DMY", "MDY")

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_KEY = re.compile(r"[a-z][a-z0-9_]*")
_SEED = re.compile(r"[0-9]{3}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_DECIMAL = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_MONEY = re.compile(r"(?:0|[1-9][0-9]*)\.[0-9]{2}")
_MONTH_DAY = re.compile(r"(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])")

_T = TypeVar("_T")


class PackError(ValueError):
    """A policy pack is invalid. ``path`` is the field ("deadlines.self_assessment.days")."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)

    def __str__(self) -> str:
        return str(self.args[0])


class UnknownDeadlineError(PackError, KeyError):
    """The pack has no deadline with that key (a PackError that is also a KeyError)."""


# --- field readers: each checks one value and names its path in the error -----------------


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _object(
    value: object, path: str, keys: Iterable[str], optional: Iterable[str] = ()
) -> Mapping[str, Any]:
    """Return ``value`` as a mapping that has exactly ``keys`` (first missing one reported),
    and may have the ``optional`` ones."""
    if not isinstance(value, Mapping):
        raise PackError(path or "(pack)", "must be an object")
    required = tuple(keys)
    expected = (*required, *optional)
    for key in required:
        if key not in value:
            raise PackError(_join(path, key), "required field is missing")
    for key in value:
        if key not in expected:
            raise PackError(
                _join(path, str(key)), f"unknown field (expected: {', '.join(expected)})"
            )
    return value


def _str(
    data: Mapping[str, Any],
    key: str,
    path: str,
    *,
    pattern: re.Pattern[str] | None = None,
    hint: str = "",
    choices: tuple[str, ...] = (),
) -> str:
    where = _join(path, key)
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise PackError(where, "must be a non-empty string")
    if value != value.strip():
        raise PackError(where, "must not start or end with spaces")
    if choices and value not in choices:
        raise PackError(where, f"must be one of {', '.join(map(repr, choices))}, not {value!r}")
    if pattern is not None and not pattern.fullmatch(value):
        raise PackError(where, f"must be {hint}, not {value!r}")
    return value


def _nullable(
    data: Mapping[str, Any], key: str, path: str, read: Callable[..., _T], **kwargs: Any
) -> _T | None:
    return None if data[key] is None else read(data, key, path, **kwargs)


def _int(
    data: Mapping[str, Any],
    key: str,
    path: str,
    *,
    minimum: int = 0,
    maximum: int | None = None,
) -> int:
    where = _join(path, key)
    value = data[key]
    ok = isinstance(value, int) and not isinstance(value, bool)
    if not ok or value < minimum or (maximum is not None and value > maximum):
        if maximum is None:
            raise PackError(where, f"must be a whole number ≥ {minimum}")
        raise PackError(where, f"must be a whole number from {minimum} to {maximum}")
    return int(value)


def _bool(data: Mapping[str, Any], key: str, path: str) -> bool:
    value = data[key]
    if not isinstance(value, bool):
        raise PackError(_join(path, key), "must be true or false")
    return value


def _decimal(data: Mapping[str, Any], key: str, path: str, *, money: bool = False) -> Decimal:
    where = _join(path, key)
    value = data[key]
    pattern, hint = (
        (_MONEY, 'an amount in a string with two decimals, e.g. "20000.00"')
        if money
        else (_DECIMAL, 'a decimal number in a string, e.g. "0.85"')
    )
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise PackError(where, f"must be {hint}")
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern already rules this out
        raise PackError(where, f"must be {hint}") from None


def _list(data: Mapping[str, Any], key: str, path: str) -> list[Any]:
    value = data[key]
    if not isinstance(value, list):
        raise PackError(_join(path, key), "must be a list")
    return value


def _decimal_str(value: Decimal) -> str:
    # format "f" never switches to exponent notation ("1E-7"), so the JSON text round-trips.
    return format(value, "f")


# --- the pack's parts ---------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """The words the agency uses for the organisations it buys from."""

    provider: str
    providers: str

    @classmethod
    def from_dict(cls, data: object, path: str = "terms") -> Terms:
        d = _object(data, path, ("provider", "providers"))
        return cls(provider=_str(d, "provider", path), providers=_str(d, "providers", path))

    def to_dict(self) -> dict[str, Any]:
        return {"provider": self.provider, "providers": self.providers}


def _calendar_from_dict(data: object, path: str = "calendar") -> WorkingCalendar:
    d = _object(data, path, ("country", "subdivision", "closure_days"))
    country = _str(d, "country", path)
    subdivision = _nullable(d, "subdivision", path, _str)
    try:
        WorkingCalendar(country=country, subdivision=None)
    except ValueError as err:
        raise PackError(_join(path, "country"), str(err)) from None
    closures: list[date] = []
    for index, item in enumerate(_list(d, "closure_days", path)):
        where = f"{_join(path, 'closure_days')}[{index}]"
        closures.append(_iso_date(item, where))
        if index and closures[-1] <= closures[-2]:
            raise PackError(where, "closure days must be in date order, each once")
    try:
        return WorkingCalendar(
            country=country, subdivision=subdivision, closure_days=frozenset(closures)
        )
    except ValueError as err:
        raise PackError(_join(path, "subdivision"), str(err)) from None


def _calendar_to_dict(calendar: WorkingCalendar) -> dict[str, Any]:
    return {
        "country": calendar.country,
        "subdivision": calendar.subdivision,
        "closure_days": [day.isoformat() for day in sorted(calendar.closure_days)],
    }


def _iso_date(value: object, where: str) -> date:
    hint = 'must be a date written YYYY-MM-DD, e.g. "2026-12-24"'
    if not isinstance(value, str):
        raise PackError(where, hint)
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise PackError(where, hint) from None
    if parsed.isoformat() != value:  # fromisoformat also takes "20261224"
        raise PackError(where, hint)
    return parsed


def _deadline_from_dict(key: str, data: object, path: str) -> DeadlineRule:
    d = _object(data, path, ("label", "days", "kind", "source"))
    kinds = tuple(kind.value for kind in DayKind)
    return DeadlineRule(
        key=key,
        label=_str(d, "label", path),
        days=_int(d, "days", path),
        kind=DayKind(_str(d, "kind", path, choices=kinds)),
        source=_str(d, "source", path),
    )


def _deadline_to_dict(rule: DeadlineRule) -> dict[str, Any]:
    return {"label": rule.label, "days": rule.days, "kind": rule.kind.value, "source": rule.source}


#: the contract types a pack may name (steward.contracts.models.ContractType's values)
CONTRACT_TYPES = (
    "pos",
    "psa",
    "professional_services",
    "charter_school",
    "block",
    "framework",
    "spot",
)


def _contract_types(d: Mapping[str, Any], key: str, path: str) -> tuple[str, ...]:
    where = _join(path, key)
    values = _list(d, key, path)
    if not values:
        raise PackError(where, "must name at least one contract type")
    for index, value in enumerate(values):
        if value not in CONTRACT_TYPES:
            raise PackError(
                f"{where}[{index}]", f"must be one of {', '.join(CONTRACT_TYPES)}, not {value!r}"
            )
    return tuple(values)


@dataclass(frozen=True)
class Scope:
    """Which contracts a rule covers (seed 001: "formal procurements (RFPs) related to
    professional services with terms exceeding one year"): their types, let by formal
    procurement, with terms over N months. Each part left out (None) does not narrow."""

    contract_types: tuple[str, ...] | None
    formal_procurement: bool
    term_months_over: int | None
    source: str

    @classmethod
    def from_dict(cls, data: object, path: str) -> Scope:
        keys = ("contract_types", "formal_procurement", "term_months_over", "source")
        d = _object(data, path, keys)
        return cls(
            contract_types=_nullable(d, "contract_types", path, _contract_types),
            formal_procurement=_bool(d, "formal_procurement", path),
            term_months_over=_nullable(d, "term_months_over", path, _int, maximum=600),
            source=_str(d, "source", path),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "contract_types": None if self.contract_types is None else list(self.contract_types),
            "formal_procurement": self.formal_procurement,
            "term_months_over": self.term_months_over,
            "source": self.source,
        }


@dataclass(frozen=True)
class RenewalRules:
    """seed 001: the evaluation score needed to be eligible for renewal or extension."""

    score_threshold: int | None  # None: no score bar for renewal
    source: str
    #: how many days before a contract's end its renewal or extension is to be decided, and
    #: where that figure comes from
    decision_days_before_end: int
    decision_source: str
    #: the contracts the score bar applies to (None: every contract); optional in the file
    scope: Scope | None = None

    @classmethod
    def from_dict(cls, data: object, path: str = "renewal") -> RenewalRules:
        keys = ("score_threshold", "source", "decision_days_before_end", "decision_source")
        d = _object(data, path, keys, optional=("scope",))
        return cls(
            scope=None
            if d.get("scope") is None
            else Scope.from_dict(d["scope"], _join(path, "scope")),
            score_threshold=_nullable(d, "score_threshold", path, _int, maximum=100),
            source=_str(d, "source", path),
            decision_days_before_end=_int(
                d, "decision_days_before_end", path, minimum=1, maximum=730
            ),
            decision_source=_str(d, "decision_source", path),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "score_threshold": self.score_threshold,
            "source": self.source,
            "decision_days_before_end": self.decision_days_before_end,
            "decision_source": self.decision_source,
        } | ({} if self.scope is None else {"scope": self.scope.to_dict()})


@dataclass(frozen=True)
class MetricsRequirement:
    """seed 001: formally procured contracts with terms over N months must carry metrics."""

    formal_procurement_term_months_over: int | None  # None: no such requirement
    source: str
    #: optional in the file: the contract types covered (None: every type) and whether a
    #: contract without metrics is refused execution (False: only warned about)
    contract_types: tuple[str, ...] | None = None
    blocks_execution: bool = False

    @classmethod
    def from_dict(cls, data: object, path: str = "metrics_requirement") -> MetricsRequirement:
        d = _object(
            data,
            path,
            ("formal_procurement_term_months_over", "source"),
            optional=("contract_types", "blocks_execution"),
        )
        return cls(
            formal_procurement_term_months_over=_nullable(
                d, "formal_procurement_term_months_over", path, _int
            ),
            source=_str(d, "source", path),
            contract_types=_nullable(d, "contract_types", path, _contract_types)
            if "contract_types" in d
            else None,
            blocks_execution=_bool(d, "blocks_execution", path)
            if "blocks_execution" in d
            else False,
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "formal_procurement_term_months_over": self.formal_procurement_term_months_over,
            "source": self.source,
        }
        if self.contract_types is not None:
            out["contract_types"] = list(self.contract_types)
        if self.blocks_execution:
            out["blocks_execution"] = True
        return out


@dataclass(frozen=True)
class UtilizationRules:
    """seed 004: utilization factors from ``reasonable_min`` to ``maximum`` are reasonable."""

    reasonable_min: Decimal
    maximum: Decimal
    source: str

    @classmethod
    def from_dict(cls, data: object, path: str = "utilization") -> UtilizationRules:
        d = _object(data, path, ("reasonable_min", "maximum", "source"))
        reasonable_min = _decimal(d, "reasonable_min", path)
        maximum = _decimal(d, "maximum", path)
        if not Decimal(0) < reasonable_min <= 1:
            raise PackError(_join(path, "reasonable_min"), "must be more than 0 and at most 1")
        if not reasonable_min <= maximum <= 1:
            raise PackError(_join(path, "maximum"), "must be from reasonable_min to 1")
        return cls(reasonable_min=reasonable_min, maximum=maximum, source=_str(d, "source", path))

    def to_dict(self) -> dict[str, Any]:
        return {
            "reasonable_min": _decimal_str(self.reasonable_min),
            "maximum": _decimal_str(self.maximum),
            "source": self.source,
        }


@dataclass(frozen=True)
class TenderRules:
    """seed 003: contracts above ``threshold`` are advertised and tendered."""

    threshold: Decimal | None  # None: the pack sets no tender threshold
    currency: str
    source: str

    @classmethod
    def from_dict(cls, data: object, path: str = "tender") -> TenderRules:
        d = _object(data, path, ("threshold", "currency", "source"))
        return cls(
            threshold=_nullable(d, "threshold", path, _decimal, money=True),
            currency=_str(d, "currency", path, pattern=_CURRENCY, hint="a 3-letter ISO code"),
            source=_str(d, "source", path),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "threshold": None if self.threshold is None else _decimal_str(self.threshold),
            "currency": self.currency,
            "source": self.source,
        }


@dataclass(frozen=True)
class FiscalYear:
    """When the agency's fiscal year starts (the annual POS/PSA report counts by it): July 1 for
    Connecticut and Massachusetts, April 1 in the UK."""

    start_month: int
    start_day: int
    source: str

    @classmethod
    def from_dict(cls, data: object, path: str = "fiscal_year") -> FiscalYear:
        d = _object(data, path, ("start", "source"))
        start = _str(d, "start", path, pattern=_MONTH_DAY, hint='month and day, e.g. "07-01"')
        month, day = (int(part) for part in start.split("-"))
        try:
            date(2001, month, day)  # not a leap year: "02-29" is refused
        except ValueError:
            raise PackError(f"{path}.start", f"{start!r} is not a day of the year") from None
        return cls(start_month=month, start_day=day, source=_str(d, "source", path))

    def to_dict(self) -> dict[str, Any]:
        return {"start": f"{self.start_month:02d}-{self.start_day:02d}", "source": self.source}

    def year_of(self, day: date) -> int:
        """The fiscal year `day` falls in, named by the calendar year it ends in (FY2027 runs
        July 1 2026 to June 30 2027); a year starting on January 1 is the calendar year."""
        if (self.start_month, self.start_day) == (1, 1):
            return day.year
        starts_this_year = (day.month, day.day) >= (self.start_month, self.start_day)
        return day.year + 1 if starts_this_year else day.year

    def bounds(self, fiscal_year: int) -> tuple[date, date]:
        """The first and last day (inclusive) of fiscal year `fiscal_year`."""
        if (self.start_month, self.start_day) == (1, 1):
            return date(fiscal_year, 1, 1), date(fiscal_year, 12, 31)
        first = date(fiscal_year - 1, self.start_month, self.start_day)
        last = date(fiscal_year, self.start_month, self.start_day) - timedelta(days=1)
        return first, last


@dataclass(frozen=True)
class RiskRules:
    """Red/amber/green thresholds for the desk risk assessment (seeds 002 step 1, 003).

    The score is the sum of each signal's count times its weight (`weights`, one per signal
    name; a signal the pack does not name weighs 1). Score >= `red_at` is red, >= `amber_at`
    amber, else green. `concern_window_days` is the look-back for concerns; a contract whose
    last review is more than `review_overdue_days` old carries the `review_overdue` signal."""

    amber_at: int
    red_at: int
    concern_window_days: int
    review_overdue_days: int
    weights: dict[str, int]
    source: str

    @classmethod
    def from_dict(cls, data: object, path: str = "risk") -> RiskRules:
        keys = (
            "amber_at",
            "red_at",
            "concern_window_days",
            "review_overdue_days",
            "weights",
            "source",
        )
        d = _object(data, path, keys)
        amber_at = _int(d, "amber_at", path, minimum=1)
        red_at = _int(d, "red_at", path, minimum=1)
        if red_at <= amber_at:
            raise PackError(_join(path, "red_at"), f"must be more than amber_at ({amber_at})")
        raw = d["weights"]
        wpath = _join(path, "weights")
        if not isinstance(raw, Mapping):
            raise PackError(wpath, "must be an object of signal name to weight")
        weights: dict[str, int] = {}
        for name in raw:
            if not isinstance(name, str) or not name:
                raise PackError(wpath, "signal names must be non-empty text")
            weights[name] = _int(raw, name, wpath, minimum=0)
        return cls(
            amber_at=amber_at,
            red_at=red_at,
            concern_window_days=_int(d, "concern_window_days", path, minimum=1),
            review_overdue_days=_int(d, "review_overdue_days", path, minimum=1),
            weights=weights,
            source=_str(d, "source", path),
        )

    def weight(self, signal: str) -> int:
        """The weight of `signal` (1 when the pack does not name it: Steward default)."""
        return self.weights.get(signal, 1)

    def to_dict(self) -> dict[str, Any]:
        return {
            "amber_at": self.amber_at,
            "red_at": self.red_at,
            "concern_window_days": self.concern_window_days,
            "review_overdue_days": self.review_overdue_days,
            "weights": dict(self.weights),
            "source": self.source,
        }


@dataclass(frozen=True)
class ReviewRules:
    """The review meetings of every contract (seed 003: "a cycle of annual and biannual review
    meetings"): whether the pack holds the biannual and the annual ones."""

    biannual_review: bool
    annual_review: bool
    source: str

    @classmethod
    def from_dict(cls, data: object, path: str = "reviews") -> ReviewRules:
        d = _object(data, path, ("biannual_review", "annual_review", "source"))
        return cls(
            biannual_review=_bool(d, "biannual_review", path),
            annual_review=_bool(d, "annual_review", path),
            source=_str(d, "source", path),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "biannual_review": self.biannual_review,
            "annual_review": self.annual_review,
            "source": self.source,
        }


RATINGS: tuple[str, ...] = ("red", "amber", "green")


@dataclass(frozen=True)
class MonitoringRules:
    """How often each contract's monitoring cycle falls due, by its risk rating (seed 002
    stage 1: the desk-top risk assessment; seed 003: "additional monitoring" for the riskier
    contracts): months from the start of the last cycle (or from the contract's start, for its
    first). Optional in a pack file: without it every rating is 12 months (Steward default, the
    annual cycle)."""

    cycle_months_by_rating: dict[str, int]
    source: str

    @classmethod
    def from_dict(cls, data: object, path: str = "monitoring") -> MonitoringRules:
        d = _object(data, path, ("cycle_months_by_rating", "source"))
        raw = d["cycle_months_by_rating"]
        mpath = _join(path, "cycle_months_by_rating")
        if not isinstance(raw, Mapping):
            raise PackError(mpath, "must be an object of rating (red, amber, green) to months")
        for key in raw:
            if key not in RATINGS:
                raise PackError(_join(mpath, str(key)), "must be one of red, amber, green")
        for rating in RATINGS:
            if rating not in raw:
                raise PackError(_join(mpath, rating), "required field is missing")
        months = {rating: _int(raw, rating, mpath, minimum=1) for rating in RATINGS}
        if months["red"] > months["amber"] or months["amber"] > months["green"]:
            raise PackError(mpath, "a riskier rating cannot wait longer (red <= amber <= green)")
        if months["green"] > 36:
            raise PackError(_join(mpath, "green"), "must be at most 36 months")
        return cls(cycle_months_by_rating=months, source=_str(d, "source", path))

    def months(self, rating: str) -> int:
        """Months between cycles for a contract rated `rating` (an unknown or missing rating
        counts as amber: Steward default)."""
        return self.cycle_months_by_rating.get(rating, self.cycle_months_by_rating["amber"])

    def to_dict(self) -> dict[str, Any]:
        return {"cycle_months_by_rating": dict(self.cycle_months_by_rating), "source": self.source}


DEFAULT_MONITORING = MonitoringRules(
    cycle_months_by_rating={"red": 12, "amber": 12, "green": 12},
    source="Steward default: one monitoring cycle a year, whatever the rating",
)


@dataclass(frozen=True)
class EvaluationScalePoint:
    """One point of the rating scale, e.g. 2 "Satisfactory"."""

    value: int
    label: str
    definition: str


@dataclass(frozen=True)
class EvaluationCriterion:
    """One weighted criterion of the evaluation; the weights of a pack add up to 100."""

    key: str
    label: str
    weight: int


@dataclass(frozen=True)
class PepRules:
    """seed 001: which contracts suit the Performance Evaluation Plan ("high-dollar contracts,
    service-based, easily align to assessment tools already in place") and how many are phased
    in each fiscal year ("establish threshold for contract eligibility; phase in approach or
    rotation")."""

    minimum_value: Decimal
    contract_types: tuple[str, ...]
    aligned_to_assessment_tools: bool
    per_fiscal_year: int
    source: str

    @classmethod
    def from_dict(cls, data: object, path: str = "pep") -> PepRules:
        keys = (
            "minimum_value",
            "contract_types",
            "aligned_to_assessment_tools",
            "per_fiscal_year",
            "source",
        )
        d = _object(data, path, keys)
        return cls(
            minimum_value=_decimal(d, "minimum_value", path, money=True),
            contract_types=_contract_types(d, "contract_types", path),
            aligned_to_assessment_tools=_bool(d, "aligned_to_assessment_tools", path),
            per_fiscal_year=_int(d, "per_fiscal_year", path, minimum=1, maximum=1000),
            source=_str(d, "source", path),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "minimum_value": _decimal_str(self.minimum_value),
            "contract_types": list(self.contract_types),
            "aligned_to_assessment_tools": self.aligned_to_assessment_tools,
            "per_fiscal_year": self.per_fiscal_year,
            "source": self.source,
        }


#: where an evaluation's score comes from (EvaluationRules.score_from)
SCORE_FROM = ("criteria", "indicators")


@dataclass(frozen=True)
class EvaluationRules:
    """The evaluation form (seed 000): a rating scale and weighted criteria (0–100 score)."""

    scale: tuple[EvaluationScalePoint, ...]
    criteria: tuple[EvaluationCriterion, ...]
    source: str
    #: optional in the file: where the score comes from, "criteria" (the weighted ratings) or
    #: "indicators" (each indicator's achievement over the term, weighted: seed 001)
    score_from: str = "criteria"

    @classmethod
    def from_dict(cls, data: object, path: str = "evaluation") -> EvaluationRules:
        d = _object(data, path, ("scale", "criteria", "source"), optional=("score_from",))
        score_from = (
            _str(d, "score_from", path, choices=SCORE_FROM) if "score_from" in d else "criteria"
        )
        scale: list[EvaluationScalePoint] = []
        scale_path = _join(path, "scale")
        for index, item in enumerate(_list(d, "scale", path)):
            where = f"{scale_path}[{index}]"
            point = _object(item, where, ("value", "label", "definition"))
            value = _int(point, "value", where)
            if scale and value <= scale[-1].value:
                raise PackError(_join(where, "value"), "scale values must go up, each once")
            scale.append(
                EvaluationScalePoint(
                    value=value,
                    label=_str(point, "label", where),
                    definition=_str(point, "definition", where),
                )
            )
        if len(scale) < 2:
            raise PackError(scale_path, "must have at least two points")
        criteria: list[EvaluationCriterion] = []
        criteria_path = _join(path, "criteria")
        for index, item in enumerate(_list(d, "criteria", path)):
            where = f"{criteria_path}[{index}]"
            row = _object(item, where, ("key", "label", "weight"))
            key = _str(row, "key", where, pattern=_KEY, hint="a key like service_delivery")
            if any(c.key == key for c in criteria):
                raise PackError(_join(where, "key"), f"duplicate criterion {key!r}")
            criteria.append(
                EvaluationCriterion(
                    key=key,
                    label=_str(row, "label", where),
                    weight=_int(row, "weight", where, minimum=1, maximum=100),
                )
            )
        if not criteria:
            raise PackError(criteria_path, "must have at least one criterion")
        total = sum(c.weight for c in criteria)
        if total != 100:
            raise PackError(criteria_path, f"weights must add up to 100, not {total}")
        return cls(
            scale=tuple(scale),
            criteria=tuple(criteria),
            source=_str(d, "source", path),
            score_from=score_from,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "scale": [
                {"value": p.value, "label": p.label, "definition": p.definition} for p in self.scale
            ],
            "criteria": [
                {"key": c.key, "label": c.label, "weight": c.weight} for c in self.criteria
            ],
            "source": self.source,
        } | ({} if self.score_from == "criteria" else {"score_from": self.score_from})


_TOP_KEYS = (
    "slug",
    "name",
    "description",
    "seed",
    "source",
    "jurisdiction",
    "currency",
    "date_order",
    "time_zone",
    "terms",
    "calendar",
    "deadlines",
    "renewal",
    "metrics_requirement",
    "utilization",
    "tender",
    "risk",
    "reviews",
    "evaluation",
    "expiring_window_days",
    "fiscal_year",
)


def _time_zone(d: Mapping[str, Any], key: str, path: str) -> str:
    """An IANA time zone name ("Europe/London") that this machine's zone database knows."""
    value = _str(d, key, path, hint="an IANA time zone such as America/New_York")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        where = f"{path}.{key}" if path else key
        raise PackError(where, f"{value!r} is not a time zone (e.g. America/New_York)") from exc
    return value


@dataclass(frozen=True)
class PackRules:
    """A validated policy pack. Build with ``from_dict``; ``to_dict`` gives the same dict back."""

    slug: str
    name: str
    description: str
    seed: str | None  # "002"; None for a pack not taken from a seed
    source: str
    jurisdiction: str
    currency: str
    date_order: str  # "DMY" or "MDY"
    time_zone: str  # IANA, e.g. "America/New_York": the agency's "today" and "overdue"
    terms: Terms
    working_calendar: WorkingCalendar
    deadlines: tuple[DeadlineRule, ...]  # in the pack's order; look up with deadline_rule()
    renewal: RenewalRules
    metrics_requirement: MetricsRequirement
    utilization: UtilizationRules
    tender: TenderRules
    risk: RiskRules
    reviews: ReviewRules
    evaluation: EvaluationRules
    expiring_window_days: int
    fiscal_year: FiscalYear
    #: optional in the file (seed 001): the Performance Evaluation Plan's eligibility rule
    pep: PepRules | None = None
    #: optional in the file (seed 002): months between monitoring cycles by risk rating;
    #: None: DEFAULT_MONITORING (read it through `monitoring_rules`)
    monitoring: MonitoringRules | None = None

    @classmethod
    def from_dict(cls, data: object) -> PackRules:
        """Return the pack described by ``data`` (a parsed JSON object).

        Raises PackError naming the first bad, missing or unknown field.
        """
        d = _object(data, "", _TOP_KEYS, optional=("pep", "monitoring"))
        currency = _str(d, "currency", "", pattern=_CURRENCY, hint="a 3-letter ISO code")
        deadlines_data = d["deadlines"]
        if not isinstance(deadlines_data, Mapping):
            raise PackError("deadlines", "must be an object")
        for key in REQUIRED_DEADLINES:
            if key not in deadlines_data:
                raise PackError(f"deadlines.{key}", "required deadline is missing")
        deadlines = []
        for key, rule in deadlines_data.items():
            if not isinstance(key, str) or not _KEY.fullmatch(key):
                raise PackError(f"deadlines.{key}", "deadline key must be like self_assessment")
            deadlines.append(_deadline_from_dict(key, rule, f"deadlines.{key}"))
        tender = TenderRules.from_dict(d["tender"])
        if tender.currency != currency:
            raise PackError(
                "tender.currency",
                f"must be the pack currency {currency!r}, not {tender.currency!r}",
            )
        return cls(
            slug=_str(d, "slug", "", pattern=_SLUG, hint="lower-case words joined by hyphens"),
            name=_str(d, "name", ""),
            description=_str(d, "description", ""),
            seed=_nullable(d, "seed", "", _str, pattern=_SEED, hint='three digits, e.g. "002"'),
            source=_str(d, "source", ""),
            jurisdiction=_str(d, "jurisdiction", ""),
            currency=currency,
            date_order=_str(d, "date_order", "", choices=DATE_ORDERS),
            time_zone=_time_zone(d, "time_zone", ""),
            terms=Terms.from_dict(d["terms"]),
            working_calendar=_calendar_from_dict(d["calendar"]),
            deadlines=tuple(deadlines),
            renewal=RenewalRules.from_dict(d["renewal"]),
            metrics_requirement=MetricsRequirement.from_dict(d["metrics_requirement"]),
            utilization=UtilizationRules.from_dict(d["utilization"]),
            tender=tender,
            risk=RiskRules.from_dict(d["risk"]),
            reviews=ReviewRules.from_dict(d["reviews"]),
            evaluation=EvaluationRules.from_dict(d["evaluation"]),
            expiring_window_days=_int(d, "expiring_window_days", "", minimum=1),
            fiscal_year=FiscalYear.from_dict(d["fiscal_year"]),
            pep=None if d.get("pep") is None else PepRules.from_dict(d["pep"]),
            monitoring=None
            if d.get("monitoring") is None
            else MonitoringRules.from_dict(d["monitoring"]),
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the pack as a JSON-ready dict (Decimals as strings, dates as ISO strings)."""
        return (
            {
                "slug": self.slug,
                "name": self.name,
                "description": self.description,
                "seed": self.seed,
                "source": self.source,
                "jurisdiction": self.jurisdiction,
                "currency": self.currency,
                "date_order": self.date_order,
                "time_zone": self.time_zone,
                "terms": self.terms.to_dict(),
                "calendar": _calendar_to_dict(self.working_calendar),
                "deadlines": {rule.key: _deadline_to_dict(rule) for rule in self.deadlines},
                "renewal": self.renewal.to_dict(),
                "metrics_requirement": self.metrics_requirement.to_dict(),
                "utilization": self.utilization.to_dict(),
                "tender": self.tender.to_dict(),
                "risk": self.risk.to_dict(),
                "reviews": self.reviews.to_dict(),
                "evaluation": self.evaluation.to_dict(),
                "expiring_window_days": self.expiring_window_days,
                "fiscal_year": self.fiscal_year.to_dict(),
            }
            | ({} if self.pep is None else {"pep": self.pep.to_dict()})
            | ({} if self.monitoring is None else {"monitoring": self.monitoring.to_dict()})
        )

    @property
    def monitoring_rules(self) -> MonitoringRules:
        """The pack's monitoring cadence, or Steward's default (12 months for every rating)."""
        return self.monitoring or DEFAULT_MONITORING

    def calendar(self) -> WorkingCalendar:
        """Return the pack's working-day calendar (public holidays plus closure days)."""
        return self.working_calendar

    def deadline_rule(self, key: str) -> DeadlineRule:
        """Return the deadline rule ``key``; UnknownDeadlineError (a KeyError) if absent."""
        for rule in self.deadlines:
            if rule.key == key:
                return rule
        known = ", ".join(rule.key for rule in self.deadlines)
        raise UnknownDeadlineError(
            f"deadlines.{key}", f"pack {self.slug!r} has no such deadline (known: {known})"
        )

    def deadline(self, key: str, start: date) -> Deadline:
        """Return the Deadline of rule ``key`` for an event on ``start``, on this pack's
        calendar. Raises UnknownDeadlineError for an unknown key."""
        return compute_deadline(
            start=start,
            rule=self.deadline_rule(key),
            calendar=self.working_calendar,
            pack=self.slug,
        )


# --- loading files ------------------------------------------------------------------------


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise PackError(key, "appears twice in the same object")
        result[key] = value
    return result


def load_pack(path: Path) -> PackRules:
    """Return the pack in the JSON file ``path``.

    Raises PackError (with the file name in the message) for bad JSON, a bad field, or a slug
    that does not match the file name.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_no_duplicate_keys)
        pack = PackRules.from_dict(data)
    except PackError as err:
        raise PackError(err.path, f"{err.message} (in {path.name})") from err
    except json.JSONDecodeError as err:
        raise PackError(path.name, f"is not valid JSON: {err}") from err
    if pack.slug != path.stem:
        raise PackError("slug", f"{pack.slug!r} does not match the file name {path.name!r}")
    return pack


def load_shipped_packs(directory: Path | None = None) -> list[PackRules]:
    """Return every ``*.json`` pack in ``directory`` (default: the shipped packs), by slug.

    Reads files only. Raises PackError for the first bad file.
    """
    folder = SHIPPED_PACKS_DIR if directory is None else directory
    return sorted((load_pack(path) for path in folder.glob("*.json")), key=lambda p: p.slug)
