"""The history views of concerns and risk assessments (issue 19 point 4)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from steward.contracts.models import Contract
from steward.core.errors import NotFoundError
from steward.core.history import HistoryKind, register_history_kind
from steward.parties.access_log import CONCERN_PERSONAL_FIELDS
from steward.risk import selectors
from steward.risk.models import Concern, RiskAssessment

#: What a provider may not read of a concern about it (DOMAIN.md §1): who raised it and how,
#: and the agency's internal handling.
CONCERN_IDENTITY_FIELDS = frozenset(
    {"source", "channel", "wants_action", "complainant_reference", "responsible"}
)


def _concern_hidden(actor: Any, concern: Concern) -> frozenset[str]:
    if actor.has_perm("risk.view_concern_identity", concern):
        return frozenset()
    return CONCERN_IDENTITY_FIELDS


def _assessment(actor: Any, pk: int) -> RiskAssessment:
    found = (
        RiskAssessment.objects.filter(
            contract__in=Contract.objects.filter(selectors.visible_risk_contracts_q(actor))
        )
        .select_related("contract")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFoundError("No such risk assessment.")
    return found


def register() -> None:
    register_history_kind(
        HistoryKind(
            key="concern",
            label="Concern",
            get=lambda actor, pk: selectors.concern_get(actor=actor, pk=pk),
            hidden_fields=_concern_hidden,
            personal_fields=CONCERN_PERSONAL_FIELDS,
            url=lambda c: reverse("risk:concern_detail", args=[c.pk]),
            describe=lambda c: f"{c.get_kind_display()} of {c.received_on:%-d %B %Y}: {c.summary}",
        )
    )
    register_history_kind(
        HistoryKind(
            key="risk-assessment",
            label="Risk assessment",
            get=_assessment,
            url=lambda a: reverse("risk:contract", args=[a.contract_id]),
            describe=lambda a: f"Risk of {a.contract.number} as of {a.as_of:%-d %B %Y}",
        )
    )
