from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "steward.risk"

    def ready(self) -> None:
        from steward.risk import history_kinds

        history_kinds.register()
        from steward.contracts.hooks import register_contract_panel
        from steward.risk.views import contract_panel

        register_contract_panel("risk", contract_panel, order=50)
