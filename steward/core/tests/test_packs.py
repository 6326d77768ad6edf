"""Tests of policy packs: the five shipped packs reproduce their seeds; bad packs are refused
with the exact field named. No database, no Django."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from steward.core.deadlines import DayKind, DeadlineRule, WorkingCalendar
from steward.core.packs import (
    REQUIRED_DEADLINES,
    SHIPPED_PACKS_DIR,
    STEWARD_DEFAULT,
    PackError,
    PackRules,
    UnknownDeadlineError,
    load_pack,
    load_shipped_packs,
)

SLUGS = [
    "connecticut-opm",
    "massachusetts-osd",
    "milwaukee-mps",
    "scottish-childrens",
    "west-london-sp",
]


def _raw(slug: str) -> dict[str, Any]:
    return json.loads((SHIPPED_PACKS_DIR / f"{slug}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def shipped() -> dict[str, PackRules]:
    return {pack.slug: pack for pack in load_shipped_packs()}


def _rule(pack: PackRules, key: str) -> tuple[int, DayKind, str]:
    rule = pack.deadline_rule(key)
    return rule.days, rule.kind, rule.source


# --- loading and round trip ---------------------------------------------------------------


def test_all_five_shipped_packs_load_in_slug_order() -> None:
    """DOMAIN.md §4: one shipped pack per seed, 000 to 004."""
    loaded = load_shipped_packs()
    assert [pack.slug for pack in loaded] == SLUGS
    assert sorted(pack.seed for pack in loaded) == ["000", "001", "002", "003", "004"]


@pytest.mark.parametrize("slug", SLUGS)
def test_pack_round_trips_exactly(slug: str) -> None:
    """DOMAIN.md §4: packs are data; to_dict gives back the JSON file's content."""
    raw = _raw(slug)
    pack = PackRules.from_dict(raw)
    assert pack.to_dict() == raw
    assert PackRules.from_dict(pack.to_dict()) == pack
    assert json.dumps(pack.to_dict(), ensure_ascii=False)  # JSON-ready: no Decimal or date


@pytest.mark.parametrize("slug", SLUGS)
def test_pack_has_every_required_deadline_with_a_source(
    slug: str, shipped: dict[str, PackRules]
) -> None:
    """DOMAIN.md §3: every deadline of the processes is in every pack, sourced."""
    pack = shipped[slug]
    assert [rule.key for rule in pack.deadlines] == list(REQUIRED_DEADLINES)
    for key in REQUIRED_DEADLINES:
        rule = pack.deadline_rule(key)
        assert rule.source == STEWARD_DEFAULT or rule.source.startswith(f"seed {pack.seed}")


@pytest.mark.parametrize("slug", SLUGS)
def test_evaluation_weights_add_up_to_100(slug: str, shipped: dict[str, PackRules]) -> None:
    """seed 000 / seed 001: a weighted 0–100 evaluation score."""
    evaluation = shipped[slug].evaluation
    assert sum(c.weight for c in evaluation.criteria) == 100
    assert [c.key for c in evaluation.criteria] == [
        "service_delivery",
        "quality",
        "timeliness",
        "financial",
        "management",
    ]
    assert [p.value for p in evaluation.scale] == [0, 1, 2, 3, 4]


# --- each seed's figures ------------------------------------------------------------------


def test_connecticut_pack_reproduces_seed_000(shipped: dict[str, PackRules]) -> None:
    """seed 000: written evaluation not later than 60 days after the contractor completes."""
    pack = shipped["connecticut-opm"]
    assert pack.seed == "000"
    assert _rule(pack, "closeout_evaluation") == (60, DayKind.CALENDAR, "seed 000")
    assert _rule(pack, "self_assessment") == (20, DayKind.WORKING, STEWARD_DEFAULT)
    assert pack.terms.provider == "contractor"
    assert pack.terms.providers == "contractors"
    assert pack.calendar() == WorkingCalendar("US", "CT")
    assert (pack.currency, pack.date_order, pack.jurisdiction) == ("USD", "MDY", "Connecticut")
    assert pack.renewal.score_threshold is None
    assert pack.tender.threshold is None


