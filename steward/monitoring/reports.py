"""The stage 9 and stage 10 reports (seed 002) as tables, charts, PDF and XLSX.

Stage 9: the report by exception to senior managers (selectors.exception_report). Stage 10:
the twice-yearly report on performance across all services to the commissioning body
(ServicesReport, whose `figures` were kept when it was made). The pages, the PDF and the
spreadsheet are drawn from the same rows, built here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from steward.contracts.due_kinds import KINDS
from steward.core.exports import Sheet, xlsx_bytes
from steward.core.formatting import fmt_date
from steward.monitoring import calc
from steward.monitoring.models import ServicesReport
from steward.monitoring.selectors import ExceptionReport

RISK_RATINGS = (("red", "Red"), ("amber", "Amber"), ("green", "Green"))
ACHIEVEMENT = (
    ("met", "Met"),
    ("within_tolerance", "Within tolerance"),
    ("missed", "Missed"),
    ("no_data", "No data"),
)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    text_y: int
    width: int
    value_x: int


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart drawn on the server (SVG), the same figures as a table."""

    bars: list[Bar]
    height: int
    label_w: int
    bar_h: int
    total_w: int


def bar_chart(rows: Sequence[tuple[str, int]], *, label_w: int = 220, width: int = 360) -> Chart:
    bar, gap = 22, 10
    top = max([n for _, n in rows] + [1])
    bars = []
    for i, (label, n) in enumerate(rows):
        w = round(width * n / top) if n else 0
        bars.append(
            Bar(
                label=label,
                value=n,
                y=i * (bar + gap),
                text_y=i * (bar + gap) + bar - 6,
                width=w,
                value_x=label_w + w + 6,
            )
        )
    return Chart(
        bars=bars,
        height=max(1, len(bars)) * (bar + gap),
        label_w=label_w,
        bar_h=bar,
        total_w=label_w + width + 60,
    )


# ---------------------------------------------------------------- stage 9


def missed_rows(report: ExceptionReport) -> list[dict[str, Any]]:
    """The missed deadlines as rows: the due date, what it is in words, whose it is (the
    contract and provider, or "All services" for an agency's own report) and the days overdue
    in its agency's today."""
    rows = []
    for due in report.missed:
        kind = KINDS[due.kind]
        contract = due.contract
        rows.append(
            {
                "due": due,
                "what": kind.name if due.label == kind.name else f"{kind.name}: {due.label}",
                "contract": contract.number if contract is not None else "All services",
                "provider": contract.provider.legal_name if contract is not None else "",
                "days_overdue": report.days_overdue.get(due.pk, 0),
            }
        )
    return rows


def exception_xlsx(report: ExceptionReport) -> bytes:
    red = (
        (
            a.contract.number,
            a.contract.provider.legal_name,
            a.contract.agency.name,
            a.as_of,
            a.get_override_rating_display() or a.get_computed_rating_display(),
            "; ".join(a.reasons or []),
        )
        for a in report.red
    )
    appeals = (
        (
            c.contract.number,
            c.provider.legal_name,
            c.year,
            c.appeal_lodged_on,
            c.get_appeal_outcome_display() or "Not decided",
            c.appeal_decided_on,
        )
        for c in report.appeals
    )
    missed = (
        (r["contract"], r["provider"], r["what"], r["due"].due_date, r["days_overdue"])
        for r in missed_rows(report)
    )
    concerns = (
        (
            c.received_on,
            c.provider.legal_name,
            c.contract.number if c.contract_id else "",
            c.category.name,
            c.get_severity_display(),
            c.get_status_display(),
            c.summary,
        )
        for c in report.serious_concerns
    )
    return xlsx_bytes(
        [
            Sheet(
                "Red contracts",
                ("Contract", "Provider", "Agency", "Assessed on", "Rating", "Reasons"),
                red,
            ),
            Sheet(
                "Appeals",
                ("Contract", "Provider", "Monitoring year", "Lodged on", "Outcome", "Decided on"),
                appeals,
            ),
            Sheet(
                "Missed deadlines",
                ("Contract", "Provider", "Deadline", "Due on", "Days overdue"),
                missed,
            ),
            Sheet(
                "Serious concerns",
                (
                    "Received on",
                    "Provider",
                    "Contract",
                    "Category",
                    "Severity",
                    "Status",
                    "Summary",
                ),
                concerns,
            ),
            Sheet(
                "About",
                ("Report", "As of", "Appeals since"),
                [("Report by exception to senior managers", report.as_of, report.since)],
            ),
        ]
    )


