from __future__ import annotations

from django.apps import AppConfig


class PricingConfig(AppConfig):
    name = "steward.pricing"

    def ready(self) -> None:
        from steward.contracts.hooks import register_contract_panel, register_execution_check
        from steward.core.demo import register_demo_extension, register_demo_pre_execute
        from steward.pricing import demo, execution_checks, views

        register_execution_check("pricing", execution_checks.pricing_execution_problems)
        register_contract_panel("pricing", views.contract_panel, order=60)
        register_demo_extension("pricing", demo.extend_demo)
        register_demo_pre_execute("pricing", demo.prepare_for_execution)