def test_connecticut_closeout_evaluation_due_date(shipped: dict[str, PackRules]) -> None:
    """seed 000: work completed 29 May 2026 → evaluation due 28 July 2026 (60 days)."""
    deadline = shipped["connecticut-opm"].deadline("closeout_evaluation", date(2026, 5, 29))
    assert deadline.due == date(2026, 7, 28)
    assert deadline.explain() == (
        "60 calendar days from 2026-05-29 (rule closeout_evaluation, pack connecticut-opm, "
        "seed 000)"
    )


def test_milwaukee_pack_reproduces_seed_001(shipped: dict[str, PackRules]) -> None:
    """seed 001: score of 90 or higher to renew; metrics for formal procurements over a year."""
    pack = shipped["milwaukee-mps"]
    assert pack.seed == "001"
    assert pack.renewal.score_threshold == 90
    assert pack.renewal.source == "seed 001"
    assert pack.metrics_requirement.formal_procurement_term_months_over == 12
    assert pack.metrics_requirement.source == "seed 001"
    assert pack.terms.provider == "contractor"
    assert pack.calendar() == WorkingCalendar("US", "WI")
    assert (pack.currency, pack.date_order) == ("USD", "MDY")
    assert _rule(pack, "closeout_evaluation") == (60, DayKind.CALENDAR, STEWARD_DEFAULT)


def test_west_london_pack_reproduces_seed_002(shipped: dict[str, PackRules]) -> None:
    """seed 002 stages 2, 7 and 8: 20 working days, 20 working days, 14 days; one annual
    cycle, so an annual review and no biannual one; London's time."""
    pack = shipped["west-london-sp"]
    assert pack.seed == "002"
    assert _rule(pack, "self_assessment") == (20, DayKind.WORKING, "seed 002 stage 2")
    assert _rule(pack, "results_letter") == (20, DayKind.WORKING, "seed 002 stage 7")
    assert _rule(pack, "monitoring_appeal") == (14, DayKind.CALENDAR, "seed 002 stage 8")
    assert _rule(pack, "closeout_evaluation") == (60, DayKind.CALENDAR, STEWARD_DEFAULT)
    assert (pack.reviews.annual_review, pack.reviews.biannual_review) == (True, False)
    assert pack.time_zone == "Europe/London"
    assert pack.terms.provider == "provider"
    assert pack.calendar() == WorkingCalendar("GB", "ENG")
    assert (pack.currency, pack.date_order, pack.jurisdiction) == ("GBP", "DMY", "England")
    assert pack.renewal.score_threshold is None
    assert pack.tender.threshold is None


def test_west_london_self_assessment_over_christmas(shipped: dict[str, PackRules]) -> None:
    """seed 002 stage 2: letter sent 10 December 2026 → self-assessment due 12 January 2027."""
    deadline = shipped["west-london-sp"].deadline("self_assessment", date(2026, 12, 10))
    assert deadline.due == date(2027, 1, 12)
    assert deadline.pack == "west-london-sp"
    assert deadline.explain() == (
        "20 working days from 2026-12-10 (rule self_assessment, pack west-london-sp, "
        "seed 002 stage 2)"
    )


def test_west_london_appeal_window_is_calendar_days(shipped: dict[str, PackRules]) -> None:
    """seed 002 stage 8: 14 days to appeal from a letter of 18 December 2026 → 1 January 2027,
    not rolled off the bank holiday."""
    assert shipped["west-london-sp"].deadline("monitoring_appeal", date(2026, 12, 18)).due == date(
        2027, 1, 1
    )


def test_scottish_pack_reproduces_seed_003(shipped: dict[str, PackRules]) -> None:
    """seed 003: contracts over £20,000 are advertised; biannual and annual reviews."""
    pack = shipped["scottish-childrens"]
    assert pack.seed == "003"
    assert pack.tender.threshold == Decimal("20000.00")
    assert pack.tender.currency == "GBP"
    assert pack.tender.source == "seed 003"
    assert pack.reviews.biannual_review is True
    assert pack.reviews.annual_review is True
    assert pack.reviews.source == "seed 003"
    assert pack.terms.provider == "provider"
    assert pack.calendar() == WorkingCalendar("GB", "SCT")
    assert (pack.currency, pack.date_order, pack.jurisdiction) == ("GBP", "DMY", "Scotland")
    assert _rule(pack, "self_assessment") == (20, DayKind.WORKING, STEWARD_DEFAULT)


