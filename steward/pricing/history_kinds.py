"""The history view of payments (issue 19 point 4): whoever may read the contract's pricing."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from steward.core.errors import NotFoundError
from steward.core.history import HistoryKind, register_history_kind
from steward.pricing.models import Payment
from steward.pricing.selectors import pricing_contract_get


def _payment(actor: Any, pk: int) -> Payment:
    payment = Payment.objects.select_related("contract").filter(pk=pk).first()
    if payment is None:
        raise NotFoundError("No such payment.")
    pricing_contract_get(actor=actor, pk=payment.contract_id)  # 404 unless a reader
    return payment


def register() -> None:
    register_history_kind(
        HistoryKind(
            key="payment",
            label="Payment",
            get=_payment,
            url=lambda p: reverse("pricing:contract", args=[p.contract_id]),
            describe=lambda p: f"Payment for {p} under {p.contract.number}",
        )
    )
