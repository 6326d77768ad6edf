"""The Charter School Contract Review Team (seed 001): "embedded in each school's contract are
specific performance requirements; the Charter School Contract Review Team analyzes the school's
data and performance as it relates to the requirements established in the contract".

The requirements are the school contract's performance indicators. The team records, for the
next renewal option, each requirement met or not with its evidence, the reviewers, the date and
the outcome (renew, renew with conditions, do not renew). Where the pack's renewal scope leaves
charter schools out of the score bar (Milwaukee), the renewal or extension decision reads that
outcome (`services.renewal_eligibility`). A due date for the review sits in the deadline
registry (`charter_review`) from the contract's execution (or its last renewal or extension),
on the day the renewal is to be decided; recording the review meets it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from steward.contracts.models import Contract, ContractStatus, ContractType
from steward.contracts.services_due_dates import due_date_open, due_dates_cancel, due_dates_meet
from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.services import require_perm, save_audited
from steward.evaluations import calc
from steward.evaluations.models import CharterFinding, CharterReview
from steward.evaluations.services import charter_review_applies

#: the due date kind of the team's review (declared in steward.contracts.due_kinds)
CHARTER_REVIEW_KIND = "charter_review"


@transaction.atomic
def charter_review_record(
    *,
    actor: Any,
    contract: Contract,
    reviewed_on: date,
    reviewers: str,
    outcome: str,
    findings: Sequence[dict[str, Any]],
    conditions: str = "",
    summary: str = "",
    today: date,
) -> CharterReview:
    """Record the Charter School Contract Review Team's review of a charter school's executed
    or active contract for its next renewal option (seed 001). `findings` holds one
    `{"indicator": id, "met": bool, "evidence": str}` per performance requirement (indicator)
    of the contract. Refused (422) when a requirement is left out or has no evidence, the
    outcome is unknown, conditions are missing for "renew with conditions", no reviewer is
    named or the date is in the future; (409) when the contract is not a charter school's, not
    executed or active, or has no renewal option left. Side effects: the review and its
    findings, an audit row, the open `charter_review` due date met."""
    contract = (
        Contract.objects.select_for_update().select_related("agency__pack").get(pk=contract.pk)
    )
    require_perm(
        actor,
        "evaluations.record_charter_review",
        contract,
        action="record the charter school contract review",
    )
    if contract.contract_type != ContractType.CHARTER_SCHOOL:
        raise TransitionNotAllowed(
            "The Charter School Contract Review Team reviews charter school contracts only."
        )
    if contract.status not in (ContractStatus.EXECUTED, ContractStatus.ACTIVE):
        raise TransitionNotAllowed(
            "Only an executed or active contract is reviewed for renewal; this one is "
            f"{contract.get_status_display().lower()}."
        )
    if contract.renewals_exercised >= (contract.renewal_options or 0):
        raise TransitionNotAllowed("The contract has no renewal option left to decide.")
    indicators = {i.pk: i.name for i in contract.indicators.all()}  # type: ignore[attr-defined]
    given: list[calc.Finding] = []
    chosen: list[tuple[int | None, calc.Finding]] = []
    for row in findings:
        raw = row.get("indicator")
        try:
            key: int | None = int(raw) if raw is not None else None
        except (TypeError, ValueError):
            key = None
        name = indicators.get(key, f"requirement {raw}") if key is not None else "?"
        met = row.get("met")
        finding = calc.Finding(
            requirement=name,
            met=met if isinstance(met, bool) else None,
            evidence=str(row.get("evidence") or ""),
        )
        given.append(finding)
        chosen.append((key if key in indicators else None, finding))
    problems = calc.charter_review_problems(
        requirements=list(indicators.values()),
        findings=given,
        outcome=outcome,
        conditions=conditions or "",
        reviewers=reviewers or "",
        reviewed_on=reviewed_on,
        today=today,
    )
    if problems:
        first = next(iter(problems.values()))[0]
        raise ValidationFailed(first, errors=problems)
    review = CharterReview(
        contract=contract,
        renewal_number=contract.renewals_exercised + 1,
        reviewed_on=reviewed_on,
        reviewers=reviewers.strip(),
        outcome=outcome,
        conditions=(conditions or "").strip(),
        summary=(summary or "").strip(),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    save_audited(
        review,
        actor=actor,
        reason=f"Charter school contract review: {review.get_outcome_display().lower()}",
    )
    for key, finding in chosen:
        record = CharterFinding(
            review=review,
            indicator_id=key,
            requirement=finding.requirement[:300],
            met=bool(finding.met),
            evidence=finding.evidence.strip(),
        )
        record.full_clean()
        record.save()
    due_dates_meet(
        kind=CHARTER_REVIEW_KIND, actor=actor, on=reviewed_on, met_by=review, contract=contract
    )
    return review


def charter_review_plan(contract: Contract, actor: Any, event: Any) -> None:
    """The term listener: when a charter school's contract whose renewal reads the team's
    review is executed, renewed or extended, open the due date of the team's review of the
    next renewal option, on the day the renewal is to be decided (the pack's days before the
    end); with no option left, or once the contract ends, cancel an open one."""
    if event.kind == "ended":
        due_dates_cancel(
            kind=CHARTER_REVIEW_KIND, contract=contract, actor=actor, reason="The contract ended"
        )
        return
    if event.kind not in ("executed", "term_changed"):
        return
    if not charter_review_applies(contract):
        return
    if contract.renewals_exercised >= (contract.renewal_options or 0):
        due_dates_cancel(
            kind=CHARTER_REVIEW_KIND,
            contract=contract,
            actor=actor,
            reason="No renewal option is left",
        )
        return
    days = contract.agency.pack.parsed.renewal.decision_days_before_end
    today = event.on
    due_on = max(contract.end_date - timedelta(days=days), min(today, contract.end_date))
    due_date_open(
        kind=CHARTER_REVIEW_KIND,
        contract=contract,
        start=due_on,
        due_on=due_on,
        actor=actor,
        label=f"Charter school contract review before the renewal decision ({days} days "
        "before the end)",
    )
