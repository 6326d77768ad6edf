"""Reports across contracts: the report by exception to senior managers (seed 002 stage 9) and
the twice-yearly report to the commissioning body (stage 10): content, PDF and XLSX exports,
who may open them and for which agencies, and bounded queries."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from steward.contracts.models import DueDate
from steward.contracts.services import contract_complete
from steward.monitoring import services
from steward.monitoring.models import ServicesReport
from steward.monitoring.tests.factories import red, walk
from steward.monitoring.tests.pages import at, signed_in, text
from steward.parties.models import Role
from steward.risk.tests.factories import make_concern
from steward.testing.factories import ContractFactory

pytestmark = pytest.mark.django_db


CAL = reverse("monitoring:calendar")


# ---------------------------------------------------------------- stage 9: report by exception


EXC = reverse("monitoring:exceptions")


def _completed(agency, provider, manager, **kwargs):
    """A contract completed on 3 November 2026: its closeout evaluation is due 60 days later,
    on 2 January 2027 (seed 000), and missed on the 12th by 10 days."""
    contract = ContractFactory(agency=agency, provider=provider, status="active", **kwargs)
    return contract_complete(actor=manager, contract=contract, completed_on=date(2026, 11, 3))


@pytest.fixture
def exceptional(live, manager, provider_user, agency, provider):
    """A contract rated red, an appeal, a missed deadline and a serious concern."""
    cycle = walk(live, manager=manager, provider_user=provider_user, to="letter")
    services.appeal_lodge(
        actor=provider_user,
        cycle=cycle,
        grounds="The rating ignores our data.",
        today=cycle.letter_on,
    )
    done = _completed(agency, provider, manager, number="DCF-DONE-1")
    assert DueDate.objects.get(contract=done, kind="closeout_evaluation").due_date == date(
        2027, 1, 2
    )
    red(live, as_of=date(2027, 1, 5))
    make_concern(
        agency,
        provider,
        live,
        received_on=date(2027, 1, 3),
        severity="critical",
        summary="Safeguarding referral",
    )
    make_concern(
        agency, provider, live, received_on=date(2027, 1, 3), severity="low", summary="Minor"
    )
    return cycle


def test_exception_report_content(exceptional, live, make_user):
    with at(date(2027, 1, 12)):
        senior = signed_in(make_user(Role.SENIOR_MANAGER))
        page = text(senior.get(EXC))
    assert "Department of Children and Families" in page
    assert "Contracts rated red (1)" in page
    assert "3 serious concerns open (+9)" in page
    assert live.number in page
    assert "Appeals against monitoring decisions since 12 July 2026 (1)" in page
    assert reverse("monitoring:cycle", args=[exceptional.pk]) in page
    assert "Closeout evaluation: Agency writes the closeout evaluation" in page
    assert "DCF-DONE-1" in page
    assert '<td data-label="Days overdue" class="steward-num">10</td>' in page
    # the appeal lodged met its window; nothing else is missed
    assert "Missed deadlines (1)" in page
    assert "Safeguarding referral" in page and "Minor" not in page
    # a later "since" leaves the appeal out
    with at(date(2027, 1, 12)):
        later = text(senior.get(EXC, {"since": "2027-01-11"}))
    assert "0 appeals</a>" in later


def test_exception_report_pdf_and_xlsx(exceptional, live, make_user):
    with at(date(2027, 1, 12)):
        senior = signed_in(make_user(Role.SENIOR_MANAGER))
        pdf = senior.get(EXC, {"format": "pdf"})
        xlsx = senior.get(EXC, {"format": "xlsx"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content[:4] == b"%PDF"
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[:4] == [
        "Red contracts",
        "Appeals",
        "Missed deadlines",
        "Serious concerns",
    ]
    rows = list(book["Red contracts"].values)
    assert rows[1][0] == live.number and "3 serious concerns open" in rows[1][5]
    missed = list(book["Missed deadlines"].values)
    assert missed[1][0] == "DCF-DONE-1" and missed[1][4] == 10
    assert missed[1][2].startswith("Closeout evaluation")
    assert len(list(book["Serious concerns"].values)) == 2


def test_exception_report_permissions_and_agency_scope(
    exceptional, live, make_user, provider_user, other_agency, other_provider
):
    assert signed_in(provider_user).get(EXC).status_code == 403
    elsewhere = ContractFactory(agency=other_agency, provider=other_provider, status="active")
    red(elsewhere, as_of=date(2027, 1, 5))
    with at(date(2027, 1, 12)):
        other = signed_in(make_user(Role.SENIOR_MANAGER, agency=other_agency))
        oversight = signed_in(make_user(Role.OVERSIGHT_OFFICER))
        theirs = text(other.get(EXC))
        everyone = text(oversight.get(EXC))
        filtered = text(oversight.get(EXC, {"agency": other_agency.pk}))
    assert elsewhere.number in theirs and live.number not in theirs
    assert "Contracts rated red (2)" in everyone and "Every agency" in everyone
    assert elsewhere.number in filtered and live.number not in filtered


def _exceptional_rows(agency, provider, manager, n: int) -> None:
    for _ in range(n):
        c = ContractFactory(agency=agency, provider=provider, status="active")
        red(c, as_of=date(2027, 1, 5))
        _completed(agency, provider, manager)
        make_concern(agency, provider, c, received_on=date(2027, 1, 3), severity="high")


def test_exception_report_queries_do_not_grow_with_rows(
    agency, provider, manager, make_user, django_assert_max_num_queries
):
    _exceptional_rows(agency, provider, manager, 2)
    with at(date(2027, 1, 12)):
        senior = signed_in(make_user(Role.SENIOR_MANAGER))
        with django_assert_max_num_queries(15) as few:
            assert senior.get(EXC).status_code == 200
        _exceptional_rows(agency, provider, manager, 12)
        with django_assert_max_num_queries(len(few.captured_queries)):
            page = text(senior.get(EXC))
    assert "Contracts rated red (14)" in page
    assert "Missed deadlines (14)" in page


# ---------------------------------------------------------------- stage 10


REPORTS = reverse("monitoring:reports")


def test_stage_10_report_made_viewed_and_exported(live, manager, provider_user):
    walk(live, manager=manager, provider_user=provider_user, to="letter")
    red(live, as_of=date(2026, 12, 20))
    with at(date(2027, 1, 10)):
        client = signed_in(manager)
        form = text(client.get(REPORTS))
        # Connecticut's fiscal year starts in July: the halves are July–December, January–June
        assert "1 January 2027 to 30 June 2027 (the current half-year, to date)" in form
        assert 'value="2026-07-01"' in form
        missing = text(client.post(REPORTS, {"period_start": "2026-07-01"}))
        assert "Write the recommendations." in missing
        response = client.post(
            REPORTS, {"period_start": "2026-07-01", "recommendations": "Visit the red contracts."}
        )
        report = ServicesReport.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("monitoring:report", args=[report.pk])
        duplicate = text(
            client.post(REPORTS, {"period_start": "2026-07-01", "recommendations": "Again."})
        )
        assert "The report for the half-year from 1 July 2026 exists." in duplicate
        listing = text(client.get(REPORTS))
        url = reverse("monitoring:report", args=[report.pk])
        page = text(client.get(url))
        pdf = client.get(url, {"format": "pdf"})
        xlsx = client.get(url, {"format": "xlsx"})
    assert url in listing and "a report exists" in listing
    assert report.period_end == date(2026, 12, 31)
    assert "Visit the red contracts." in page
    assert "<svg" in page and 'role="img"' in page
    assert "Quality and performance of the service" in page
    quality_row = page.split("Quality and performance of the service</th>")[1].split("</tr>")[0]
    assert quality_row.count('<td class="steward-num">') == 5
    assert '<td class="steward-num">1</td>' in quality_row  # one "good"
    assert "Red, now 1" in page  # the chart's description
    assert pdf.content[:4] == b"%PDF"
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Summary", "Judgements", "Risk", "Indicators", "Recommendations"]
    judgements = {row[0]: row[1:] for row in book["Judgements"].values}
    assert judgements["Quality and performance of the service"] == (0, 1, 0, 0, 1)
    summary = dict(book["Summary"].values)
    assert summary["Monitoring cycles completed (results letter sent)"] == 1
    assert list(book["Recommendations"].values)[1][0] == "Visit the red contracts."


def test_stage_10_permissions(live, manager, make_user, provider_user, other_agency, agency):
    with at(date(2027, 1, 10)):
        report = services.services_report_create(
            actor=manager,
            agency=agency,
            period_start=date(2026, 7, 1),
            recommendations="Keep going.",
            today=date(2027, 1, 10),
        )
    url = reverse("monitoring:report", args=[report.pk])
    provider = signed_in(provider_user)
    assert provider.get(REPORTS).status_code == 403
    assert provider.get(url).status_code == 403
    stranger = signed_in(make_user(Role.CONTRACT_MANAGER, agency=other_agency))
    assert stranger.get(url).status_code == 404
    assert stranger.get(url, {"format": "pdf"}).status_code == 404
    assert url not in text(stranger.get(REPORTS))
    finance = signed_in(make_user(Role.FINANCE_OFFICER))
    listing = finance.get(REPORTS)
    assert listing.status_code == 200 and url in text(listing)
    assert "Make the report" not in text(listing)
    assert finance.post(REPORTS, {"period_start": "2026-07-01"}).status_code == 403
    assert finance.get(url).status_code == 200
    oversight = signed_in(make_user(Role.OVERSIGHT_OFFICER))
    assert oversight.get(url).status_code == 200
    assert signed_in(manager).get(reverse("monitoring:report", args=[999999])).status_code == 404


def test_report_pages_need_sign_in():
    for name in ("exceptions", "reports"):
        response = Client().get(reverse(f"monitoring:{name}"))
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_unused_appeal_window_is_never_a_missed_deadline(
    live, manager, provider_user, make_user
):
    """seed 002 stages 8 and 9: an appeal window left unused is the provider's choice: not a
    missed deadline, whether the cycle was closed by hand or by the daily job; the daily job
    lapses it and it leaves the provider's calendar."""
    from steward.workspace.services import daily_run

    cycle = walk(live, manager=manager, provider_user=provider_user, to="letter")
    after = cycle.appeal_due.due_date + timedelta(days=1)
    services.cycle_close(actor=manager, cycle=cycle, today=after)
    with at(after):
        page = text(signed_in(make_user(Role.SENIOR_MANAGER)).get(EXC))
    assert "Missed deadlines (0)" in page
    daily_run(as_of=after)
    assert DueDate.objects.get(pk=cycle.appeal_due_id).status == "lapsed"
    with at(after):
        calendar = text(signed_in(provider_user).get(CAL))
    assert "Appeal the monitoring decision" not in calendar
