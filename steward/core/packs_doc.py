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
        "metrics required for formal procurements over (months)",
        lambda d: (
            f"{_v(d['metrics_requirement']['formal_procurement_term_months_over'])} "
            f"({d['metrics_requirement']['source']})"
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
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
