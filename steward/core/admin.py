"""Django admin for core records: read-only. Policy packs change only through their services
(the pack pages), so that every change is validated, versioned and audited."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from steward.core.models import PolicyPack


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Lets an administrator look at records and their history, never write them."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(PolicyPack)
class PolicyPackAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug", "version", "shipped", "copied_from"]
    list_filter = ["shipped"]
    search_fields = ["name", "slug"]
