"""Admin: evaluations are looked at here, not written (the services keep the workflow and its
audit). A finalised evaluation cannot be changed or deleted from the admin either; the model
refuses the write too (seed 000: a correction is a new version)."""

from __future__ import annotations

from django.contrib import admin

from steward.core.admin import ReadOnlyAdmin
from steward.evaluations.models import Evaluation, InLieuReport, Rating, RenewalOverride


class RatingInline(admin.TabularInline):
    model = Rating
    extra = 0
    fields = ["criterion_key", "rating", "narrative"]
    readonly_fields = ["criterion_key", "rating", "narrative"]
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ["contract", "kind", "version", "status", "score", "finalised_on"]
    list_filter = ["status", "kind"]
    search_fields = ["contract__number", "contract__title", "provider__legal_name"]
    inlines = [RatingInline]


@admin.register(InLieuReport)
class InLieuReportAdmin(ReadOnlyAdmin):
    list_display = ["title", "contract", "kind", "status", "submitted_on", "decided_on"]
    list_filter = ["status", "kind"]


@admin.register(RenewalOverride)
class RenewalOverrideAdmin(ReadOnlyAdmin):
    list_display = ["contract", "renewal_number", "authorised_on", "authorised_by"]
