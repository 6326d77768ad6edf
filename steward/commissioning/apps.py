from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    name = "steward.commissioning"
    verbose_name = "Strategic commissioning"
