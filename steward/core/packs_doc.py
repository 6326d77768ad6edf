"""Writes docs/policy-packs.md from the shipped pack files, so the document cannot drift from
the data: `python -m steward.core.packs_doc > docs/policy-packs.md` (a test checks it is current).
Pure Python: no Django."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from steward.core.packs import load_shipped_packs

INTRO = """# Policy packs

Each agency follows one policy pack (DOMAIN.md §4): data, not code. The five shipped packs
live in `steward/core/policy_packs/*.json`, are validated by `steward/core/packs.py`, and are
read-only in the application; an oversight officer or administrator copies one
(`/packs/<slug>/copy/` or `POST /api/v1/packs/<slug>/copy`) and edits the copy. Every edit needs a
reason, bumps the pack's version and is kept in its history. Every due date Steward stores
records the rule, pack and pack version that produced it.

Figures a pack's seed gives carry that seed as their source; figures its seed is silent on
are marked "Steward default". This page is generated from the pack files by
`python -m steward.core.packs_doc`.
"""


def _v(value: object) -> str:
    return "none" if value is None else str(value)


def render() -> str:
    """Return the Markdown of docs/policy-packs.md."""
    packs = [p.to_dict() for p in load_shipped_packs()]
    lines = [INTRO, "## Deadlines", ""]
    header = "| rule | " + " | ".join(p["slug"] for p in packs) + " |"
    rule = "|---|" + "---|" * len(packs)
    lines += [header, rule]
    for key in packs[0]["deadlines"]:
        cells = [
            f"{d['days']} {d['kind']} ({d['source']})" for d in (p["deadlines"][key] for p in packs)
        ]
        lines.append(f"| `{key}` | " + " | ".join(cells) + " |")
    lines += ["", "## Other figures", "", header.replace("| rule |", "| figure |"), rule]

    def row(name: str, cell: Callable[[dict[str, Any]], object]) -> None:
        lines.append(f"| {name} | " + " | ".join(str(cell(p)) for p in packs) + " |")

    row("calendar", lambda d: f"{d['calendar']['country']}-{d['calendar']['subdivision']}")
    row("currency", lambda d: d["currency"])
    row("date order", lambda d: d["date_order"])
    row("time zone (the agency's today and overdue)", lambda d: d["time_zone"])
    row("term for the provider", lambda d: d["terms"]["provider"])
    row(
        "renewal score threshold",
        lambda d: f"{_v(d['renewal']['score_threshold'])} ({d['renewal']['source']})",
    )
    row(
        "renewal or extension decided before the end (days)",
        lambda d: f"{d['renewal']['decision_days_before_end']} ({d['renewal']['decision_source']})",
    )
    row(
        "review meetings",
        lambda d: (
            " and ".join(
                name
                for name, on in (
                    ("biannual", d["reviews"]["biannual_review"]),
                    ("annual", d["reviews"]["annual_review"]),
                )
                if on
            )
            + f" ({d['reviews']['source']})"
        ),
    )
    row(
        "months between monitoring cycles by risk rating (red / amber / green)",
        lambda d: (
            "12 / 12 / 12 (Steward default)"
            if not d.get("monitoring")
            else " / ".join(
                str(d["monitoring"]["cycle_months_by_rating"][r]) for r in ("red", "amber", "green")
            )
            + f" ({d['monitoring']['source']})"
        ),
    )
    row(
        "metrics required for formal procurements over (months)",
        lambda d: (
            f"{_v(d['metrics_requirement']['formal_procurement_term_months_over'])} "
            f"({d['metrics_requirement']['source']})"
        ),
    )
    row(
        "metrics requirement covers (contract types) and on execution",
        lambda d: (
            ", ".join(d["metrics_requirement"].get("contract_types") or ["every type"])
            + (
                "; refuses execution without metrics"
                if d["metrics_requirement"].get("blocks_execution")
                else "; warns only"
            )
        ),
    )
    row(
        "renewal score applies to",
        lambda d: (
            "every contract"
            if not d["renewal"].get("scope")
            else ", ".join(d["renewal"]["scope"]["contract_types"] or ["every type"])
            + (" let by formal procurement" if d["renewal"]["scope"]["formal_procurement"] else "")
            + (
                f" with terms over {d['renewal']['scope']['term_months_over']} months"
                if d["renewal"]["scope"]["term_months_over"]
                else ""
            )
            + " (seed "
            + d["renewal"]["scope"]["source"].removeprefix("seed ").split(":")[0]
            + ")"
        ),
    )
    row(
        "Performance Evaluation Plan: contracts eligible, phased in",
        lambda d: (
            "none"
            if not d.get("pep")
            else f"{d['pep']['minimum_value']} {d['currency']} or more, "
            + ", ".join(d["pep"]["contract_types"])
            + (", a measure from the library" if d["pep"]["aligned_to_assessment_tools"] else "")
            + f"; {d['pep']['per_fiscal_year']} a fiscal year"
        ),
    )
    row(
        "evaluation score from",
        lambda d: (
            "the contract's own performance measures"
            if d["evaluation"].get("score_from") == "indicators"
            else "the weighted criteria"
        ),
    )
    row(
        "utilization (reasonable min – max)",
        lambda d: (
            f"{d['utilization']['reasonable_min']}–{d['utilization']['maximum']} "
            f"({d['utilization']['source']})"
        ),
    )
    row(
        "tender threshold",
        lambda d: (
            f"{_v(d['tender']['threshold'])} {d['tender']['currency']} ({d['tender']['source']})"
        ),
    )
    row("expiring window (days)", lambda d: d["expiring_window_days"])
    row("fiscal year starts (MM-DD)", lambda d: d["fiscal_year"]["start"])
    lines += [
        "",
        "Risk thresholds and the evaluation template (criteria, weights and",
        "rating scale) are in each file; the pack's page in the application shows every figure.",
        "",
        "## Optional keys (seed 001)",
        "",
        "A pack may leave these out; left out, each keeps the behaviour before it existed.",
        "",
        "- `renewal.scope`: `{contract_types, formal_procurement, term_months_over, source}`, the",
        "  contracts the renewal score applies to. Milwaukee: professional services let by formal",
        "  procurement (RFPs) with terms over 12 months; any other contract (a charter school, a",
        "  one-year or sole-source contract) is eligible whatever its score. Left out: every",
        "  contract.",
        "- `metrics_requirement.contract_types`: the contract types the metrics requirement",
        "  covers (left out: every type); `metrics_requirement.blocks_execution`: `true` refuses",
        "  to execute a covered contract until it has performance indicators (left out: the",
        "  contract is only flagged).",
        '- `evaluation.score_from`: `"criteria"` (the weighted ratings, the default) or',
        "  `\"indicators\"`: the score comes from the contract's own indicators, each one's",
        "  achievement over the evaluation's period weighted by its payment share (see",
        "  [evaluations](evaluations.md)). A contract without indicators is scored on the",
        "  criteria.",
        "- `pep` (top level): `{minimum_value, contract_types, aligned_to_assessment_tools,",
        "  per_fiscal_year, source}`, the Performance Evaluation Plan's eligibility rule (seed",
        "  001: high-dollar, service-based, aligned to assessment tools in place, phased in);",
        "  Steward lists the eligible contracts and the fiscal year each joins",
        "  (`/performance/pep/`).",
        "  Left out: no list.",
        "- `monitoring` (top level): `{cycle_months_by_rating: {red, amber, green}, source}`,",
        "  the months from the start of a contract's last monitoring cycle (or its start) to the",
        "  next, by its risk rating (seed 002 stage 1; red no longer than amber, amber no longer",
        "  than green). Left out: 12 months for every rating.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
