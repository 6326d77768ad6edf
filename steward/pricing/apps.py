from __future__ import annotations

from django.apps import AppConfig


class PricingConfig(AppConfig):
    name = "steward.pricing"

    def ready(self) -> None:
        from steward.pricing import history_kinds

        history_kinds.register()
        from steward.contracts.hooks import register_contract_panel, register_execution_check
        from steward.pricing import execution_checks, views

        register_execution_check("pricing", execution_checks.pricing_execution_problems)
        register_contract_panel("pricing", views.contract_panel, order=60)
