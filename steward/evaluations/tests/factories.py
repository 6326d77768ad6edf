"""Test set-up for evaluations: a completed contract with its closeout evaluation due, and a
helper that walks an evaluation to any stage of the workflow."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from steward.contracts import services as contract_services
from steward.evaluations import services
from steward.evaluations.models import Evaluation
from steward.testing.factories import ContractFactory

COMPLETED_ON = date(2026, 6, 30)


def completed_contract(manager: Any, **over: Any) -> Any:
    """An active contract completed on 30 June 2026 through the service (so the closeout
    evaluation due date is opened as in production: 60 calendar days, seed 000)."""
    over.setdefault("agency", manager.agency)
    over.setdefault("status", "active")
    over.setdefault("start_date", date(2025, 7, 1))
    over.setdefault("end_date", date(2026, 6, 30))
    contract = ContractFactory(**over)
    return contract_services.contract_complete(
        actor=manager, contract=contract, completed_on=COMPLETED_ON
    )


def all_ratings(evaluation: Evaluation, value: int) -> dict[str, int]:
    return {c["key"]: value for c in evaluation.criteria}


def walk(
    contract: Any,
    *,
    author: Any,
    to: str,
    ratings: dict[str, int] | None = None,
    reviewer: Any = None,
    released_on: date = date(2026, 7, 20),
) -> Evaluation:
    """Start an evaluation of `contract` and take it to `to` (draft, released, finalised)."""
    evaluation = services.evaluation_start(actor=author, contract=contract, today=released_on)
    services.evaluation_update(
        actor=author,
        evaluation=evaluation,
        ratings=ratings or all_ratings(evaluation, 4),
        narratives={c["key"]: "As the returns show." for c in evaluation.criteria},
        summary="A good year of service.",
    )
    if to == "draft":
        return Evaluation.objects.get(pk=evaluation.pk)
    services.evaluation_release(actor=author, evaluation=evaluation, today=released_on)
    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    if to == "released":
        return evaluation
    assert reviewer is not None, "a reviewing official finalises"
    services.evaluation_finalise(
        actor=reviewer,
        evaluation=evaluation,
        today=evaluation.comment_due + timedelta(days=1),
    )
    return Evaluation.objects.get(pk=evaluation.pk)
