"""Supply against demand (seed 003 section 3(A)(i)): plain values in, plain values out.

The Sourcing team "creates structures such as block contracts or preferred purchaser frameworks
against which purchasing can take place to ensure supply against demand": for a service type
and area, demand is the need of the latest period analysed, supply the places its live
contracts hold."""

from __future__ import annotations

from dataclasses import dataclass

SHORTFALL = "shortfall"
SURPLUS = "surplus"
BALANCED = "balanced"
NO_DATA = "no_data"

BALANCE_LABELS = {
    SHORTFALL: "Fewer places than needed",
    SURPLUS: "More places than needed",
    BALANCED: "Places match need",
    NO_DATA: "No needs data",
}


@dataclass(frozen=True)
class Balance:
    need: int | None
    places: int
    gap: int | None  # need - places; positive: a shortfall
    status: str

    @property
    def label(self) -> str:
        return BALANCE_LABELS[self.status]

    @property
    def short(self) -> int:
        """Places missing to meet the need (0 when none are)."""
        return max(0, self.gap or 0)

    @property
    def spare(self) -> int:
        """Places beyond the need (0 when none are)."""
        return max(0, -(self.gap or 0))


def balance(*, need: int | None, places: int, tolerance_percent: int = 10) -> Balance:
    """Compare demand (`need`, None when no needs data was imported) with supply (`places`).

    Within `tolerance_percent` of the need (at least one place) the two are balanced; below it
    is a shortfall, above it a surplus."""
    if need is None:
        return Balance(need=None, places=places, gap=None, status=NO_DATA)
    gap = need - places
    margin = max(1, need * tolerance_percent // 100)
    if abs(gap) <= margin and not (need == 0 and places > 0):
        status = BALANCED
    elif gap > 0:
        status = SHORTFALL
    else:
        status = SURPLUS
    return Balance(need=need, places=places, gap=gap, status=status)


def percent_used(*, places: int, in_use: int) -> int | None:
    """The share of contracted places in use, in whole percent (None without places)."""
    if places <= 0:
        return None
    return round(100 * in_use / places)
