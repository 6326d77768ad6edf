"""Django admin for core records: read-only. Policy packs change only through their services
(the pack pages), so that every change is validated, versioned and audited; the outbox of
emails only through `steward.core.mail` (and `steward mail retry`)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from steward.core.models import OutboundEmail, PolicyPack


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


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """The outbox: what was sent to whom, and the sends that failed (with their error), which
    `steward mail retry` sends again. Read-only."""

    list_display = ["created_at", "subject", "recipient_list", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    search_fields = ["subject", "body"]
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "subject",
        "body",
        "from_email",
        "recipients",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    )

    @admin.display(description="Recipients")
    def recipient_list(self, obj: OutboundEmail) -> str:
        return ", ".join(obj.recipients)

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
