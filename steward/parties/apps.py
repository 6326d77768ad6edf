from django.apps import AppConfig


class PartiesConfig(AppConfig):
    name = "steward.parties"
    label = "parties"
    verbose_name = "Agencies, providers and people"
