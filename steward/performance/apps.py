from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "steward.performance"
    verbose_name = "Performance measures and returns"

    def ready(self) -> None:
        from steward.contracts.hooks import (
            register_contract_panel,
            register_execution_check,
            register_risk_signal_source,
            register_units_delivered_source,
        )
        from steward.performance.selectors import (
            metrics_execution_check,
            risk_signals,
            units_delivered,
        )
        from steward.performance.views import contract_panel

        register_contract_panel("performance", contract_panel, order=30)
        register_risk_signal_source("performance", risk_signals)
        register_units_delivered_source("performance", units_delivered)
        register_execution_check("performance_metrics", metrics_execution_check)

        from steward.core.jobs import register_kind
        from steward.performance.jobs import KIND, run_import

        register_kind(KIND, label="Returns import", work=run_import)
