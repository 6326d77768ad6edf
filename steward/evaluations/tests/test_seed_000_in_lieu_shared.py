"""Connecticut (seed 000), the two gaps of issue 22: a report accepted in lieu of the evaluation
form is shared with the provider as the form would be ("this form ... should be shared with
providers"); and the acceptance can cover a provider's whole report card for a period ("a
number of POS agencies have report cards ... OPM would consider the submittal of these reports
in lieu of the form"), not one contract. Through the services, the API and the pages."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from steward.contracts.models import DueDate
from steward.core.errors import ValidationFailed
from steward.core.tests.api_support import call, session_client
from steward.evaluations import services
from steward.evaluations.tests.factories import completed_contract
from steward.parties.models import Role

pytestmark = pytest.mark.django_db


def _card(contract, manager, **over):
    data = {
        "kind": "report_card",
        "title": "FY2026 provider report card",
        "upload": SimpleUploadedFile("card.pdf", b"%PDF-1.4\n% card\n", "application/pdf"),
        "today": date(2026, 8, 10),
    }
    data.update(over)
    return services.in_lieu_submit(actor=manager, contract=contract, **data)


@pytest.fixture
def contracts(manager, provider, other_provider):
    """Three of the provider's contracts with the agency completed on 30 June 2026, one of
    another provider's, one of the provider's completed later (outside the period)."""
    mine = [completed_contract(manager, provider=provider, number=f"DCF-26-{n}") for n in (1, 2, 3)]
    theirs = completed_contract(manager, provider=other_provider, number="DCF-26-OTHER")
    return mine, theirs


def test_seed_000_accepted_report_shared_with_the_provider(
    media, closed, manager, officer, provider_user, make_user, other_provider
):
    """Seed 000: once accepted, the report in lieu is shared with the provider (its page, the
    file, the API list and its past performance), as the evaluation form would be; not while
    it awaits the decision, and never with another provider."""
    report = _card(closed, manager)
    mine = session_client(provider_user)
    assert call(mine, "get", "/evaluations/in-lieu").json()["items"] == []
    assert mine.get(f"/evaluations/in-lieu/{report.pk}/").status_code == 404
    assert not provider_user.has_perm("evaluations.view_in_lieu", report)
    services.in_lieu_decide(
        actor=officer, report=report, accept=True, reason="", today=date(2026, 8, 20)
    )
    report.refresh_from_db()
    assert provider_user.has_perm("evaluations.view_in_lieu", report)
    listed = call(mine, "get", "/evaluations/in-lieu").json()["items"]
    assert [r["id"] for r in listed] == [report.pk]
    history = call(mine, "get", f"/providers/{closed.provider_id}/past-performance").json()
    assert [r["id"] for r in history["in_lieu"]] == [report.pk]
    page = mine.get(f"/evaluations/in-lieu/{report.pk}/")
    assert page.status_code == 200 and b"FY2026 provider report card" in page.content
    assert b"Your decision" not in page.content
    assert mine.get(f"/evaluations/in-lieu/{report.pk}/file/").status_code == 200
    other = make_user(Role.PROVIDER_USER, username="other-user", provider=other_provider)
    assert call(session_client(other), "get", "/evaluations/in-lieu").json()["items"] == []
    assert session_client(other).get(f"/evaluations/in-lieu/{report.pk}/").status_code == 404


def test_seed_000_report_card_covers_the_providers_contracts_for_a_period(
    media, contracts, manager, officer
):
    """Seed 000: a report card for a period, accepted, stands for the evaluation of each of
    the provider's contracts with the agency whose evaluation falls due from the period (all
    three completed on 30 June 2026), on the day it was submitted; not another provider's,
    nor one outside the period."""
    mine, theirs = contracts
    report = _card(mine[0], manager, period_start=date(2025, 7, 1), period_end=date(2026, 6, 30))
    assert {d.contract_id for d in services.in_lieu_covers(report)} == {c.pk for c in mine}
    services.in_lieu_decide(
        actor=officer, report=report, accept=True, reason="", today=date(2026, 8, 20)
    )
    closeouts = DueDate.objects.filter(kind="closeout_evaluation")
    for contract in mine:
        due = closeouts.get(contract=contract)
        assert (due.status, due.completed_on, due.met_by_id) == (
            "done",
            date(2026, 8, 10),
            report.pk,
        )
    assert closeouts.get(contract=theirs).status == "open"


def test_seed_000_report_card_period_outside_leaves_the_evaluations_due(
    media, contracts, manager, officer
):
    """Seed 000: a report card for an earlier period covers no evaluation falling due later
    (only the one it was submitted for, as before)."""
    mine, _ = contracts
    report = _card(mine[0], manager, period_start=date(2024, 7, 1), period_end=date(2025, 6, 30))
    assert list(services.in_lieu_covers(report)) == []
    services.in_lieu_decide(
        actor=officer, report=report, accept=True, reason="", today=date(2026, 8, 20)
    )
    states = dict(
        DueDate.objects.filter(kind="closeout_evaluation").values_list("contract_id", "status")
    )
    assert states[mine[0].pk] == "done"
    assert states[mine[1].pk] == states[mine[2].pk] == "open"


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (date(2025, 7, 1), None, "period_end"),
        (None, date(2026, 6, 30), "period_start"),
        (date(2026, 6, 30), date(2025, 7, 1), "period_end"),
        (date(2026, 7, 1), date(2026, 8, 11), "period_end"),
    ],
)
def test_seed_000_report_card_period_is_whole(media, closed, manager, start, end, field):
    """Seed 000: a report card's period has both days, in order, and has ended (422)."""
    with pytest.raises(ValidationFailed) as refused:
        _card(closed, manager, period_start=start, period_end=end)
    assert field in refused.value.errors


def test_seed_000_report_card_through_the_api_and_page(media, client, contracts, manager, officer):
    """Seed 000 through the API: the report card is submitted with its period (201), the
    oversight officer sees on its page which contracts it would stand for, and accepting it
    through the API meets each of them."""
    mine, theirs = contracts
    staff = session_client(manager)
    response = staff.post(
        f"/api/v1/contracts/{mine[0].pk}/in-lieu",
        {
            "kind": "report_card",
            "title": "Provider report card FY2026",
            "link": "https://example.gov/card.pdf",
            "period_start": "2025-07-01",
            "period_end": "2026-06-30",
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["period_start"], data["period_end"]) == ("2025-07-01", "2026-06-30")
    client.force_login(officer)
    page = client.get(f"/evaluations/in-lieu/{data['id']}/").content.decode()
    assert "Would stand for the evaluation of" in page
    assert all(c.number in page for c in mine) and theirs.number not in page
    decided = call(
        session_client(officer),
        "post",
        f"/evaluations/in-lieu/{data['id']}/decision",
        {"accept": True},
    )
    assert decided.status_code == 200, decided.content
    open_left = DueDate.objects.filter(kind="closeout_evaluation", contract__in=mine, status="open")
    assert not open_left.exists()
    page = client.get(f"/evaluations/in-lieu/{data['id']}/").content.decode()
    assert "Stands for the evaluation of" in page