def test_scottish_self_assessment_is_a_day_later_than_english(
    shipped: dict[str, PackRules],
) -> None:
    """seed 003 calendar with seed 002's 20 working days: 4 January 2027 is a Scottish
    substitute holiday, so the same letter is due a day later than in England."""
    assert shipped["scottish-childrens"].deadline("self_assessment", date(2026, 12, 10)).due == (
        date(2027, 1, 13)
    )


def test_massachusetts_pack_reproduces_seed_004(shipped: dict[str, PackRules]) -> None:
    """seed 004: utilization 85%–100%; debriefing request within 14 days, meeting within 14."""
    pack = shipped["massachusetts-osd"]
    assert pack.seed == "004"
    assert pack.utilization.reasonable_min == Decimal("0.85")
    assert pack.utilization.maximum == Decimal("1.00")
    assert pack.utilization.source == "seed 004"
    assert _rule(pack, "debriefing_request") == (14, DayKind.CALENDAR, "seed 004")
    assert _rule(pack, "debriefing_meeting") == (14, DayKind.CALENDAR, "seed 004")
    assert _rule(pack, "bid_appeal")[2] == STEWARD_DEFAULT  # seed 004 leaves it to the SSST
    assert pack.terms.provider == "contractor"
    assert pack.calendar() == WorkingCalendar("US", "MA")
    assert (pack.currency, pack.date_order, pack.jurisdiction) == ("USD", "MDY", "Massachusetts")
    assert pack.tender.threshold is None


def test_massachusetts_debriefing_request_due_date(shipped: dict[str, PackRules]) -> None:
    """seed 004: contract execution notified 21 June 2027 → debriefing request by 5 July 2027
    (calendar days: the observed Independence Day does not move it)."""
    assert shipped["massachusetts-osd"].deadline("debriefing_request", date(2027, 6, 21)).due == (
        date(2027, 7, 5)
    )


def test_renewal_threshold_only_in_milwaukee(shipped: dict[str, PackRules]) -> None:
    """seed 001: the renewal score bar is Milwaukee's; the other seeds set none."""
    assert {slug: p.renewal.score_threshold for slug, p in shipped.items()} == {
        "connecticut-opm": None,
        "massachusetts-osd": None,
        "milwaukee-mps": 90,
        "scottish-childrens": None,
        "west-london-sp": None,
    }


def test_tender_threshold_only_in_scotland(shipped: dict[str, PackRules]) -> None:
    """seed 003: £20,000; the other seeds are silent."""
    assert {slug: p.tender.threshold for slug, p in shipped.items()} == {
        "connecticut-opm": None,
        "massachusetts-osd": None,
        "milwaukee-mps": None,
        "scottish-childrens": Decimal("20000.00"),
        "west-london-sp": None,
    }


# --- look-ups -----------------------------------------------------------------------------


def test_unknown_deadline_key_is_a_key_error_and_a_pack_error(
    shipped: dict[str, PackRules],
) -> None:
    """DOMAIN.md §4: a deadline the pack does not define is an error, not a silent default."""
    with pytest.raises(UnknownDeadlineError) as caught:
        shipped["west-london-sp"].deadline_rule("renewal_notice")
    assert isinstance(caught.value, KeyError)
    assert isinstance(caught.value, PackError)
    assert caught.value.path == "deadlines.renewal_notice"
    assert str(caught.value).startswith(
        "deadlines.renewal_notice: pack 'west-london-sp' has no such deadline"
    )


def test_deadline_rule_returns_the_rule(shipped: dict[str, PackRules]) -> None:
    """seed 002 stage 7: the results letter rule."""
    assert shipped["west-london-sp"].deadline_rule("results_letter") == DeadlineRule(
        key="results_letter",
        label="Letter and report to the provider (from all information being submitted)",
        days=20,
        kind=DayKind.WORKING,
        source="seed 002 stage 7",
    )


def test_closure_days_round_trip_and_reach_the_calendar() -> None:
    """DOMAIN.md §4: a pack's calendar holds agency closure days (ISO strings in JSON)."""
    raw = _raw("west-london-sp")
    raw["calendar"]["closure_days"] = ["2026-12-29", "2026-12-30", "2026-12-31"]
    pack = PackRules.from_dict(raw)
    assert pack.calendar().closure_days == frozenset(
        {date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)}
    )
    assert pack.to_dict() == raw
    assert pack.deadline("self_assessment", date(2026, 12, 10)).due == date(2027, 1, 15)


