from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "steward.procurement"

    def ready(self) -> None:
        from steward.procurement import history_kinds

        history_kinds.register()
        from steward.contracts.hooks import register_contract_panel, register_term_listener
        from steward.procurement.services_placements import contract_term_changed
        from steward.procurement.views import contract_panel

        register_contract_panel("procurement", contract_panel, order=60)
        # seed 003: Finance is told of an executed contract's dates; a contract's end meets
        # its early termination's due date
        register_term_listener("procurement", contract_term_changed)
        from steward.contracts.hooks import register_termination_workflow
        from steward.procurement.services_placements import termination_workflow

        # seed 003: early termination goes through the contract manager's review and notice
        register_termination_workflow("procurement", termination_workflow)
        from steward.contracts.hooks import register_execution_check
        from steward.procurement.services_compliance import execution_check

        # seed 003: above the pack's tender threshold a contract is tendered and advertised, or
        # has its Best Value analysis on file; under it, the risk assessment is recorded
        register_execution_check("procurement_compliance", execution_check)

        from steward.procurement.services_file import contract_form_problems

        # seed 004: the Commonwealth Terms and Conditions are on file by contract execution
        register_execution_check("procurement_forms", contract_form_problems)

        from steward.core.jobs import register_kind
        from steward.procurement.jobs import KIND, run_file_pdf

        # issue 20: the procurement file is drawn in the background
        register_kind(KIND, label="Procurement file (PDF)", work=run_file_pdf)
