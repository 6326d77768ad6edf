from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "steward.workspace"
    label = "workspace"
    verbose_name = "Workspace"
