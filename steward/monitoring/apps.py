from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "steward.monitoring"
    verbose_name = "Annual monitoring cycle"

    def ready(self) -> None:
        from steward.contracts.hooks import (
            register_contract_panel,
            register_rating_listener,
            register_risk_signal_source,
            register_term_listener,
        )
        from steward.monitoring.services import (
            actions_overdue_signal,
            contract_term_changed,
            ratings_changed,
            reviews_overdue_signal,
        )
        from steward.monitoring.views import contract_panel

        register_risk_signal_source("monitoring", actions_overdue_signal)
        register_risk_signal_source("monitoring-reviews", reviews_overdue_signal)
        register_term_listener("monitoring", contract_term_changed)
        register_rating_listener("monitoring", ratings_changed)
        register_contract_panel("monitoring", contract_panel, order=35)

        from steward.core.jobs import register_kind
        from steward.monitoring.jobs import KIND, may_download, run_results_letters

        # issue 20: a batch of results letters is drawn in the background, into one PDF
        register_kind(
            KIND,
            label="Results letters (PDF)",
            work=run_results_letters,
            may_download=may_download,
        )
