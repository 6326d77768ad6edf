"""Optimistic concurrency on indicators (issue 19 point 6; docs/security.md §6): the API's
ETag / If-Match and the edit page's hidden version refuse a stale save instead of silently
undoing someone else's change to a target."""

from __future__ import annotations

from decimal import Decimal

import pytest

from steward.core.tests.api_support import session_client
from steward.parties.models import Role
from steward.performance import services
from steward.performance.models import Indicator
from steward.performance.tests.factories import indicator_data
from steward.testing.factories import ContractFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(make_user):
    return make_user(
        Role.CONTRACT_MONITOR, username="colleague", first_name="Dana", last_name="Reyes"
    )


@pytest.fixture
def indicator(agency, provider, manager):
    contract = ContractFactory(agency=agency, provider=provider, status="active")
    return services.indicator_save(actor=manager, contract=contract, data=indicator_data())


def test_api_stale_indicator_patch_is_412(indicator, manager, colleague):
    """Seed 001: two people change the same target; the second, from the older ETag, is
    refused and the first change stands."""
    url = f"/api/v1/performance/indicators/{indicator.pk}"
    etag = f'"{indicator.version}"'
    first = session_client(colleague).patch(
        url, {"target": "95"}, content_type="application/json", headers={"If-Match": etag}
    )
    assert first.status_code == 200, first.content
    second = session_client(manager).patch(
        url, {"target": "80"}, content_type="application/json", headers={"If-Match": etag}
    )
    assert second.status_code == 412
    assert second.json()["code"] == "stale_edit"
    assert Indicator.objects.get(pk=indicator.pk).target == Decimal("95")


def _form_data(client, url):
    form = client.get(url).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if hasattr(value, "pk"):
            value = value.pk
        data[name] = "" if value is None else value
    return data


def test_page_stale_indicator_save_shows_the_other_change(indicator, manager, colleague):
    """Seed 001: on the indicator's page, the second save names who changed the target and
    keeps the person's input; saving again from the current version succeeds."""
    url = f"/performance/indicators/{indicator.pk}/"
    ours, theirs = session_client(manager), session_client(colleague)
    our_form, their_form = _form_data(ours, url), _form_data(theirs, url)
    assert our_form["version"] == indicator.version
    their_form["target"] = "95"
    assert theirs.post(url, their_form).status_code == 302
    our_form["tolerance"] = "7"
    response = ours.post(url, our_form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "changed by Dana Reyes" in page
    assert "95" in page
    fresh = Indicator.objects.get(pk=indicator.pk)
    assert (fresh.target, fresh.tolerance) == (Decimal("95"), Decimal("5"))
    our_form["version"] = indicator.version + 1
    our_form["target"] = "95"
    assert ours.post(url, our_form).status_code == 302
    assert Indicator.objects.get(pk=indicator.pk).tolerance == Decimal("7")


@pytest.fixture
def contract(agency, provider):
    return ContractFactory(agency=agency, provider=provider, status="executed")


def test_api_stale_specification_put_is_412(contract, manager, colleague):
    """Seed 001: the service specification, set by two people from the same read."""
    services.specification_save(
        actor=manager, contract=contract, service_standards="Visits weekly.", outcomes=""
    )
    url = f"/api/v1/performance/contracts/{contract.pk}/specification"
    etag = session_client(manager).get(url)["ETag"]
    body = {"service_standards": "Visits twice a week.", "outcomes": ""}
    first = session_client(colleague).put(
        url, body, content_type="application/json", headers={"If-Match": etag}
    )
    assert first.status_code == 200, first.content
    assert first["ETag"] != etag
    second = session_client(manager).put(
        url,
        {"service_standards": "Visits monthly.", "outcomes": ""},
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert second.status_code == 412
    assert "Visits twice a week." in second.json()["detail"]


def test_api_and_page_stale_plan_save_is_refused(contract, manager, colleague):
    """Seed 001: the Performance Evaluation Plan's row version (not its proposal number) guards
    the API (412) and the page (the other change named, the input kept)."""
    services.plan_save(
        actor=manager, contract=contract, data={"desired_outcomes": "Fewer children in care"}
    )
    url = f"/api/v1/performance/contracts/{contract.pk}/plan"
    read = session_client(manager).get(url)
    etag = read["ETag"]
    body = {k: v for k, v in read.json().items() if k in {"desired_outcomes"}}
    first = session_client(colleague).put(
        url,
        {**body, "desired_outcomes": "Children safe at home"},
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert first.status_code == 200, first.content
    second = session_client(manager).put(
        url,
        {**body, "desired_outcomes": "Something else"},
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert second.status_code == 412, second.content

    page = f"/performance/contracts/{contract.pk}/plan/"
    ours, theirs = session_client(manager), session_client(colleague)
    our_form, their_form = _form_data(ours, page), _form_data(theirs, page)
    their_form["desired_outcomes"] = "Families stay together"
    assert theirs.post(page, their_form).status_code == 302
    our_form["agreed_expectations"] = "Quarterly returns"
    response = ours.post(page, our_form)
    assert response.status_code == 200
    assert "changed by Dana Reyes" in response.content.decode()
    assert "Quarterly returns" in response.content.decode()