# --- invalid packs ------------------------------------------------------------------------


def _broken(change: Any) -> dict[str, Any]:
    raw = copy.deepcopy(_raw("west-london-sp"))
    change(raw)
    return raw


def _set(path: str, value: Any) -> Any:
    def change(raw: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = raw
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return change


def _delete(path: str) -> Any:
    def change(raw: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = raw
        for key in parents:
            target = target[key]
        del target[last]

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            _delete("deadlines.bid_appeal"),
            "deadlines.bid_appeal: required deadline is missing",
            id="missing-deadline",
        ),
        pytest.param(
            _delete("currency"), "currency: required field is missing", id="missing-top-key"
        ),
        pytest.param(
            _delete("risk.red_at"), "risk.red_at: required field is missing", id="missing-nested"
        ),
        pytest.param(
            _set("deadlines.self_assessment.days", -1),
            "deadlines.self_assessment.days: must be a whole number ≥ 0",
            id="negative-days",
        ),
        pytest.param(
            _set("deadlines.self_assessment.days", True),
            "deadlines.self_assessment.days: must be a whole number ≥ 0",
            id="bool-days",
        ),
        pytest.param(
            _set("deadlines.self_assessment.days", "20"),
            "deadlines.self_assessment.days: must be a whole number ≥ 0",
            id="string-days",
        ),
        pytest.param(
            _set("deadlines.monitoring_appeal.kind", "business"),
            "deadlines.monitoring_appeal.kind: must be one of 'calendar', 'working', "
            "not 'business'",
            id="bad-kind",
        ),
        pytest.param(
            _set("deadlines.monitoring_appeal.source", ""),
            "deadlines.monitoring_appeal.source: must be a non-empty string",
            id="empty-source",
        ),
        pytest.param(
            _set("evaluation.criteria.0.weight", 25),
            "evaluation.criteria: weights must add up to 100, not 95",
            id="bad-weight-sum",
        ),
        pytest.param(
            _set("evaluation.criteria.1.weight", 0),
            "evaluation.criteria[1].weight: must be a whole number from 1 to 100",
            id="zero-weight",
        ),
        pytest.param(
            _set("evaluation.criteria.1.key", "service_delivery"),
            "evaluation.criteria[1].key: duplicate criterion 'service_delivery'",
            id="duplicate-criterion",
        ),
        pytest.param(
            _set("evaluation.scale.2.value", 1),
            "evaluation.scale[2].value: scale values must go up, each once",
            id="scale-order",
        ),
        pytest.param(
            _set("calendar.subdivision", "XX"),
            "calendar.subdivision: unknown subdivision 'XX' for country 'GB'",
            id="bad-subdivision",
        ),
        pytest.param(
            _set("calendar.country", "UK"),
            "calendar.country: unknown country 'UK'",
            id="bad-country",
        ),
        pytest.param(
            _set("calendar.closure_days", ["24/12/2026"]),
            "calendar.closure_days[0]: must be a date written YYYY-MM-DD",
            id="closure-not-iso",
        ),
        pytest.param(
            _set("calendar.closure_days", ["2026-12-30", "2026-12-29"]),
            "calendar.closure_days[1]: closure days must be in date order, each once",
            id="closure-order",
        ),
        pytest.param(
            _set("tender.threshold", 20000),
            "tender.threshold: must be an amount in a string with two decimals",
            id="money-as-number",
        ),
        pytest.param(
            _set("tender.threshold", "20000"),
            "tender.threshold: must be an amount in a string with two decimals",
            id="money-without-pence",
        ),
        pytest.param(
            _set("tender.currency", "USD"),
            "tender.currency: must be the pack currency 'GBP', not 'USD'",
            id="tender-currency",
        ),
        pytest.param(
            _set("utilization.reasonable_min", 0.85),
            "utilization.reasonable_min: must be a decimal number in a string",
            id="fraction-as-float",
        ),
        pytest.param(
            _set("utilization.maximum", "1.10"),
            "utilization.maximum: must be from reasonable_min to 1",
            id="utilization-over-100",
        ),
        pytest.param(
            _set("risk.red_at", 3), "risk.red_at: must be more than amber_at (3)", id="risk-order"
        ),
        pytest.param(
            _set("risk.weights", [1, 2]),
            "risk.weights: must be an object of signal name to weight",
            id="risk-weights-not-object",
        ),
        pytest.param(
            _set("risk.weights", {"concerns": -1}),
            "risk.weights.concerns: must be a whole number ≥ 0",
            id="risk-weight-negative",
        ),
        pytest.param(
            _delete("risk.weights"), "risk.weights: required field is missing", id="risk-no-weights"
        ),
        pytest.param(
            _set("renewal.score_threshold", 101),
            "renewal.score_threshold: must be a whole number from 0 to 100",
            id="renewal-over-100",
        ),
        pytest.param(
            _set("reviews.biannual_review", "yes"),
            "reviews.biannual_review: must be true or false",
            id="review-not-bool",
        ),
        pytest.param(
            _set("date_order", "YMD"),
            "date_order: must be one of 'DMY', 'MDY', not 'YMD'",
            id="date-order",
        ),
        pytest.param(
            _set("slug", "West London"),
            "slug: must be lower-case words joined by hyphens",
            id="bad-slug",
        ),
        pytest.param(_set("seed", "2"), "seed: must be three digits", id="bad-seed"),
        pytest.param(
            _set("terms.region", "x"), "terms.region: unknown field", id="unknown-nested-field"
        ),
        pytest.param(_set("extra", 1), "extra: unknown field", id="unknown-top-field"),
        pytest.param(_set("deadlines", []), "deadlines: must be an object", id="deadlines-list"),
        pytest.param(
            _set("expiring_window_days", 0),
            "expiring_window_days: must be a whole number ≥ 1",
            id="expiring-window",
        ),
        pytest.param(
            _set("fiscal_year.start", "7-1"),
            "fiscal_year.start: must be month and day",
            id="fiscal-year-format",
        ),
        pytest.param(
            _set("fiscal_year.start", "02-30"),
            "fiscal_year.start: '02-30' is not a day of the year",
            id="fiscal-year-no-such-day",
        ),
    ],
)
def test_invalid_pack_names_the_field(change: Any, message: str) -> None:
    """DOMAIN.md §4: an agency edits its pack; a mistake is reported at the exact field."""
    with pytest.raises(PackError) as caught:
        PackRules.from_dict(_broken(change))
    assert str(caught.value).startswith(message)


