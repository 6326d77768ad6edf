"""Demo evaluations, made through the services: finalised closeout evaluations (one shared
from Milwaukee, one from Connecticut), one released to the provider and awaiting its comments,
one draft under way, a report card awaiting the oversight officer's decision in lieu of the
form (seed 000), and the interim evaluations due on performance-based contracts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from steward.core.errors import ValidationFailed
from steward.evaluations import services

# contract number, ratings (service delivery, quality, timeliness, financial, management), stage
_PLAN = [
    ("DCF-PSA-0107", (3, 4, 3, 4, 3), "finalised"),
    ("MPS-PS-2502", (4, 4, 3, 4, 4), "finalised"),
    ("DCF-POS-0276", (2, 3, 2, 3, 2), "released"),
    ("MPS-PS-2550", (3, 3, 4, 3, 3), "draft"),
]
_NARRATIVE = {
    0: "Below what the contract asks, and not put right.",
    1: "Part of the requirement met; slow to put problems right.",
    2: "The requirement met; minor problems put right promptly.",
    3: "The requirement met and in places exceeded, as the returns show.",
    4: "Exceeded throughout; the PEP targets were beaten every quarter.",
}


def _closed_on(contract: Any) -> date:
    return contract.completed_on or contract.terminated_on or contract.end_date


def _pre_renewal(ctx: Any, number: str) -> bool:
    """The normal path to a Milwaukee renewal (seed 001): a pre-renewal evaluation of the
    active contract, scored from its own metrics, acknowledged by the contractor and finalised
    by the senior manager; its renewal then reads that score."""
    contract = ctx.contracts.get(number)
    if contract is None or contract.status not in ("executed", "active"):
        return False
    if not contract.indicators.exists():
        return False
    author = next(
        u
        for u in ctx.users.values()
        if u.agency_id == contract.agency_id and u.role == "contract_manager"
    )
    reviewer = next(
        (
            u
            for u in ctx.users.values()
            if u.agency_id == contract.agency_id and u.role == "senior_manager"
        ),
        ctx.admin,
    )
    released = max(ctx.today - timedelta(days=20), contract.start_date)
    evaluation = services.evaluation_start(
        actor=author, contract=contract, today=released, kind="pre_renewal"
    )
    services.evaluation_update(
        actor=author,
        evaluation=evaluation,
        summary=(
            f"{contract.provider.legal_name} met the Performance Evaluation Plan's targets "
            "for the contract so far; the score is worked out from the plan's measures."
        ),
    )
    try:
        services.evaluation_release(actor=author, evaluation=evaluation, today=released)
    except ValidationFailed:  # no reporting period ended yet: the draft stays
        return True
    evaluation.refresh_from_db()
    assert evaluation.comment_due is not None  # set on release
    finalise_on = evaluation.comment_due + timedelta(days=1)
    if finalise_on <= ctx.today:
        services.evaluation_finalise(actor=reviewer, evaluation=evaluation, today=finalise_on)
    return True


def demo_evaluations(ctx: Any) -> dict[str, int]:
    counts = {"evaluations": 0, "reports in lieu": 0}
    for number, marks, stage in _PLAN:
        contract = ctx.contracts.get(number)
        if contract is None or contract.status not in ("completed", "terminated", "expired"):
            continue
        agency_slug = contract.agency.slug
        author = next(
            u
            for u in ctx.users.values()
            if u.agency_id == contract.agency_id and u.role == "contract_manager"
        )
        reviewer = next(
            (
                u
                for u in ctx.users.values()
                if u.agency_id == contract.agency_id and u.role == "senior_manager"
            ),
            ctx.admin,
        )
        closed = _closed_on(contract)
        if stage == "finalised":
            released = min(closed + timedelta(days=45), ctx.today - timedelta(days=30))
        elif stage == "released":
            released = ctx.today - timedelta(days=5)
        else:
            released = ctx.today
        released = max(released, closed)
        evaluation = services.evaluation_start(actor=author, contract=contract, today=released)
        keys = [c["key"] for c in evaluation.criteria]
        services.evaluation_update(
            actor=author,
            evaluation=evaluation,
            ratings=dict(zip(keys, marks, strict=True)),
            narratives={k: _NARRATIVE[m] for k, m in zip(keys, marks, strict=True)},
            summary=(
                f"{contract.provider.legal_name} delivered {contract.title.lower()} for "
                f"{agency_slug.upper()} to the terms of the contract; see each criterion."
            ),
        )
        counts["evaluations"] += 1
        if stage == "draft":
            continue
        services.evaluation_release(actor=author, evaluation=evaluation, today=released)
        if stage == "finalised":
            evaluation.refresh_from_db()
            assert evaluation.comment_due is not None  # set on release
            services.evaluation_finalise(
                actor=reviewer,
                evaluation=evaluation,
                today=min(evaluation.comment_due + timedelta(days=1), ctx.today),
            )
    if _pre_renewal(ctx, "MPS-PS-2611"):
        counts["evaluations"] += 1
    expired = ctx.contracts.get("DCF-POS-0233")
    if expired is not None and expired.status == "expired":
        manager = ctx.users["manager"]
        services.in_lieu_submit(
            actor=manager,
            contract=expired,
            kind="report_card",
            title="Juvenile Justice Mentoring: FY provider report card",
            summary="The agency's quarterly report card of the provider's outcomes, in lieu of "
            "the evaluation form.",
            link="https://portal.ct.gov/dcf/report-cards",
            today=ctx.today,
        )
        counts["reports in lieu"] += 1
    counts["interim evaluations due"] = services.interim_due_open(as_of=ctx.today)
    return counts