# ---------------------------------------------------------------- stage 10


@dataclass(frozen=True)
class ReportTables:
    """One ServicesReport's figures as the tables of its page, PDF and spreadsheet."""

    period: tuple[date, date]
    contracts: int
    cycles_completed: int
    appeals: int
    actions_done: int
    actions_overdue: int
    ratings: list[tuple[str, str]]  # the judgement ratings (key, label), best first
    judgements: list[dict[str, Any]]  # {area, label, counts: [n per rating], total}
    judgement_totals: list[int]
    judgement_total: int
    risk: list[dict[str, Any]]  # {key, label, start, now, change}
    achievement: list[tuple[str, int]]
    judgement_chart: Chart
    risk_chart: Chart


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def report_tables(report: ServicesReport) -> ReportTables:
    f = report.figures or {}
    ratings = list(calc.JUDGEMENT_RATINGS)
    stored = f.get("judgements") or {}
    judgements: list[dict[str, Any]] = []
    for key, label in calc.JUDGEMENT_AREAS:
        counts = [_int((stored.get(key) or {}).get(r)) for r, _ in ratings]
        judgements.append({"area": key, "label": label, "counts": counts, "total": sum(counts)})
    totals = [sum(row["counts"][i] for row in judgements) for i in range(len(ratings))]
    now, start = f.get("risk_now") or {}, f.get("risk_at_start") or {}
    risk: list[dict[str, Any]] = []
    for key, label in RISK_RATINGS:
        a, b = _int(start.get(key)), _int(now.get(key))
        risk.append(
            {
                "key": key,
                "label": label,
                "start": a,
                "now": b,
                "change": b - a,
                "change_abs": abs(b - a),
            }
        )
    stored_achievement = f.get("indicator_achievement") or {}
    achievement = [(label, _int(stored_achievement.get(k))) for k, label in ACHIEVEMENT]
    actions = f.get("actions") or {}
    risk_bars: list[tuple[str, int]] = []
    for row in risk:
        risk_bars.append((f"{row['label']}, start of period", row["start"]))
        risk_bars.append((f"{row['label']}, now", row["now"]))
    return ReportTables(
        period=(report.period_start, report.period_end),
        contracts=_int(f.get("contracts")),
        cycles_completed=_int(f.get("cycles_completed")),
        appeals=_int(f.get("appeals")),
        actions_done=_int(actions.get("done")),
        actions_overdue=_int(actions.get("overdue")),
        ratings=ratings,
        judgements=judgements,
        judgement_totals=totals,
        judgement_total=sum(totals),
        risk=risk,
        achievement=achievement,
        judgement_chart=bar_chart(
            [(label, n) for (_, label), n in zip(ratings, totals, strict=True)]
        ),
        risk_chart=bar_chart(risk_bars),
    )


def services_xlsx(report: ServicesReport, tables: ReportTables) -> bytes:
    start, end = tables.period
    summary = [
        ("Agency", report.agency.name),
        ("Period", f"{fmt_date(start)} to {fmt_date(end)}"),
        ("Live contracts", tables.contracts),
        ("Monitoring cycles completed (results letter sent)", tables.cycles_completed),
        ("Appeals", tables.appeals),
        ("Actions done", tables.actions_done),
        ("Actions overdue", tables.actions_overdue),
        ("Made on", timezone.localtime(report.created_at).date() if report.created_at else None),
    ]
    judgements = [(row["label"], *row["counts"], row["total"]) for row in tables.judgements] + [
        ("All areas", *tables.judgement_totals, tables.judgement_total)
    ]
    risk = [(r["label"], r["start"], r["now"], r["change"]) for r in tables.risk]
    ratings = [label for _, label in tables.ratings]
    return xlsx_bytes(
        [
            Sheet("Summary", ("Figure", "Value"), summary),
            Sheet("Judgements", ("Area", *ratings, "Total"), judgements),
            Sheet("Risk", ("Rating", "At the start of the period", "Now", "Change"), risk),
            Sheet("Indicators", ("Achievement", "Indicators"), tables.achievement),
            Sheet("Recommendations", ("Recommendations",), [(report.recommendations,)]),
        ]
    )
