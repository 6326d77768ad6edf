"""Pages for the register's reports: expiring contracts and the annual POS/PSA report."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from steward.contracts import reports
from steward.contracts.forms import AnnualReportForm, ExpiringReportForm
from steward.contracts.register_reports import TYPE_LABELS, totals
from steward.core.exports import CSV_TYPE, XLSX_TYPE, attachment, csv_text, xlsx_bytes
from steward.core.replica import reads_from_replica
from steward.core.views import application_errors
from steward.parties.models import Agency, AgencyKind, Role


def _agency_choices(user: Any) -> list[tuple[str, str]] | None:
    """None for agency staff (their own agency only); the agencies for oversight and admins."""
    if not user.has_perm("reports.view_register_reports"):
        raise PermissionDenied
    if user.role in (Role.ADMINISTRATOR, Role.OVERSIGHT_OFFICER):
        return list(
            Agency.objects.exclude(kind=AgencyKind.OVERSIGHT_BODY)
            .order_by("name")
            .values_list("slug", "name")
        )
    return None


def _default_window(user: Any) -> int:
    if user.agency_id and user.agency.pack_id:
        return int(user.agency.pack.parsed.expiring_window_days)
    return 120


@login_required
@require_GET
@application_errors
@reads_from_replica
def expiring_report(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    agencies = _agency_choices(user)
    form = ExpiringReportForm(request.GET or None, agencies=agencies)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    today = timezone.localdate()
    as_of: date = data.get("as_of") or today
    within = data.get("within")
    within = _default_window(user) if within is None else within
    agency_slug = data.get("agency") or ""
    contracts = reports.expiring_report(
        actor=user, as_of=as_of, within_days=within, agency_slug=agency_slug
    )
    fmt = request.GET.get("format", "")
    stamp = f"{as_of:%Y-%m-%d}-{within}d"
    if fmt in ("csv", "xlsx") and valid:
        records = (reports.expiring_record(r) for r in reports.expiring_rows(contracts, as_of))
        if fmt == "csv":
            table = reports.record_rows(reports.EXPIRING_COLUMNS, records)
            return attachment(
                csv_text(reports.EXPIRING_COLUMNS, table),
                content_type=CSV_TYPE,
                filename=f"expiring-{stamp}.csv",
            )
        sheet = reports.report_sheet("Expiring contracts", reports.EXPIRING_COLUMNS, records)
        return attachment(
            xlsx_bytes([sheet]), content_type=XLSX_TYPE, filename=f"expiring-{stamp}.xlsx"
        )
    page = Paginator(contracts, 50).get_page(request.GET.get("page"))
    rows = list(reports.expiring_rows_for(page.object_list, as_of))
    query = request.GET.copy()
    for key in ("page", "format"):
        query.pop(key, None)
    return render(
        request,
        "contracts/report_expiring.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "as_of": as_of,
            "within": within,
            "query": query.urlencode(),
        },
    )


@login_required
@require_GET
@application_errors
@reads_from_replica
def annual_report(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    agencies = _agency_choices(user)
    today = timezone.localdate()
    default_year = (
        user.agency.pack.parsed.fiscal_year.year_of(today)
        if user.agency_id and user.agency.pack_id
        else reports.DEFAULT_FISCAL_YEAR.year_of(today)
    )
    params = request.GET.copy()
    params.setdefault("fiscal_year", str(default_year))
    form = AnnualReportForm(params, agencies=agencies)
    lines: list[Any] = []
    total = None
    if form.is_valid():
        fiscal_year = form.cleaned_data["fiscal_year"]
        lines = reports.annual_report(
            actor=user, fiscal_year=fiscal_year, agency_slug=form.cleaned_data.get("agency") or ""
        )
        total = totals(lines) if len(lines) > 1 else None
        fmt = request.GET.get("format", "")
        if fmt in ("csv", "xlsx"):
            records = reports.annual_records(lines)
            name = f"pos-psa-report-fy{fiscal_year}"
            if fmt == "csv":
                table = reports.record_rows(reports.ANNUAL_COLUMNS, records)
                return attachment(
                    csv_text(reports.ANNUAL_COLUMNS, table),
                    content_type=CSV_TYPE,
                    filename=f"{name}.csv",
                )
            sheet = reports.report_sheet(f"FY{fiscal_year}", reports.ANNUAL_COLUMNS, records)
            return attachment(xlsx_bytes([sheet]), content_type=XLSX_TYPE, filename=f"{name}.xlsx")
    query = params.copy()
    query.pop("format", None)
    return render(
        request,
        "contracts/report_annual.html",
        {
            "form": form,
            "lines": lines,
            "total": total,
            "type_labels": TYPE_LABELS,
            "query": query.urlencode(),
        },
    )
