"""How values read on pages, in emails and in messages (issue 21 point 6), in plain Python: money
in its currency ("$1,850,000.00", "£1,850,000.00"), dates as "16 March 2027", scores with one
decimal ("88.0") and people by their names. Machine-readable outputs (CSV, JSON, the API) keep
the raw values. Templates use the filters of core/templatetags/steward.py (docs/plain-words.md)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Protocol

CENT = Decimal("0.01")
TENTH = Decimal("0.1")

#: currency symbols written before an amount; any other currency is written as its code
SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€"}


def fmt_money(value: Decimal | int | str, currency: str = "USD") -> str:
    """`value` in `currency`, rounded to cents half up, with thousands separators: "$1,234.50",
    "£1,234.50", "-£3.00"; a currency without a symbol keeps its code: "CAD 1,234.50"."""
    amount = f"{Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP):,}"
    symbol = SYMBOLS.get(currency)
    if symbol is None:
        return f"{currency} {amount}"
    return f"-{symbol}{amount[1:]}" if amount.startswith("-") else f"{symbol}{amount}"


def fmt_date(value: date) -> str:
    """`value` in the house date format (settings DATE_FORMAT "j F Y"): "16 March 2027"."""
    return f"{value.day} {value:%B %Y}"


def fmt_score(value: Decimal | float | int | str) -> str:
    """`value` to the hundredth scores are kept to, without idle zeros but with at least one
    decimal: "88.0" for 88.0000, "72.45" for 72.45, "72.5" for 72.50. Never rounded to one
    decimal: 89.96 against a threshold of 90 must not read "90.0"."""
    hundredths = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    tenths = hundredths.quantize(TENTH)
    return f"{tenths if tenths == hundredths else hundredths}"


def to_decimal(value: Any) -> Decimal | None:
    """`value` as a Decimal, or None when it is empty or not a number."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


class _Person(Protocol):
    username: str

    def get_full_name(self) -> str: ...


def person_name(user: _Person | None) -> str:
    """The person's full name, or their username when no name is recorded; "" for no one."""
    if user is None:
        return ""
    return user.get_full_name().strip() or user.username
