"""The performance pages: who may open them, the provider's return form, corrections with a
reason, the library, the import page, and bounded queries whatever the number of rows."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from steward.parties.models import Role
from steward.performance import services
from steward.performance.models import IndicatorDefinition, IndicatorValue, Return
from steward.performance.tests.factories import with_plan
from steward.testing.factories import ContractFactory, UserFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def setup(contract, manager):
    indicators = with_plan(contract, manager)
    return contract, indicators


def _q1(contract):
    return Return.objects.get(contract=contract, period_start=date(2026, 1, 1))


ROLE_PAGES = [
    # role, contract page, indicator form, return page
    (Role.CONTRACT_MANAGER, 200, 200, 200),
    (Role.CONTRACT_MONITOR, 200, 200, 200),
    (Role.FINANCE_OFFICER, 200, 403, 200),
    (Role.OVERSIGHT_OFFICER, 200, 403, 200),
    (Role.PROVIDER_USER, 200, 403, 200),
]


@pytest.mark.parametrize(("role", "page", "form", "ret"), ROLE_PAGES)
def test_page_permissions_own_contract(setup, make_user, role, page, form, ret):
    contract, _ = setup
    client = signed_in(make_user(role))
    assert client.get(reverse("performance:contract", args=[contract.pk])).status_code == page
    assert client.get(reverse("performance:indicator_new", args=[contract.pk])).status_code == form
    assert client.get(reverse("performance:plan", args=[contract.pk])).status_code == form
    assert client.get(reverse("performance:return", args=[_q1(contract).pk])).status_code == ret


def test_another_provider_or_agency_gets_404(setup, make_user, other_provider, other_agency):
    contract, _ = setup
    for user in (
        make_user(Role.PROVIDER_USER, provider=other_provider),
        make_user(Role.CONTRACT_MANAGER, agency=other_agency),
    ):
        client = signed_in(user)
        assert client.get(reverse("performance:contract", args=[contract.pk])).status_code == 404
        assert client.get(reverse("performance:return", args=[_q1(contract).pk])).status_code == 404


def test_provider_submits_a_return_from_its_own_view(setup, make_user):
    contract, (a, b) = setup
    client = signed_in(make_user(Role.PROVIDER_USER))
    url = reverse("performance:return", args=[_q1(contract).pk])
    page = client.get(url).content.decode()
    assert "Submit the return" in page and a.name in page
    bad = client.post(url, {f"indicator_{a.pk}": "150", "referrals": "2"})
    assert bad.status_code == 200 and "A percentage is from 0 to 100." in bad.content.decode()
    negative = client.post(url, {f"indicator_{a.pk}": "93", f"indicator_{b.pk}": "-3"})
    page = negative.content.decode()
    assert "A number of days cannot be negative." in page
    assert f'name="indicator_{b.pk}" value="-3"' in page  # what the person typed is kept
    response = client.post(
        url, {f"indicator_{a.pk}": "93", f"indicator_{b.pk}": "8", "units_delivered": "300"}
    )
    assert response.status_code == 302
    assert IndicatorValue.objects.filter(ret=_q1(contract)).count() == 2
    html = client.get(reverse("performance:contract", args=[contract.pk])).content.decode()
    assert "93" in html and "Met" in html


def test_a_correction_on_the_page_needs_a_reason(setup, manager):
    contract, (a, _) = setup
    ret = _q1(contract)
    services.return_submit(actor=manager, ret=ret, values={a.pk: "80"}, on=date(2026, 4, 1))
    client = signed_in(manager)
    url = reverse("performance:return", args=[ret.pk])
    missing = client.post(url, {f"indicator_{a.pk}": "85"})
    assert missing.status_code == 200 and "This field is required" in missing.content.decode()
    done = client.post(url, {f"indicator_{a.pk}": "85", "reason": "Data entry error"})
    assert done.status_code == 302
    value = IndicatorValue.objects.get(ret=ret, indicator=a)
    assert str(value.value) == "85.00"
    assert value.history.first().history_change_reason == "Correction: Data entry error"


def test_manager_adds_an_indicator_and_the_library(setup, manager):
    contract, _ = setup
    client = signed_in(manager)
    response = client.post(
        reverse("performance:library"),
        {
            "name": "Leavers in work",
            "category": "outcome",
            "question": "better_off",
            "unit": "count",
            "direction": "higher",
            "frequency": "quarterly",
        },
    )
    assert response.status_code == 302
    definition = IndicatorDefinition.objects.get(name="Leavers in work")
    response = client.post(
        reverse("performance:indicator_new", args=[contract.pk]),
        {"library": definition.pk, "target": "12", "tolerance": "2", "payment_weight": "0"},
    )
    assert response.status_code == 302, response.content.decode()
    assert contract.indicators.filter(name="Leavers in work", category="outcome").exists()
    dup = client.post(
        reverse("performance:indicator_new", args=[contract.pk]),
        {"library": definition.pk, "target": "12", "tolerance": "2", "payment_weight": "0"},
    )
    assert dup.status_code == 200 and "already has an indicator" in dup.content.decode()


def test_portfolio_is_internal_and_bounded(
    setup, make_user, agency, provider, django_assert_max_num_queries
):
    assert (
        signed_in(make_user(Role.PROVIDER_USER)).get(reverse("performance:portfolio")).status_code
        == 403
    )
    client = signed_in(make_user(Role.CONTRACT_MANAGER))
    with django_assert_max_num_queries(14) as small:
        assert client.get(reverse("performance:portfolio")).status_code == 200
    admin = UserFactory(role=Role.ADMINISTRATOR, agency=None)
    for _ in range(12):
        with_plan(ContractFactory(agency=agency, provider=provider, status="active"), admin)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("performance:portfolio"))
    assert response.content.decode().count("performance/contracts/") >= 13


def test_contract_page_queries_do_not_grow_with_returns(
    setup, manager, django_assert_max_num_queries
):
    contract, (a, b) = setup
    client = signed_in(manager)
    url = reverse("performance:contract", args=[contract.pk])
    with django_assert_max_num_queries(40) as before:
        client.get(url)
    for ret in Return.objects.filter(contract=contract, period_end__lt=date(2026, 11, 1)):
        services.return_submit(
            actor=manager, ret=ret, values={a.pk: "91", b.pk: "11"}, on=ret.due_on
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        html = client.get(url).content.decode()
    assert "<svg" in html and "Within tolerance" in html


def test_import_page(setup, manager):
    contract, (a, _) = setup
    client = signed_in(manager)
    body = f"Contract,Period start,Indicator,Value\n{contract.number},2026-01-01,{a.name},91%\n"
    # issue 20: the import runs as a background job; the page answers with the job's page
    response = client.post(
        reverse("performance:import"),
        {"file": SimpleUploadedFile("r.csv", body.encode())},
        follow=True,
    )
    assert response.redirect_chain[-1][0].startswith("/jobs/")
    assert response.status_code == 200 and "imported 1 new values" in response.content.decode()
    assert IndicatorValue.objects.get(indicator=a).value == 91
    check = body.replace("91%", "95%")
    response = client.post(
        reverse("performance:import"),
        {"file": SimpleUploadedFile("r.csv", check.encode()), "dry_run": "1"},
        follow=True,
    )
    assert response.redirect_chain[-1][0].startswith("/jobs/")  # the check is a job too
    assert response.context["job"].params["dry_run"]
    assert IndicatorValue.objects.get(indicator=a).value == 91  # nothing written
    bad = "Contract,Period start,Indicator,Value\nNOPE,2026-01-01,x,1\n"
    response = client.post(
        reverse("performance:import"),
        {"file": SimpleUploadedFile("r.csv", bad.encode())},
        follow=True,
    )
    assert "no contract &#x27;NOPE&#x27;" in response.content.decode()


def test_provider_page_shows_charts(setup, manager, provider):
    contract, (a, _) = setup
    services.return_submit(
        actor=manager, ret=_q1(contract), values={a.pk: "91"}, on=date(2026, 4, 1)
    )
    html = (
        signed_in(manager)
        .get(reverse("directory:provider_detail", args=[provider.slug]))
        .content.decode()
    )
    assert "Performance over time" in html and a.name in html


def test_contract_page_shows_the_charts(setup, manager, make_user, other_agency):
    contract, (a, _) = setup
    services.return_submit(
        actor=manager, ret=_q1(contract), values={a.pk: "91"}, on=date(2026, 4, 1)
    )
    html = signed_in(manager).get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert 'id="performance-panel"' in html and "<svg" in html and a.name in html
    # another agency's staff cannot open the contract at all
    other = signed_in(make_user(Role.CONTRACT_MANAGER, agency=other_agency))
    assert other.get(reverse("contracts:detail", args=[contract.pk])).status_code == 404


def test_evidence_is_uploaded_and_downloaded_by_those_who_may_see_it(
    setup, make_user, other_provider, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    contract, _ = setup
    ret = _q1(contract)
    client = signed_in(make_user(Role.PROVIDER_USER))
    url = reverse("performance:return", args=[ret.pk])
    refused = client.post(url, {"title": "", "file": SimpleUploadedFile("x.exe", b"MZ")})
    assert refused.status_code == 200 and "not accepted" in refused.content.decode()
    done = client.post(url, {"title": "Register", "file": SimpleUploadedFile("r.csv", b"a,b\n")})
    assert done.status_code == 302
    evidence = ret.evidence.get()
    download = reverse("performance:evidence", args=[evidence.pk])
    assert b"".join(client.get(download).streaming_content) == b"a,b\n"
    stranger = signed_in(make_user(Role.PROVIDER_USER, provider=other_provider))
    assert stranger.get(download).status_code == 404
