"""Strategic commissioning as seed 003 sections 2 and 3 write it, through the services and the
API: the needs analysis imported (all or nothing) and set against the contracted places, the
market intelligence monitoring feeds in, the sector view with its decision and its report."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from steward.commissioning import importing, selectors, services
from steward.commissioning.models import MarketNote, NeedRecord, SectorDecision
from steward.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from steward.core.tests.api_support import API, call, session_client, token_client
from steward.risk import services as risk_services
from steward.risk.tests.factories import category

from .conftest import NEEDS_CSV, TODAY

pytestmark = pytest.mark.django_db


def _import(actor, agency, text=NEEDS_CSV, **kw):
    return importing.import_needs(
        actor=actor, agency=agency, stream=io.BytesIO(text.encode()), filename="needs.csv", **kw
    )


def _csv(text=NEEDS_CSV, name="needs.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


# ------------------------------------------------------------------ needs analysis


def test_needs_import_is_all_or_nothing_with_every_bad_row(scc, people):
    """seed 003 (A)(i): needs analysis of data on need for services and patterns of use,
    imported as a CSV: a file with any bad row imports nothing and lists every bad row."""
    bad = (
        NEEDS_CSV
        + "Fostering,,2026-01-01,2026-03-31,two,1\nFostering,South,2026-04-01,2026-03-01,1,1\n"
    )
    report = _import(people["ccm"], scc, bad)
    assert not report.ok and not report.written
    assert [(e.line, e.column) for e in report.errors] == [
        (6, "area"),
        (6, "need"),
        (7, "period end"),
    ]
    assert NeedRecord.objects.count() == 0
    report = _import(people["ccm"], scc)
    assert report.written and report.created == 4
    again = _import(people["ccm"], scc)
    assert again.unchanged == 4 and again.created == again.updated == 0
    assert (
        NeedRecord.objects.get(area="North", service_type="Fostering")
        .history.first()
        .history_change_reason
        == "Imported from needs.csv"
    )


def test_needs_import_refuses_missing_columns_and_other_people(scc, people):
    report = _import(people["ccm"], scc, "Service type,Area\nFostering,North\n")
    assert {e.column for e in report.errors} == {"period start", "period end", "need", "use"}
    with pytest.raises(PermissionDeniedError):
        _import(people["monitor"], scc)


def test_supply_against_demand_per_service_type_and_area(scc, people, sector_contracts):
    """seed 003 (A)(i): "to ensure supply against demand": the latest period's need per
    service type and area against the places of the live contracts serving that area."""
    _import(people["ccm"], scc)
    services.contract_area_set(actor=people["ccm"], contract=sector_contracts["res1"], area="North")
    services.contract_area_set(actor=people["ccm"], contract=sector_contracts["res2"], area="South")
    rows = {(r.service_type, r.area): r for r in selectors.supply_and_demand(agency=scc)}
    north = rows[("Residential care", "North")]
    assert (north.need, north.use, north.places, north.in_use) == (4, 3, 2, 1)  # latest period
    assert north.balance.status == "shortfall" and north.balance.short == 2
    south = rows[("Residential care", "South")]
    assert (south.need, south.places, south.balance.status) == (2, 3, "balanced")  # one over
    assert rows[("Fostering", "")].places == 5  # its area not recorded
    assert (
        rows[("Fostering", "North")].balance.status == "no_data"
        or rows[("Fostering", "North")].places == 0
    )


def test_supply_api_and_import_api(scc, people, sector_contracts, django_assert_max_num_queries):
    """seed 003 (A)(i) through the API: import (422 listing bad rows, then 200) and the
    supply-against-demand list."""
    client = token_client(people["ccm"])
    bad = call(
        client,
        "post",
        "/commissioning/needs/import",
        {"file": _csv(NEEDS_CSV + "X,Y,nope,2026-01-01,1,1\n")},
    )
    assert bad.status_code == 422 and "line 6: period start" in bad.json()["errors"]
    ok = call(client, "post", "/commissioning/needs/import", {"file": _csv()})
    assert ok.status_code == 200 and ok.json()["created"] == 4
    with django_assert_max_num_queries(8):
        response = call(client, "get", "/commissioning/supply")
    assert response.status_code == 200
    north = next(
        r for r in response.json() if r["area"] == "North" and r["service_type"] == "Fostering"
    )
    assert north["need"] == 6 and north["balance"] == "shortfall"
    txt = call(
        client, "post", "/commissioning/needs/import", {"file": SimpleUploadedFile("n.exe", b"MZ")}
    )
    assert txt.status_code == 422


def test_import_needs_command(scc, tmp_path):
    """The operation people run: `steward import-needs FILE --agency SLUG`."""
    path = tmp_path / "needs.csv"
    path.write_text(NEEDS_CSV)
    out = io.StringIO()
    call_command("import-needs", str(path), "--agency", "scc", stdout=out)
    assert "imported 4 new" in out.getvalue()
    path.write_text(NEEDS_CSV + "Fostering,North,bad,2026-01-01,1,1\n")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import-needs", str(path), "--agency", "scc", stderr=io.StringIO())


# ------------------------------------------------------------------ market intelligence


def test_market_intelligence_per_provider_and_service_type(scc, people, provider, other_provider):
    """seed 003 section 4: monitoring feeds the strategic level: strengths, weaknesses and gaps;
    providers' willingness and capacity to adjust or develop services; providers' views; the
    potential for commissioning with other councils, per provider and per service type."""
    monitor = people["monitor"]
    gap = services.market_note_record(
        actor=monitor,
        agency=scc,
        kind="gap",
        text="No emergency beds in the South.",
        service_type="Residential care",
        recorded_on=TODAY,
    )
    willing = services.market_note_record(
        actor=monitor,
        agency=scc,
        kind="willingness",
        text="Could open two more beds by spring.",
        provider=provider,
        recorded_on=TODAY,
    )
    with pytest.raises(ValidationFailed, match="council or organisation"):
        services.market_note_record(
            actor=monitor,
            agency=scc,
            kind="joint",
            text="Share a framework.",
            service_type="Fostering",
            recorded_on=TODAY,
        )
    with pytest.raises(ValidationFailed, match="provider or service type"):
        services.market_note_record(
            actor=monitor, agency=scc, kind="strength", text="Good.", recorded_on=TODAY
        )
    with pytest.raises(PermissionDeniedError):
        services.market_note_record(
            actor=people["finance"],
            agency=scc,
            kind="gap",
            text="x",
            service_type="Fostering",
            recorded_on=TODAY,
        )
    assert list(selectors.market_notes(actor=monitor, agency=scc, provider_id=provider.pk)) == [
        willing
    ]
    assert list(
        selectors.market_notes(actor=monitor, agency=scc, service_type="residential CARE")
    ) == [gap]
    assert gap.history.first().history_user == monitor


def test_market_intelligence_api(scc, people, provider, django_assert_max_num_queries):
    """seed 003 section 4 through the API: joint commissioning names the partner council."""
    client = token_client(people["ccm"])
    made = call(
        client,
        "post",
        "/commissioning/intelligence",
        {
            "kind": "joint",
            "text": "Highland would share a fostering framework.",
            "service_type": "Fostering",
            "partner": "Highland Council",
            "recorded_on": "2026-05-01",
        },
    )
    assert made.status_code == 201 and made.json()["partner"] == "Highland Council"
    view = call(
        client,
        "post",
        "/commissioning/intelligence",
        {
            "kind": "provider_view",
            "text": "Fees do not cover night staff.",
            "provider_id": provider.pk,
        },
    )
    assert view.status_code == 201 and view.json()["provider"] == provider.legal_name
    refused = call(
        client,
        "post",
        "/commissioning/intelligence",
        {"kind": "joint", "text": "x", "service_type": "Fostering"},
    )
    assert refused.status_code == 422
    with django_assert_max_num_queries(6):
        listed = call(client, "get", f"/commissioning/intelligence?provider={provider.pk}")
    assert [n["kind"] for n in listed.json()] == ["provider_view"]


# ------------------------------------------------------------------ the sector view


def _risk_and_concern(scc, people, contract):
    ccm = people["ccm"]
    concern = risk_services.concern_log(
        actor=ccm,
        agency=scc,
        provider=contract.provider,
        data={
            "kind": "complaint",
            "received_on": TODAY,
            "source": "family",
            "channel": "email",
            "category": category(scc, "safeguarding"),
            "severity": "high",
            "summary": "Night staffing",
            "description": "One member of staff at night.",
            "complainant_reference": "CASE-9",
            "contract": contract,
        },
        today=TODAY,
    )
    assessment = risk_services.risk_recompute_contract(actor=ccm, contract=contract, as_of=TODAY)
    risk_services.risk_override(
        actor=ccm, assessment=assessment, rating="red", reason="Night staffing"
    )
    return concern


def test_sector_view_and_decision(scc, people, sector_contracts, django_assert_max_num_queries):
    """seed 003 (B)(i): "the performance of a whole sector – does it achieve agreed outcomes,
    does it need to shrink or grow, or be decommissioned?": performance across its contracts,
    risk, concerns, capacity used and the decision with its reasons."""
    _import(people["ccm"], scc)
    _risk_and_concern(scc, people, sector_contracts["res1"])
    with django_assert_max_num_queries(14):
        sector = selectors.sector(
            actor=people["monitor"], agency=scc, service_type="Residential care", today=TODAY
        )
    assert [r.contract.number for r in sector.contracts] == ["RC-1", "RC-2"]
    assert sector.ratings["red"] == 1 and sector.open_concerns == 1
    assert (sector.places, sector.in_use, sector.percent_used) == (5, 1, 20)
    assert sector.need == 6 and sector.balance.status == "balanced"  # one place short
    with pytest.raises(ValidationFailed):
        services.sector_decision_record(
            actor=people["ccm"],
            agency=scc,
            service_type="Residential care",
            decision="grow",
            reasons="",
            decided_on=TODAY,
        )
    with pytest.raises(ValidationFailed, match="service type"):
        services.sector_decision_record(
            actor=people["ccm"],
            agency=scc,
            service_type="Day care",
            decision="grow",
            reasons="x",
            decided_on=TODAY,
        )
    with pytest.raises(PermissionDeniedError):
        services.sector_decision_record(
            actor=people["monitor"],
            agency=scc,
            service_type="Residential care",
            decision="grow",
            reasons="x",
            decided_on=TODAY,
        )
    services.sector_decision_record(
        actor=people["senior"],
        agency=scc,
        service_type="residential care",
        decision="shrink",
        reasons="Need has fallen from 9 to 6; places exceed it.",
        decided_on=TODAY,
    )
    sector = selectors.sector(
        actor=people["ccm"], agency=scc, service_type="Residential care", today=TODAY
    )
    assert (
        sector.decision.decision == "shrink" and sector.decision.service_type == "Residential care"
    )
    with pytest.raises(NotFoundError):
        selectors.sector(
            actor=people["provider"], agency=scc, service_type="Residential care", today=TODAY
        )
    with pytest.raises(NotFoundError):
        selectors.sector(
            actor=people["other"], agency=scc, service_type="Residential care", today=TODAY
        )


def test_sector_api_decision_and_report(scc, people, sector_contracts, monkeypatch):
    """seed 003 (B)(i) through the API and the report for the commissioning body (CSV and
    PDF)."""
    _risk_and_concern(scc, people, sector_contracts["res2"])
    client = token_client(people["ccm"])
    decided = call(
        client,
        "post",
        "/commissioning/decisions",
        {
            "service_type": "Residential care",
            "decision": "grow",
            "reasons": "Shortfall in the North.",
        },
    )
    assert decided.status_code == 201 and decided.json()["decision_label"] == "Grow"
    assert (
        call(
            client,
            "post",
            "/commissioning/decisions",
            {
                "service_type": "Residential care",
                "decision": "expand",
                "reasons": "x",
            },
        ).status_code
        == 422
    )
    sector = call(client, "get", "/commissioning/sector?service_type=Residential%20care").json()
    assert sector["ratings"]["red"] == 1 and sector["decision"]["decision"] == "grow"
    assert [c["number"] for c in sector["contracts"]] == ["RC-1", "RC-2"]
    area = call(
        client,
        "put",
        f"/commissioning/contracts/{sector_contracts['res1'].pk}/area",
        {"area": "North"},
    )
    assert area.status_code == 200 and area.json()["area"] == "North"
    page = session_client(people["ccm"])
    csv = page.get("/commissioning/sector/export/?service_type=Residential+care&format=csv")
    body = b"".join(csv.streaming_content).decode()
    assert "RC-2" in body and "Red" in body and "Commissioning decision,Grow" in body
    monkeypatch.setattr(
        "steward.commissioning.views.pdf_response",
        lambda *a, **k: __import__("django.http").http.HttpResponse(
            b"%PDF", content_type="application/pdf"
        ),
    )
    assert (
        page.get("/commissioning/sector/export/?service_type=Residential+care").status_code == 200
    )
    assert API  # the API prefix is the one the helpers use
    assert SectorDecision.objects.count() == 1 and MarketNote.objects.count() == 0


# ------------------------------------------------------------------ permissions

ROLES = ("admin", "oversight", "ccm", "monitor", "senior", "finance", "provider", "other")
# endpoint           admin oversight ccm monitor senior finance provider other
MATRIX = """
supply.get           200   200       200 200     200    200     404      404
sector.get           200   200       200 200     200    200     404      404
notes.create         201   403       201 201     201    403     404      404
decision.create      201   403       201 403     201    403     404      404
area.set             200   403       200 403     200    403     404      404
"""


def _request(client, endpoint, scc, contract):
    agency = f"?agency={scc.pk}"
    body_agency = {"agency_id": scc.pk}
    if endpoint == "supply.get":
        return call(client, "get", f"/commissioning/supply{agency}")
    if endpoint == "sector.get":
        return call(client, "get", f"/commissioning/sector{agency}&service_type=Fostering")
    if endpoint == "notes.create":
        return call(
            client,
            "post",
            "/commissioning/intelligence",
            {"kind": "gap", "text": "x", "service_type": "Fostering", **body_agency},
        )
    if endpoint == "decision.create":
        return call(
            client,
            "post",
            "/commissioning/decisions",
            {
                "service_type": "Fostering",
                "decision": "achieve",
                "reasons": "Outcomes met.",
                **body_agency,
            },
        )
    return call(client, "put", f"/commissioning/contracts/{contract.pk}/area", {"area": "North"})


@pytest.mark.parametrize(
    ("endpoint", "role", "expected"),
    [
        (line.split()[0], role, int(cell))
        for line in MATRIX.strip().splitlines()
        for role, cell in zip(ROLES, line.split()[1:], strict=True)
    ],
)
def test_permission_matrix(scc, people, sector_contracts, endpoint, role, expected):
    """Commissioning is internal (DOMAIN.md §1): a provider user and another agency's staff get
    404; the contract manager and senior managers decide, monitors also feed intelligence;
    oversight reads."""
    response = _request(token_client(people[role]), endpoint, scc, sector_contracts["fost"])
    assert response.status_code == expected, response.content


def test_pages(scc, people, sector_contracts, django_assert_max_num_queries):
    """The pages: supply against demand, the import, the sector view and its decision, the
    market intelligence; 404 for a provider user."""
    client = session_client(people["ccm"])
    upload = client.post("/commissioning/import/", {"file": _csv()})
    assert upload.status_code == 200 and b"Imported" in upload.content
    with django_assert_max_num_queries(20):
        index = client.get("/commissioning/")
    assert index.status_code == 200 and b"Fewer places than needed" in index.content
    sector = client.get("/commissioning/sector/?service_type=Residential+care")
    assert sector.status_code == 200 and b"Record the commissioning decision" in sector.content
    posted = client.post(
        "/commissioning/sector/decision/",
        {
            "service_type": "Residential care",
            "decision": "achieve",
            "reasons": "Outcomes met.",
            "decided_on": "2026-06-01",
        },
    )
    assert posted.status_code == 302
    assert SectorDecision.objects.get().decision == "achieve"
    noted = client.post(
        "/commissioning/intelligence/",
        {
            "kind": "strength",
            "text": "Strong family contact.",
            "service_type": "Fostering",
            "recorded_on": "2026-06-01",
        },
    )
    assert noted.status_code == 302 and MarketNote.objects.count() == 1
    assert (
        client.get(f"/commissioning/contracts/{sector_contracts['res1'].pk}/area/").status_code
        == 200
    )
    assert session_client(people["provider"]).get("/commissioning/").status_code == 404
    assert (
        session_client(people["provider"])
        .get("/commissioning/sector/?service_type=Fostering")
        .status_code
        == 404
    )
    assert session_client(people["monitor"]).get("/commissioning/import/").status_code == 403
    assert (
        session_client(people["admin"]).get(f"/commissioning/?agency={scc.pk}").status_code == 200
    )
    assert date.today()