def test_pack_error_is_a_value_error_with_a_path() -> None:
    """DOMAIN.md §4: PackError carries the field path for forms to show next to the field."""
    with pytest.raises(ValueError) as caught:
        PackRules.from_dict(_broken(_set("deadlines.results_letter.days", -3)))
    assert isinstance(caught.value, PackError)
    assert caught.value.path == "deadlines.results_letter.days"
    assert caught.value.message == "must be a whole number ≥ 0"


def test_a_pack_must_be_an_object() -> None:
    """DOMAIN.md §4: a pack is a JSON object."""
    with pytest.raises(PackError, match=r"^\(pack\): must be an object$"):
        PackRules.from_dict([])


def test_extra_deadlines_are_kept() -> None:
    """DOMAIN.md §4: an agency may add deadlines beyond the required ones."""
    raw = _raw("west-london-sp")
    raw["deadlines"]["visit_report"] = {
        "label": "Visit report sent",
        "days": 10,
        "kind": "working",
        "source": "agency policy",
    }
    pack = PackRules.from_dict(raw)
    assert pack.deadline_rule("visit_report").days == 10
    assert pack.to_dict() == raw


# --- files --------------------------------------------------------------------------------


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def test_load_shipped_packs_reads_another_folder(tmp_path: Path) -> None:
    """DOMAIN.md §4: an agency copies a shipped pack and edits it."""
    raw = _raw("scottish-childrens")
    raw["slug"] = "fife-childrens"
    raw["seed"] = None
    _write(tmp_path, "fife-childrens.json", json.dumps(raw))
    (loaded,) = load_shipped_packs(tmp_path)
    assert loaded.slug == "fife-childrens"
    assert loaded.seed is None


