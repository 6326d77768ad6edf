"""Pages of the concerns log and risk: permissions, identity hidden from providers, query
budgets, analysis chart and XLSX (seed 003; DOMAIN.md §1)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from steward.core.tests.api_support import session_client
from steward.parties.models import Role
from steward.risk import services
from steward.risk.models import Concern, RiskAssessment
from steward.risk.tests.factories import category, make_concern
from steward.testing.factories import ContractFactory

DAY = date(2026, 6, 1)


@pytest.fixture
def world(agency, other_agency, provider, other_provider, packs):
    own = ContractFactory(agency=agency, provider=provider, status="active")
    other = ContractFactory(agency=other_agency, provider=other_provider, status="active")
    services.recompute(as_of=DAY)
    return {
        "own": own,
        "other": other,
        "own_concern": make_concern(agency, provider, own, received_on=DAY),
        "other_concern": make_concern(other_agency, other_provider, other, received_on=DAY),
    }


def _urls(world, org):
    c = world[org]
    concern = world[f"{org}_concern"]
    return {
        "portfolio": "/risk/",
        "analysis": "/risk/analysis/",
        "concerns": "/risk/concerns/",
        "concern": f"/risk/concerns/{concern.pk}/",
        "concern_edit": f"/risk/concerns/{concern.pk}/edit/",
        "concern_new": "/risk/concerns/new/",
        "contract_risk": f"/risk/contracts/{c.pk}/",
        "provider_risk": f"/risk/providers/{c.provider.slug}/",
    }


# page           manager  monitor  senior   finance  oversight provider
PAGES = """
portfolio        200/200  200/200  200/200  200/200  200/200   404/404
analysis         200/200  200/200  200/200  200/200  200/200   404/404
concerns         200/200  200/200  200/200  200/200  200/200   200/200
concern          200/404  200/404  200/404  200/404  200/200   200/404
concern_edit     200/404  200/404  200/404  403/404  403/403   403/404
concern_new      200/200  200/200  200/200  403/403  403/403   403/403
contract_risk    200/404  200/404  200/404  200/404  200/200   404/404
provider_risk    200/200  200/200  200/200  200/200  200/200   404/404
"""
ROLES = [
    Role.CONTRACT_MANAGER,
    Role.CONTRACT_MONITOR,
    Role.SENIOR_MANAGER,
    Role.FINANCE_OFFICER,
    Role.OVERSIGHT_OFFICER,
    Role.PROVIDER_USER,
]
CASES = [
    pytest.param(page, role, org, int(cell.split("/")[i]), id=f"{page}-{role}-{org}")
    for line in PAGES.strip().splitlines()
    for page, *cells in [line.split()]
    for role, cell in zip(ROLES, cells, strict=True)
    for i, org in enumerate(("own", "other"))
]


@pytest.mark.parametrize(("page", "role", "org", "expected"), CASES)
def test_page_matrix(world, make_user, page, role, org, expected):
    response = session_client(make_user(role)).get(_urls(world, org)[page])
    assert response.status_code == expected


def test_anonymous_redirected(world):
    for url in _urls(world, "own").values():
        assert Client().get(url).status_code == 302


def test_provider_page_never_shows_who_raised_it(world, make_user):
    """seed 003: provider users never see who raised a concern (pages)."""
    client = session_client(make_user(Role.PROVIDER_USER))
    concern = world["own_concern"]
    for url in (f"/risk/concerns/{concern.pk}/", "/risk/concerns/"):
        html = client.get(url).content.decode()
        assert concern.summary in html
        assert "CASE-0001" not in html
        assert "Family or carer" not in html
        assert "Telephone" not in html
    assert "Harbor Youth Alliance" not in client.get("/risk/concerns/").content.decode()
    staff = session_client(make_user(Role.CONTRACT_MONITOR))
    assert "CASE-0001" in staff.get(f"/risk/concerns/{concern.pk}/").content.decode()


def test_contract_panel_internal_only(world, make_user):
    """Risk is internal: the contract page shows the risk panel to agency staff only; seed 003:
    the provider's own users get the provider's panel instead (the current rating and factors,
    to comment on their facts), never the internal one (concerns, score, override reason)."""
    url = f"/contracts/{world['own'].pk}/"
    assert (
        'id="risk-panel"'
        in session_client(make_user(Role.CONTRACT_MONITOR)).get(url).content.decode()
    )
    provider_html = session_client(make_user(Role.PROVIDER_USER)).get(url).content.decode()
    assert 'id="risk-panel"' not in provider_html
    assert 'id="risk-provider-panel"' in provider_html


def test_log_concern_page(world, make_user, agency, provider):
    client = session_client(make_user(Role.CONTRACT_MONITOR))
    bad = client.post("/risk/concerns/new/", {"provider": provider.pk})
    assert bad.status_code == 200 and "There is a problem" in bad.content.decode()
    response = client.post(
        "/risk/concerns/new/",
        {
            "provider": provider.pk,
            "contract": world["own"].pk,
            "kind": "complaint",
            "received_on": timezone.localdate().isoformat(),
            "source": "family",
            "channel": "phone",
            "category": category(agency, "safeguarding").pk,
            "severity": "critical",
            "summary": "Missing medication record",
            "description": "MAR chart missing for three days.",
            "wants_action": "on",
            "complainant_reference": "CASE-9",
            "status": "open",
        },
    )
    concern = Concern.objects.get(summary="Missing medication record")
    assert response.status_code == 302
    assert (
        RiskAssessment.objects.filter(contract=world["own"])
        .first()
        .signals["high_severity_concerns"]
        >= 1
    )
    referral = client.post(
        f"/risk/concerns/{concern.pk}/referrals/",
        {"party": "safeguarding", "referred_on": concern.received_on.isoformat()},
    )
    assert referral.status_code == 302 and concern.referrals.count() == 1


def test_override_page(world, make_user):
    manager = session_client(make_user(Role.CONTRACT_MANAGER))
    pk = world["own"].pk
    manager.post(f"/risk/contracts/{pk}/override/", {"rating": "red", "reason": "Whistleblower"})
    assert RiskAssessment.objects.filter(contract_id=pk).first().rating == "red"
    monitor = session_client(make_user(Role.CONTRACT_MONITOR))
    assert (
        monitor.post(
            f"/risk/contracts/{pk}/override/", {"rating": "green", "reason": "x"}
        ).status_code
        == 403
    )


def test_analysis_chart_table_and_xlsx(world, make_user):
    from openpyxl import load_workbook

    client = session_client(make_user(Role.CONTRACT_MANAGER))
    html = client.get("/risk/analysis/?by=source").content.decode()
    assert "<svg" in html and "Family or carer" in html
    response = client.get("/risk/analysis/?by=category&format=xlsx")
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in ws[1]] == ["Category", "Concerns"]
    assert ws.cell(row=2, column=2).value == 1


def test_ratings_have_their_colour_and_their_word_and_the_counts_open_the_contracts(
    world, make_user
):
    """seed 003 ratings: red, amber and green each say their name in text and carry their own
    colour (never colour alone); each count on the portfolio opens the contracts it counts."""
    manager = session_client(make_user(Role.CONTRACT_MANAGER))
    pk = world["own"].pk
    manager.post(f"/risk/contracts/{pk}/override/", {"rating": "red", "reason": "Whistleblower"})
    html = manager.get("/risk/").content.decode()
    assert '<a href="/risk/?rating=red">' in html and "1 contract</a>" in html
    assert '<span class="usa-tag steward-rag steward-rag--red">Red</span>' in html
    contract_page = manager.get(f"/risk/contracts/{pk}/").content.decode()
    assert "steward-rag--red" in contract_page
    only_red = manager.get("/risk/?rating=red").content.decode()
    assert f'/risk/contracts/{pk}/">' in only_red
    only_green = manager.get("/risk/?rating=green").content.decode()
    assert f'/risk/contracts/{pk}/">' not in only_green
    assert "1 contract</a>" in only_green  # the counts still count every rating


def test_filters_offer_only_what_the_person_may_see(world, make_user, provider, other_provider):
    """A single-agency user is not offered every agency and every provider in the system: no
    agency filter at all, and only the providers of the contracts they may see."""
    manager = session_client(make_user(Role.CONTRACT_MANAGER))
    for path in ("/risk/", "/risk/concerns/", "/risk/analysis/"):
        html = manager.get(path).content.decode()
        assert 'name="agency"' not in html
        assert provider.legal_name in html and other_provider.legal_name not in html, path
    oversight = session_client(make_user(Role.OVERSIGHT_OFFICER))
    html = oversight.get("/risk/").content.decode()
    assert 'name="agency"' in html and other_provider.legal_name in html


def test_portfolio_query_budget(world, make_user, agency, provider, django_assert_max_num_queries):
    ContractFactory.create_batch(30, agency=agency, provider=provider, status="active")
    services.recompute(as_of=DAY)
    client = session_client(make_user(Role.CONTRACT_MANAGER))
    with django_assert_max_num_queries(14):
        response = client.get("/risk/?rating=green")
    assert response.status_code == 200


def test_concern_list_query_budget(
    world, make_user, agency, provider, django_assert_max_num_queries
):
    for i in range(40):
        make_concern(agency, provider, None, received_on=date(2026, 5, 1 + i % 28))
    client = session_client(make_user(Role.CONTRACT_MANAGER))
    with django_assert_max_num_queries(14):
        assert client.get("/risk/concerns/").status_code == 200


def test_provider_section_tag_internal_only(world, make_user, rf, provider):
    """The provider page include shows ratings across agencies to agency staff only."""
    from django.template import Context, Template

    tpl = Template("{% load risk_tags %}{% provider_risk_section provider %}")
    for role, shown in ((Role.CONTRACT_MONITOR, True), (Role.PROVIDER_USER, False)):
        request = rf.get("/")
        request.user = make_user(role)
        html = tpl.render(Context({"request": request, "provider": provider}))
        assert ('id="provider-risk"' in html) is shown
