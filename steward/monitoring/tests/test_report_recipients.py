"""Seed 002 stages 9 and 10 reach their readers: stage 9 "by exception to Senior Local
Authority/PCT/Probation Managers" (named, some outside the agency), stage 10 "twice yearly, to
Commissioning Body" (a recipient outside the agency). Sent through the outbox, the sending
kept. Through the services, the API and the pages."""

from __future__ import annotations

from datetime import date

import pytest

from steward.core.errors import PermissionDeniedError, ValidationFailed
from steward.core.models import OutboundEmail
from steward.core.tests.api_support import call, session_client, token_client
from steward.monitoring import services
from steward.monitoring.models import ReportSent
from steward.monitoring.services_recipients import (
    exception_report_send,
    report_recipient_add,
    services_report_send,
)
from steward.monitoring.tests.factories import red
from steward.parties.models import Role

pytestmark = pytest.mark.django_db

TODAY = date(2027, 1, 10)


@pytest.fixture
def west_london(agency, packs):
    agency.pack = packs["west-london-sp"]
    agency.save()
    return agency


@pytest.fixture
def report(west_london, live, manager):
    red(live, as_of=date(2027, 1, 5))
    return services.services_report_create(
        actor=manager,
        agency=west_london,
        period_start=date(2026, 10, 1),
        recommendations="Two more visits to red services.",
        today=TODAY,
    )


def test_seed_002_stage_10_goes_to_the_commissioning_body_outside_the_agency(
    report, west_london, manager, make_user
):
    """seed 002 stage 10: "Report on performance across SP services and any recommendations,
    twice yearly, to Commissioning Body": an external recipient gets the report itself by
    email, through the outbox, and the sending is kept."""
    with pytest.raises(ValidationFailed, match="recipients"):
        services_report_send(actor=manager, report=report, today=TODAY)
    body = report_recipient_add(
        actor=manager,
        agency=west_london,
        audience="services",
        name="Chair of the Commissioning Body",
        organisation="West London Commissioning Body",
        email="Chair@Commissioning.example",
    )
    assert body.external and body.email == "chair@commissioning.example"
    monitor = make_user(Role.CONTRACT_MONITOR, username="mon")
    with pytest.raises(PermissionDeniedError):
        services_report_send(actor=monitor, report=report, today=TODAY)
    sent = services_report_send(actor=manager, report=report, today=TODAY)
    assert sent.recipients[0]["organisation"] == "West London Commissioning Body"
    email = OutboundEmail.objects.get(recipients=["chair@commissioning.example"])
    assert "Red: 0, 1" in email.body and "Two more visits" in email.body
    assert "Open it in Steward" not in email.body  # they cannot sign in


def test_seed_002_stage_9_goes_to_named_senior_managers_including_partners(
    live, west_london, manager, make_user
):
    """seed 002 stage 9: "Report by exception to Senior Local Authority/PCT/Probation
    Managers": a senior manager of the agency and partner organisations' managers."""
    red(live, as_of=date(2027, 1, 5))
    senior = make_user(Role.SENIOR_MANAGER, username="senior", email="senior@dcf.test")
    report_recipient_add(actor=manager, agency=west_london, audience="exceptions", user=senior)
    report_recipient_add(
        actor=manager,
        agency=west_london,
        audience="exceptions",
        name="Head of Probation",
        organisation="Probation",
        email="head@probation.example",
    )
    report_recipient_add(
        actor=manager,
        agency=west_london,
        audience="exceptions",
        name="PCT Director",
        organisation="PCT",
        email="director@pct.example",
    )
    with pytest.raises(ValidationFailed):
        report_recipient_add(
            actor=manager,
            agency=west_london,
            audience="exceptions",
            name="PCT Director",
            organisation="PCT",
            email="director@pct.example",
        )
    sent = exception_report_send(
        actor=manager, agency=west_london, since=date(2026, 7, 1), today=TODAY
    )
    assert {r["organisation"] for r in sent.recipients} == {west_london.name, "PCT", "Probation"}
    probation = OutboundEmail.objects.get(recipients=["head@probation.example"])
    assert "Contracts rated red: 1" in probation.body and live.number in probation.body
    internal = OutboundEmail.objects.get(recipients=["senior@dcf.test"])
    assert "Open it in Steward" in internal.body


def test_seed_002_stages_9_and_10_through_the_api(report, west_london, manager, make_user):
    """seed 002 stages 9 and 10 through the API: name recipients, send both reports."""
    client = token_client(manager)
    made = call(
        client,
        "post",
        "/monitoring/report-recipients",
        {
            "audience": "services",
            "name": "Commissioning Body",
            "organisation": "West London Commissioning Body",
            "email": "body@commissioning.example",
        },
    )
    assert made.status_code == 201 and made.json()["external"] is True
    assert (
        call(client, "post", "/monitoring/report-recipients", {"audience": "services"}).status_code
        == 422
    )
    sent = call(client, "post", f"/monitoring/reports/commissioning/{report.pk}/send")
    assert (
        sent.status_code == 201
        and sent.json()["recipients"][0]["email"] == "body@commissioning.example"
    )
    assert call(client, "post", "/monitoring/reports/exceptions/send", {}).status_code == 422
    call(
        client,
        "post",
        "/monitoring/report-recipients",
        {
            "audience": "exceptions",
            "name": "PCT Director",
            "organisation": "PCT",
            "email": "d@pct.example",
        },
    )
    assert call(client, "post", "/monitoring/reports/exceptions/send", {}).status_code == 201
    listed = call(client, "get", "/monitoring/report-recipients").json()
    assert {r["audience"] for r in listed} == {"services", "exceptions"}
    removed = call(client, "delete", f"/monitoring/report-recipients/{listed[0]['id']}")
    assert removed.status_code == 200 and removed.json()["active"] is False
    monitor = make_user(Role.CONTRACT_MONITOR, username="mon2")
    assert (
        call(
            token_client(monitor), "post", f"/monitoring/reports/commissioning/{report.pk}/send"
        ).status_code
        == 403
    )
    assert ReportSent.objects.count() == 2


def test_pages_name_recipients_and_send(report, west_london, manager):
    client = session_client(manager)
    page = client.get("/monitoring/reports/recipients/")
    assert page.status_code == 200 and b"Name a recipient" in page.content
    added = client.post(
        "/monitoring/reports/recipients/",
        {
            "audience": "services",
            "name": "Body",
            "organisation": "Commissioning Body",
            "email": "b@c.example",
        },
    )
    assert added.status_code == 302
    assert (
        client.get(f"/monitoring/reports/commissioning/{report.pk}/").content.count(
            b"Send to the commissioning body"
        )
        == 1
    )
    sent = client.post(f"/monitoring/reports/commissioning/{report.pk}/send/")
    assert sent.status_code == 302 and ReportSent.objects.get().audience == "services"
    assert b"Sent on" in client.get(f"/monitoring/reports/commissioning/{report.pk}/").content
