"""Seed 001's departments and their part in the Performance Evaluation Plan:

- the Department of Research, Assessment and Data keeps the plan's timeline of data (how often
  data is returned, the status meetings, the reports) — `plan_timeline_save`;
- the Department of Procurement & Risk Management signs off the performance metrics the
  contract's sponsor developed with it — `metrics_sign_off` (in a pack whose metrics requirement
  blocks execution, execution waits for it: selectors.metrics_execution_check);
- the sponsor (the contract manager of the sponsoring department) sets and proposes the plan —
  services.plan_save / plan_propose.

Every write checks permission, validates, and writes its audit row in the same transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction

from steward.contracts.models import Contract, ContractStatus
from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.services import require_perm, save_audited
from steward.performance import services
from steward.performance.models import MetricsSignOff, Plan
from steward.performance.selectors import current_sign_off, metrics_snapshot

#: the plan's timeline of data (seed 001: "a timeline for data needs, meetings, and reporting")
TIMELINE_FIELDS = ("return_frequency", "status_meetings", "reports")


@transaction.atomic
def plan_timeline_save(*, actor: Any, contract: Contract, data: Mapping[str, Any]) -> Plan:
    """Change the timeline of data of the contract's plan (its return frequency, status meetings
    and reports) and generate the missing returns as due dates (seed 001: kept by Research,
    Assessment and Data, or the contract's managers and monitors). A new frequency replaces the
    returns for periods not yet begun. The sponsor writes the plan first: 409 until it
    exists."""
    require_perm(
        actor, "performance.manage_data_timeline", contract, action="change this plan's timeline"
    )
    plan = Plan.objects.select_for_update().filter(contract=contract).first()
    if plan is None:
        raise TransitionNotAllowed(
            "The sponsor sets the plan's desired outcomes first; then its timeline can be kept."
        )
    frequency = plan.return_frequency
    services._set(plan, dict(data), TIMELINE_FIELDS)
    for name in ("status_meetings", "reports"):
        setattr(plan, name, (getattr(plan, name) or "").strip())
    save_audited(plan, actor=actor, reason="Timeline of data")
    if plan.return_frequency != frequency:
        services.returns_not_begun_drop(actor=actor, contract=contract)
    services.plan_generate(actor=actor, contract=contract)
    plan.refresh_from_db()
    return plan


@transaction.atomic
def metrics_sign_off(
    *, actor: Any, contract: Contract, today: date, developed_with_sponsor: bool, notes: str = ""
) -> MetricsSignOff:
    """Procurement & Risk Management signs off the contract's performance metrics, saying they
    were developed with the contract's sponsor (seed 001). In order: the metrics exist (409
    before), the contract is not yet executed (409 after: the sign-off comes before), and the
    metrics changed since the last sign-off (409 when it already covers them)."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    require_perm(actor, "performance.sign_off_metrics", contract, action="sign off these metrics")
    if not developed_with_sponsor:
        raise ValidationFailed(
            "The metrics are signed off only once developed with the contract's sponsor.",
            errors={"developed_with_sponsor": ["Confirm the sponsor developed them with you."]},
        )
    if contract.status != ContractStatus.DRAFT:
        raise TransitionNotAllowed(
            "The metrics are signed off before the contract is executed; this one already is."
        )
    snapshot = metrics_snapshot(contract)
    if not snapshot:
        raise TransitionNotAllowed(
            "The sponsor has not added the contract's performance metrics yet.",
            errors={"indicators": ["The contract has no performance indicators yet."]},
        )
    if current_sign_off(contract) is not None:
        raise TransitionNotAllowed(
            "These metrics are already signed off; a change to them needs a new sign-off."
        )
    sign_off = MetricsSignOff(
        contract=contract,
        signed_on=today,
        signed_by=actor if getattr(actor, "pk", None) else None,
        developed_with_sponsor=True,
        metrics=snapshot,
        notes=(notes or "").strip(),
    )
    save_audited(sign_off, actor=actor, reason="Performance metrics signed off by procurement")
    return sign_off
