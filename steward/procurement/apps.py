from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "steward.procurement"

    def ready(self) -> None:
        from steward.contracts.hooks import register_contract_panel
        from steward.procurement.views import contract_panel

        register_contract_panel("procurement", contract_panel, order=60)
