"""API schemas for contracts, amendments, documents and due dates.

Agency-internal notes: there is one contract output schema; its `notes` field is null for a
caller without `contracts.view_internal` on that contract (provider users), resolved per row
from the request in the serialisation context. The notes never leave the server for them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from steward.contracts.models import (
    AmendmentKind,
    AuthorityCategory,
    CompensationStructure,
    Contract,
    ContractStatus,
    ContractType,
    DocumentKind,
    ProcurementMethod,
)
from steward.contracts.selectors import SORTS

Money = Decimal
SortKey = Literal[tuple(SORTS)]  # type: ignore[valid-type]
AuthorityOrBlank = Literal[("", *AuthorityCategory.values)]  # type: ignore[valid-type]


def _person(user: Any) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.username


class ContractOut(Schema):
    id: int
    number: str
    title: str
    description: str
    status: ContractStatus
    contract_type: ContractType
    agency: str = Field(description="Agency slug")
    agency_name: str
    provider: str = Field(description="Provider slug")
    provider_name: str
    service_type: str
    object_code: str
    sponsor: str
    department: str = Field(description="The department within the agency that holds it")
    contract_manager: str | None = Field(description="Username of the contract manager")
    start_date: date
    end_date: date
    renewal_options: int
    renewals_exercised: int = Field(description="Renewal options exercised so far")
    renewal_terms: str
    maximum_obligation: Decimal = Field(description="A decimal string, e.g. '250000.00'")
    currency: str
    payments_to_date: Decimal | None = Field(
        description="Total payments to date as the finance system reports them (imported)"
    )
    compensation_structure: CompensationStructure
    rate_setting: bool
    rate_setting_authority: str
    procurement_method: ProcurementMethod
    authority_category: str
    executed_on: date | None
    completed_on: date | None
    terminated_on: date | None
    termination_reason: str
    notes: str | None = Field(
        description="Agency-internal notes; null when the caller may not see them (provider users)"
    )
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_agency(obj: Contract) -> str:
        return obj.agency.slug

    @staticmethod
    def resolve_agency_name(obj: Contract) -> str:
        return obj.agency.name

    @staticmethod
    def resolve_provider(obj: Contract) -> str:
        return obj.provider.slug

    @staticmethod
    def resolve_provider_name(obj: Contract) -> str:
        return obj.provider.legal_name

    @staticmethod
    def resolve_contract_manager(obj: Contract) -> str | None:
        return obj.contract_manager.username if obj.contract_manager is not None else None

    @staticmethod
    def resolve_notes(obj: Contract, context: dict[str, Any]) -> str | None:
        request = (context or {}).get("request")
        user = getattr(request, "auth", None)
        if user is not None and user.has_perm("contracts.view_internal", obj):
            return obj.notes
        return None


class ContractFilterIn(Schema):
    q: str = Field("", description="Search number, title and provider name")
    status: ContractStatus | None = None
    agency: str = Field("", description="Agency slug")
    provider: str = Field("", description="Provider slug")
    contract_type: ContractType | None = None
    ends_before: date | None = Field(None, description="End date on or before")
    ends_after: date | None = Field(None, description="End date on or after")
    sort: SortKey = Field(  # type: ignore[valid-type]
        "end_date", description="Field to sort by; '-' for descending"
    )


class ContractIn(Schema):
    agency: str = Field(description="Slug of the agency the contract belongs to")
    provider: str = Field(description="Slug of the provider")
    number: str = Field(min_length=1, max_length=60)
    title: str = Field(min_length=1, max_length=250)
    description: str = ""
    contract_type: ContractType
    service_type: str = Field("", max_length=120)
    object_code: str = Field("", max_length=20)
    sponsor: str = Field("", max_length=200)
    department: str = Field("", max_length=200)
    contract_manager: str | None = Field(None, description="Username; defaults to the caller")
    start_date: date
    end_date: date
    renewal_options: int = Field(0, ge=0, le=32767)
    renewal_terms: str = Field("", max_length=250)
    maximum_obligation: Money = Field(ge=0, max_digits=14, decimal_places=2)
    compensation_structure: CompensationStructure
    rate_setting: bool = False
    rate_setting_authority: str = Field("", max_length=120)
    procurement_method: ProcurementMethod
    authority_category: AuthorityOrBlank = ""
    notes: str = ""


class ContractPatch(Schema):
    """Only the fields sent change. After execution the parties, number, dates and maximum
    obligation change only by amendment."""

    provider: str | None = Field(None, description="Provider slug")
    number: str | None = Field(None, min_length=1, max_length=60)
    title: str | None = Field(None, min_length=1, max_length=250)
    description: str | None = None
    contract_type: ContractType | None = None
    service_type: str | None = Field(None, max_length=120)
    object_code: str | None = Field(None, max_length=20)
    sponsor: str | None = Field(None, max_length=200)
    department: str | None = Field(None, max_length=200)
    contract_manager: str | None = Field(None, description="Username; null to clear")
    start_date: date | None = None
    end_date: date | None = None
    renewal_options: int | None = Field(None, ge=0, le=32767)
    renewal_terms: str | None = Field(None, max_length=250)
    maximum_obligation: Money | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    compensation_structure: CompensationStructure | None = None
    rate_setting: bool | None = None
    rate_setting_authority: str | None = Field(None, max_length=120)
    procurement_method: ProcurementMethod | None = None
    authority_category: AuthorityOrBlank | None = None
    notes: str | None = None


class ExecuteIn(Schema):
    executed_on: date = Field(description="The date the contract was signed")


class TodayIn(Schema):
    today: date | None = Field(None, description="Defaults to today in the server's time zone")


class CompleteIn(Schema):
    completed_on: date = Field(description="The date the provider completed the work")


class TerminateIn(Schema):
    terminated_on: date
    reason: str = Field(min_length=1, description="Why the contract ends early")


class ReopenIn(Schema):
    reason: str = Field(
        min_length=1, description="Why the contract was completed or terminated by mistake"
    )


class AmendmentOut(Schema):
    id: int
    sequence: int
    kind: AmendmentKind
    effective_on: date
    reason: str
    previous_end_date: date
    new_end_date: date
    previous_maximum_obligation: Decimal
    new_maximum_obligation: Decimal
    created_by: str | None
    created_at: datetime

    @staticmethod
    def resolve_created_by(obj: Any) -> str | None:
        return _person(obj.created_by)


class AmendmentIn(Schema):
    effective_on: date
    reason: str = Field(description="Why the contract is amended")
    new_end_date: date | None = None
    new_maximum_obligation: Money | None = Field(None, ge=0, max_digits=14, decimal_places=2)


class DocumentOut(Schema):
    id: int
    kind: DocumentKind
    title: str
    original_name: str
    content_type: str
    size: int = Field(description="Bytes")
    sha256: str
    released_to_provider: bool
    uploaded_by: str | None
    created_at: datetime

    @staticmethod
    def resolve_uploaded_by(obj: Any) -> str | None:
        return _person(obj.uploaded_by)


class DueDateOut(Schema):
    id: int
    kind: str = Field(description="The kind of due date (docs/deadlines.md)")
    rule_key: str
    label: str
    due_date: date
    status: str
    start_date: date
    days: int
    day_kind: str
    pack_slug: str
    pack_version: int
    source: str = Field(description="The seed the rule comes from")
    completed_on: date | None
    close_reason: str = Field(description="Why it was marked not needed or cancelled")
    met_by: str | None = Field(description="The record that met it, e.g. 'monitoring.cycle 12'")
    explanation: str

    @staticmethod
    def resolve_explanation(obj: Any) -> str:
        return obj.explain()

    @staticmethod
    def resolve_met_by(obj: Any) -> str | None:
        if obj.met_by_type_id is None:
            return None
        from django.contrib.contenttypes.models import ContentType

        ct = ContentType.objects.get_for_id(obj.met_by_type_id)
        return f"{ct.app_label}.{ct.model} {obj.met_by_id}"


class DueDateReasonIn(Schema):
    reason: str = Field(description="Why: kept with the due date's history")


class RenewalIn(Schema):
    effective_on: date
    new_end_date: date = Field(description="The end date after the renewal (after the current)")
    reason: str = Field(description="Why the option is exercised")
    new_maximum_obligation: Money | None = Field(
        None, ge=0, max_digits=14, decimal_places=2, description="Only if the renewal adds money"
    )


class ImportErrorOut(Schema):
    line: int = Field(description="Line of the file (the header is line 1)")
    column: str
    contract: str = Field(description="The row's contract number, when it could be read")
    reason: str


class ImportReportOut(Schema):
    filename: str
    format: str
    dry_run: bool
    written: bool = Field(
        description="True when the rows were imported (false for a dry run or a refused file)"
    )
    rows_read: int
    rows_taken: int = Field(description="The rows imported: read, less those rejected")
    created: int
    updated: int
    unchanged: int
    amendments_created: int
    reopened: int = Field(
        description="Expired contracts a renewal in the file brought back to active"
    )
    providers_created: list[str]
    skipped: list[str] = Field(description="Rows skipped, e.g. a totals row")
    errors: list[ImportErrorOut]
    notices: list[ImportErrorOut] = Field(
        description="Imported, but worth a look: a shortened title, a difference kept as "
        "Steward has it (a status, an older file's amount), payments above the obligation"
    )
    rejected_csv: str | None = Field(
        description="With skip_invalid: the rejected rows and their reasons, as CSV"
    )
    problems_csv: str | None = Field(
        description="Every problem and notice (none left out), as CSV; null when there are none"
    )


class ExpiringContractOut(Schema):
    agency: str = Field(description="Agency slug")
    number: str
    title: str
    provider: str = Field(description="Provider's legal name")
    department: str
    contract_type: str
    status: str
    end_date: date
    days_left: int = Field(description="Days from the as-of date to the end date (0: ends today)")
    renewal_options_left: int
    maximum_obligation: Decimal
    currency: str
    latest_evaluation_score: Decimal | None = Field(
        description="The latest finalised evaluation's score; null until evaluations exist"
    )
    renewal_eligible: bool | None = Field(
        description="Whether that score meets the pack's renewal threshold; null until then"
    )


class TypeTotalOut(Schema):
    contract_type: str
    contracts: int
    value: Decimal


class AnnualLineOut(Schema):
    agency: str
    fiscal_year: int
    first_day: date
    last_day: date
    by_type: list[TypeTotalOut] = Field(description="POS and PSA first (always), then others")
    total_contracts: int
    total_value: Decimal
    ending_next_fiscal_year: int = Field(description="Contracts ending in the next fiscal year")
    ending_next_fiscal_year_value: Decimal
