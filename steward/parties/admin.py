"""Django admin for people and organisations. Users are managed here (there is no user page);
agencies and providers are read-only here because they change through their services."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from steward.core.admin import ReadOnlyAdmin
from steward.parties.models import (
    Agency,
    ApiToken,
    InspectionRating,
    Provider,
    ProviderContact,
    User,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "first_name",
        "last_name",
        "role",
        "agency",
        "provider",
        "is_active",
    ]
    list_filter = ["role", "is_active", "agency"]
    list_select_related = ["agency", "provider"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Steward", {"fields": ("role", "agency", "provider", "job_title", "jurisdiction")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Steward", {"fields": ("first_name", "last_name", "email", "role", "agency", "provider")}),
    )

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        """People are deactivated, never deleted (docs/accounts.md)."""
        return False


@admin.register(Agency)
class AgencyAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug", "kind", "pack"]
    list_select_related = ["pack"]
    search_fields = ["name", "slug"]


class ContactInline(admin.TabularInline):
    model = ProviderContact
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Provider)
class ProviderAdmin(ReadOnlyAdmin):
    list_display = ["legal_name", "tax_id", "company_number", "charity_number", "for_profit"]
    search_fields = ["legal_name", "trading_name", "tax_id", "company_number", "charity_number"]
    inlines = [ContactInline]


@admin.register(InspectionRating)
class InspectionRatingAdmin(ReadOnlyAdmin):
    list_display = ["provider", "body", "rating", "inspected_on"]
    list_select_related = ["provider"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by a command (the secret is shown once); here they can be seen and
    revoked by deleting them."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    readonly_fields = ["user", "name", "digest", "prefix", "last_used_at", "revoked_at"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