def test_file_name_must_match_slug(tmp_path: Path) -> None:
    """DOMAIN.md §4: a pack file is named by its slug."""
    _write(tmp_path, "other.json", json.dumps(_raw("west-london-sp")))
    with pytest.raises(PackError, match="slug: 'west-london-sp' does not match the file name"):
        load_shipped_packs(tmp_path)


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    """DOMAIN.md §4: the error says which file and which field."""
    raw = _raw("west-london-sp")
    raw["deadlines"]["self_assessment"]["days"] = -1
    _write(tmp_path, "west-london-sp.json", json.dumps(raw))
    with pytest.raises(PackError) as caught:
        load_pack(tmp_path / "west-london-sp.json")
    assert str(caught.value) == (
        "deadlines.self_assessment.days: must be a whole number ≥ 0 (in west-london-sp.json)"
    )


def test_bad_json_and_duplicate_keys_are_refused(tmp_path: Path) -> None:
    """DOMAIN.md §4: a hand-edited file with a typo fails loudly."""
    _write(tmp_path, "a.json", "{not json")
    with pytest.raises(PackError, match=r"a\.json: is not valid JSON"):
        load_pack(tmp_path / "a.json")
    _write(tmp_path, "b.json", '{"slug": "b", "slug": "c"}')
    with pytest.raises(PackError, match="slug: appears twice in the same object"):
        load_pack(tmp_path / "b.json")


@pytest.mark.parametrize(
    ("slug", "day", "fiscal_year"),
    [
        ("connecticut-opm", date(2026, 6, 30), 2026),
        ("connecticut-opm", date(2026, 7, 1), 2027),
        ("massachusetts-osd", date(2027, 6, 30), 2027),
        ("west-london-sp", date(2027, 3, 31), 2027),
        ("west-london-sp", date(2027, 4, 1), 2028),
        ("scottish-childrens", date(2026, 4, 1), 2027),
    ],
)
def test_fiscal_year_of_a_day_at_the_edges(slug: str, day: date, fiscal_year: int) -> None:
    """Issue 3: the fiscal year starts July 1 for CT and MA, April 1 for the UK packs; a
    fiscal year is named by the calendar year it ends in."""
    pack = {p.slug: p for p in load_shipped_packs()}[slug]
    assert pack.fiscal_year.year_of(day) == fiscal_year
    first, last = pack.fiscal_year.bounds(fiscal_year)
    assert first <= day <= last


def test_fiscal_year_bounds_are_inclusive_and_contiguous() -> None:
    """Issue 3: FY2027 in Connecticut is 2026-07-01 to 2027-06-30; FY2028 starts the next day."""
    pack = {p.slug: p for p in load_shipped_packs()}["connecticut-opm"]
    assert pack.fiscal_year.bounds(2027) == (date(2026, 7, 1), date(2027, 6, 30))
    uk = {p.slug: p for p in load_shipped_packs()}["west-london-sp"]
    assert uk.fiscal_year.bounds(2027) == (date(2026, 4, 1), date(2027, 3, 31))


def test_risk_weights_in_every_shipped_pack(shipped: dict[str, PackRules]) -> None:
    """Risk weights live in the pack (issue 5; Steward default figures); a signal the pack does
    not name weighs 1."""
    for pack in shipped.values():
        assert pack.risk.weight("returns_missing") == 2
        assert pack.risk.weight("inspection_poor") == 3
        assert pack.risk.weight("a_signal_nobody_named") == 1


def test_every_shipped_pack_has_its_agencies_time_zone(shipped: dict[str, PackRules]) -> None:
    """An agency's "today" is its own: New England, Wisconsin and Britain."""
    assert {slug: pack.time_zone for slug, pack in shipped.items()} == {
        "connecticut-opm": "America/New_York",
        "massachusetts-osd": "America/New_York",
        "milwaukee-mps": "America/Chicago",
        "scottish-childrens": "Europe/London",
        "west-london-sp": "Europe/London",
    }


def test_no_shipped_pack_asks_for_a_per_contract_performance_report(
    shipped: dict[str, PackRules],
) -> None:
    """seed 002 stage 10 is one agency-level report to the commissioning body, and seed 003
    asks for no six-monthly report per contract: no pack holds one."""
    for pack in shipped.values():
        assert "performance_report_months" not in pack.to_dict()["reviews"]


def test_a_pack_with_an_unknown_time_zone_is_refused() -> None:
    data = json.loads((SHIPPED_PACKS_DIR / "west-london-sp.json").read_text())
    data["time_zone"] = "Europe/Atlantis"
    with pytest.raises(PackError) as exc:
        PackRules.from_dict(data)
    assert "time_zone" in str(exc.value)
