"""Reports in lieu of the evaluation form (seed 000): submitting one, the oversight officer's
acceptance or rejection and its effect on the due date, the services' refusals on the form, who
may submit, decide or read, and the queue's filters."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from steward.contracts.models import DueDateStatus
from steward.evaluations import selectors, services
from steward.evaluations.models import InLieuReport, InLieuStatus
from steward.evaluations.tests.factories import completed_contract
from steward.evaluations.tests.pages import PDF, TODAY, pdf, signed_in, url
from steward.parties.models import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@time_machine.travel(TODAY, tick=False)
def test_in_lieu_submit_accept_makes_the_due_date_done_on_time(manager, officer, closed):
    client = signed_in(manager)
    assert client.get(url("in_lieu_new", closed.pk)).status_code == 200
    response = client.post(
        url("in_lieu_new", closed.pk),
        {
            "kind": "report_card",
            "title": "Report card, fiscal year 2026",
            "summary": "Outcomes met for 92% of families.",
            "link": "",
            "file": pdf(),
        },
    )
    report = InLieuReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("in_lieu", report.pk)
    assert report.status == InLieuStatus.SUBMITTED
    assert report.original_name == "x.pdf"

    download = client.get(url("in_lieu_file", report.pk))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF

    officer_client = signed_in(officer)
    queue = officer_client.get(url("in_lieu_list")).content.decode()
    assert "Awaiting your decision (1)" in queue
    assert "Report card, fiscal year 2026" in queue
    page = officer_client.get(url("in_lieu", report.pk)).content.decode()
    assert "Record the decision" in page
    response = officer_client.post(url("in_lieu", report.pk), {"decision": "accept", "reason": ""})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == InLieuStatus.ACCEPTED
    due = report.due
    assert due.status == DueDateStatus.DONE
    assert due.completed_on == date(2026, 8, 10) <= due.due_date
    row = next(
        r
        for r in selectors.compliance_table(actor=officer, today=date(2026, 9, 30))
        if r.agency.pk == closed.agency_id
    )
    assert (row.on_time, row.late, row.missing) == (1, 0, 0)
    assert (
        "Record the decision" not in officer_client.get(url("in_lieu", report.pk)).content.decode()
    )


@time_machine.travel(TODAY, tick=False)
def test_rejection_needs_a_reason(manager, officer, closed):
    report = services.in_lieu_submit(
        actor=manager,
        contract=closed,
        kind="quality_assurance",
        title="QA review",
        link="https://example.gov/qa.pdf",
        today=date(2026, 8, 10),
    )
    client = signed_in(officer)
    response = client.post(url("in_lieu", report.pk), {"decision": "reject", "reason": "  "})
    assert response.status_code == 200
    assert "A rejection needs a reason." in response.content.decode()
    report.refresh_from_db()
    assert report.status == InLieuStatus.SUBMITTED
    response = client.post(
        url("in_lieu", report.pk),
        {"decision": "reject", "reason": "It covers another fiscal year."},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == InLieuStatus.REJECTED
    assert report.due.status == DueDateStatus.OPEN
    body = signed_in(manager).get(url("in_lieu", report.pk)).content.decode()
    assert "It covers another fiscal year." in body


@time_machine.travel(TODAY, tick=False)
def test_in_lieu_form_shows_the_service_refusals(manager, closed):
    client = signed_in(manager)
    response = client.post(
        url("in_lieu_new", closed.pk), {"kind": "report_card", "title": "", "link": ""}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Give the report a title." in body
    assert "Attach the report or give a link to it." in body
    response = client.post(
        url("in_lieu_new", closed.pk),
        {"kind": "report_card", "title": "Report", "file": pdf("x.pdf", b"MZ not a pdf")},
    )
    assert response.status_code == 200
    assert 'id="id_file-error"' in response.content.decode()
    assert not InLieuReport.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_in_lieu_pending_refuses_a_second(manager, closed):
    client = signed_in(manager)
    data = {"kind": "report_card", "title": "R", "link": "https://example.gov/r.pdf"}
    assert client.post(url("in_lieu_new", closed.pk), data).status_code == 302
    response = client.post(url("in_lieu_new", closed.pk), data)
    assert response.status_code == 200
    assert "already awaiting a decision" in response.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_in_lieu_permissions(manager, officer, other_manager, provider_user, make_user, closed):
    report = services.in_lieu_submit(
        actor=manager,
        contract=closed,
        kind="report_card",
        title="Card of the year",
        upload=pdf(),
        today=date(2026, 8, 10),
    )
    # provider users: never
    provider_client = signed_in(provider_user)
    assert provider_client.get(url("in_lieu_list")).status_code == 403
    assert provider_client.get(url("in_lieu", report.pk)).status_code == 404
    assert provider_client.get(url("in_lieu_file", report.pk)).status_code == 404
    assert provider_client.get(url("in_lieu_new", closed.pk)).status_code == 403
    # another agency: not until it is accepted
    other = signed_in(other_manager)
    assert other.get(url("in_lieu", report.pk)).status_code == 404
    assert other.get(url("in_lieu_file", report.pk)).status_code == 404
    assert other.get(url("in_lieu_new", closed.pk)).status_code == 404
    assert "Card of the year" not in other.get(url("in_lieu_list")).content.decode()
    # a contract manager may not decide; a senior manager may not submit
    assert (
        signed_in(manager).post(url("in_lieu", report.pk), {"decision": "accept"}).status_code
        == 403
    )
    senior = signed_in(make_user(Role.SENIOR_MANAGER))
    assert senior.get(url("in_lieu_new", closed.pk)).status_code == 403
    assert senior.get(url("in_lieu", report.pk)).status_code == 200
    services.in_lieu_decide(
        actor=officer, report=report, accept=True, reason="", today=date(2026, 8, 11)
    )
    assert other.get(url("in_lieu", report.pk)).status_code == 200
    assert other.get(url("in_lieu_file", report.pk)).status_code == 200


@time_machine.travel(TODAY, tick=False)
def test_in_lieu_list_filters_by_status_and_agency(manager, officer, other_manager, closed):
    accepted = services.in_lieu_submit(
        actor=manager,
        contract=closed,
        kind="report_card",
        title="Accepted card",
        link="https://example.gov/a.pdf",
        today=date(2026, 8, 1),
    )
    services.in_lieu_decide(
        actor=officer, report=accepted, accept=True, reason="", today=date(2026, 8, 2)
    )
    other_contract = completed_contract(other_manager, number="DMH-25-001")
    services.in_lieu_submit(
        actor=other_manager,
        contract=other_contract,
        kind="quality_assurance",
        title="Waiting QA",
        link="https://example.gov/b.pdf",
        today=date(2026, 8, 3),
    )
    officer_client = signed_in(officer)
    body = officer_client.get(url("in_lieu_list")).content.decode()
    assert body.index("Waiting QA") < body.index("Accepted card")
    body = officer_client.get(url("in_lieu_list"), {"status": "accepted"}).content.decode()
    assert "Accepted card" in body
    assert "Waiting QA" not in body
    # agency staff: their own agency's
    body = signed_in(manager).get(url("in_lieu_list")).content.decode()
    assert "Accepted card" in body
    assert "Waiting QA" not in body
    assert "Awaiting the oversight officer" in body
