from django.apps import AppConfig


class PartiesConfig(AppConfig):
    name = "steward.parties"
    label = "parties"
    verbose_name = "Agencies, providers and people"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from steward.parties.time_zones import remember_time_zone

        user_logged_in.connect(remember_time_zone, dispatch_uid="steward_time_zone")
