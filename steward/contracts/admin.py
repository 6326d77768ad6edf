"""Django admin for contracts: read-only, for looking things up and reading history. Contracts
change only through the services (the contract pages and the API)."""

from django.contrib import admin

from steward.contracts.models import Amendment, Contract, ContractDocument, DueDate
from steward.core.admin import ReadOnlyAdmin


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "agency", "provider", "status", "start_date", "end_date"]
    list_filter = ["status", "contract_type", "agency"]
    list_select_related = ["agency", "provider"]
    search_fields = ["number", "title", "provider__legal_name"]
    date_hierarchy = "end_date"


@admin.register(Amendment)
class AmendmentAdmin(ReadOnlyAdmin):
    list_display = ["contract", "sequence", "kind", "effective_on"]
    list_select_related = ["contract"]


@admin.register(ContractDocument)
class ContractDocumentAdmin(ReadOnlyAdmin):
    list_display = ["title", "contract", "kind", "size", "released_to_provider", "created_at"]
    list_select_related = ["contract"]
    exclude = ["file"]  # files are downloaded through the permission-checked page


@admin.register(DueDate)
class DueDateAdmin(ReadOnlyAdmin):
    list_display = ["label", "contract", "due_date", "status", "pack_slug", "pack_version"]
    list_filter = ["status", "rule_key"]
    list_select_related = ["contract"]
