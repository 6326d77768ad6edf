"""`{{ amount|in_currency:contract.currency }}`: an amount in its contract's currency ("£1,200.00",
"$1,200.00"), so a pack in pounds never shows dollars (issue 17, seed 003)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from steward.pricing.calc import fmt_money

register = template.Library()


@register.filter
def in_currency(value: Any, currency: str = "USD") -> str:
    if value is None or value == "":
        return "—"
    try:
        return fmt_money(Decimal(value), currency or "USD")
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
