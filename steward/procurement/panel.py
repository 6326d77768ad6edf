"""The contract page's procurement panel: the solicitation it came from, placements and
occupancy, early termination (agency readers only)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from steward.procurement.models import (
    ContractCapacity,
    Placement,
    Solicitation,
    TerminationReview,
)


def procurement_panel(request: HttpRequest, contract: Any) -> str | None:
    """Return the panel's HTML, or None for people who may not see placements (providers)."""
    if not request.user.has_perm("procurement.view_placements", contract):
        return None
    return render_to_string(
        "procurement/contract_panel.html",
        {
            "contract": contract,
            "solicitation": Solicitation.objects.filter(contract=contract).first(),
            "open_count": Placement.objects.filter(
                contract=contract, ended_on__isnull=True
            ).count(),
            "capacity": ContractCapacity.objects.filter(contract=contract).first(),
            "review": TerminationReview.objects.filter(contract=contract).first(),
        },
        request=request,
    )
