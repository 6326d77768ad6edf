"""Test set-up for the performance area: a contract with indicators and a plan."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from steward.performance import services
from steward.performance.models import Indicator


def indicator_data(name: str = "Families engaged within 10 days", **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "category": "quality",
        "question": "how_well",
        "unit": "percentage",
        "direction": "higher",
        "frequency": "quarterly",
        "target": Decimal("90"),
        "tolerance": Decimal("5"),
    }
    data.update(over)
    return data


def with_plan(contract: Any, manager: Any, **plan: Any) -> list[Indicator]:
    """Two indicators (a percentage, higher is better; days, lower is better) and a quarterly
    plan, which generates the returns."""
    a = services.indicator_save(
        actor=manager, contract=contract, data=indicator_data(payment_weight=Decimal("60"))
    )
    b = services.indicator_save(
        actor=manager,
        contract=contract,
        data=indicator_data(
            "Days from referral to first visit",
            unit="days",
            direction="lower",
            target=Decimal("10"),
            tolerance=Decimal("2"),
            payment_weight=Decimal("40"),
        ),
    )
    data = {"desired_outcomes": "Children stay safely at home.", "return_frequency": "quarterly"}
    data.update(plan)
    services.plan_save(actor=manager, contract=contract, data=data)
    return [a, b]


def with_signed_metrics(contract: Any, manager: Any, officer: Any, **plan: Any) -> list[Indicator]:
    """`with_plan`, then procurement's sign-off on the metrics (seed 001), dated a day before
    the contract starts."""
    from datetime import timedelta

    from steward.performance.services_pep import metrics_sign_off

    indicators = with_plan(contract, manager, **plan)
    metrics_sign_off(
        actor=officer,
        contract=contract,
        today=contract.start_date - timedelta(days=1),
        developed_with_sponsor=True,
    )
    return indicators
