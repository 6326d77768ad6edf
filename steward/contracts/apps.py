from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "steward.contracts"
    label = "contracts"
    verbose_name = "Contracts"

    def ready(self) -> None:
        from steward.contracts.jobs import EXPORT_KIND, KIND, run_export, run_import
        from steward.core.jobs import register_kind

        register_kind(KIND, label="Register import", work=run_import)
        register_kind(EXPORT_KIND, label="Register export", work=run_export)
