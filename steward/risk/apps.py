from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "steward.risk"

    def ready(self) -> None:
        from steward.contracts.hooks import register_contract_panel
        from steward.core.demo import register_demo_extension
        from steward.risk.demo import demo_concerns_and_risk
        from steward.risk.views import contract_panel

        register_contract_panel("risk", contract_panel, order=50)
        register_demo_extension("risk", demo_concerns_and_risk)
