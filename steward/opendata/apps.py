from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "steward.opendata"
    verbose_name = "Open data"

    def ready(self) -> None:
        from steward.contracts.hooks import register_export_format, register_register_downloads
        from steward.opendata import selectors, views

        register_export_format("ocds", selectors.write_package_for)
        register_register_downloads("ocds", views.register_links)
