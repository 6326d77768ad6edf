"""The history view of placements (issue 19 point 4): agency readers only, like the record."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from steward.core.errors import NotFoundError
from steward.core.history import HistoryKind, register_history_kind
from steward.parties.access_log import PLACEMENT_PERSONAL_FIELDS
from steward.procurement.models import Placement
from steward.procurement.selectors import placement_contract_get


def _placement(actor: Any, pk: int) -> Placement:
    placement = Placement.objects.select_related("contract", "agency").filter(pk=pk).first()
    if placement is None or not actor.has_perm("procurement.view_placements", placement):
        raise NotFoundError("No such placement.")
    if placement.contract_id is not None:
        placement_contract_get(actor=actor, pk=placement.contract_id)  # 404 unless a reader
    return placement


def register() -> None:
    register_history_kind(
        HistoryKind(
            key="placement",
            label="Placement",
            get=_placement,
            personal_fields=PLACEMENT_PERSONAL_FIELDS,
            url=lambda p: reverse("procurement:placements", args=[p.contract_id]),
            describe=lambda p: f"Placement {p.case_reference} under {p.contract.number}",
        )
    )
