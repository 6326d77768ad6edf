from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "steward.procurement"

    def ready(self) -> None:
        from steward.procurement import history_kinds

        history_kinds.register()
        from steward.contracts.hooks import register_contract_panel, register_term_listener
        from steward.procurement.services import contract_ended
        from steward.procurement.views import contract_panel

        register_contract_panel("procurement", contract_panel, order=60)
        # a contract's end meets its early termination's due date (seed 003)
        register_term_listener("procurement", contract_ended)
