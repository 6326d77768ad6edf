from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "steward.evaluations"
    verbose_name = "Contractor performance evaluations"

    def ready(self) -> None:
        from steward.contracts.hooks import (
            register_contract_panel,
            register_evaluation_scores,
            register_renewal_check,
            register_term_listener,
        )
        from steward.evaluations.selectors import scores_and_eligibility
        from steward.evaluations.services import renewal_check, renewal_override_use
        from steward.evaluations.services_charter import charter_review_plan
        from steward.evaluations.views import contract_panel

        register_renewal_check("evaluations", renewal_check)
        register_term_listener("evaluations_override", renewal_override_use)
        register_term_listener("evaluations_charter_review", charter_review_plan)
        register_evaluation_scores(scores_and_eligibility)
        register_contract_panel("evaluations", contract_panel, order=40)
