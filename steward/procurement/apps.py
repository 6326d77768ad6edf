from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "steward.procurement"

    def ready(self) -> None:
        from steward.contracts.hooks import register_contract_panel
        from steward.core.demo import register_demo_extension
        from steward.procurement.demo import procurement_demo
        from steward.procurement.views import contract_panel

        register_contract_panel("procurement", contract_panel, order=60)
        register_demo_extension("procurement", procurement_demo)
