"""Optimistic concurrency (issue 19 point 6): a version on every record people edit, an ETag on
the API, If-Match honoured, and a stale save refused — 412 on the API, a clear message with the
other person's change on the page, the person's input kept."""

from __future__ import annotations

import pytest

from steward.contracts.models import Contract
from steward.core.tests.api_support import call, session_client
from steward.parties.models import Role
from steward.testing.factories import ContractFactory


@pytest.fixture
def draft(agency, provider):
    return ContractFactory(agency=agency, provider=provider, status="draft", title="First title")


@pytest.fixture
def colleague(make_user):
    return make_user(
        Role.CONTRACT_MANAGER, username="colleague", first_name="Dana", last_name="Reyes"
    )


def test_every_save_moves_the_version_on(draft, manager):
    from steward.contracts.services import contract_update

    assert draft.version == 1
    contract_update(actor=manager, contract=draft, data={"title": "Second"})
    assert Contract.objects.get(pk=draft.pk).version == 2


def test_api_detail_and_patch_carry_the_etag(draft, manager):
    client = session_client(manager)
    response = call(client, "get", f"/contracts/{draft.pk}")
    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    response = client.patch(
        f"/api/v1/contracts/{draft.pk}",
        {"title": "Changed"},
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.json()
    assert response["ETag"] == '"2"'


def test_api_stale_if_match_is_412_and_nothing_is_written(draft, manager, colleague):
    """Two people read version 1; the colleague saves first; the second save is refused."""
    ours, theirs = session_client(manager), session_client(colleague)
    etag = call(ours, "get", f"/contracts/{draft.pk}")["ETag"]
    first = theirs.patch(
        f"/api/v1/contracts/{draft.pk}",
        {"title": "Their title"},
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert first.status_code == 200
    second = ours.patch(
        f"/api/v1/contracts/{draft.pk}",
        {"title": "Our title"},
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert second.status_code == 412
    body = second.json()
    assert body["code"] == "stale_edit"
    assert set(body) == {"detail", "code", "errors"}
    assert "Dana Reyes" in body["detail"]
    assert "Their title" in body["detail"]
    assert second["ETag"] == '"2"'
    assert Contract.objects.get(pk=draft.pk).title == "Their title"


def test_api_without_if_match_still_saves(draft, manager):
    response = call(session_client(manager), "patch", f"/contracts/{draft.pk}", {"title": "X"})
    assert response.status_code == 200


def test_api_malformed_if_match_is_412(draft, manager):
    response = session_client(manager).patch(
        f"/api/v1/contracts/{draft.pk}",
        {"title": "X"},
        content_type="application/json",
        headers={"If-Match": "garbage"},
    )
    assert response.status_code == 412
    assert response.json()["code"] == "stale_edit"


def _form_data(client, url):
    form = client.get(url).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            value = ""
        if hasattr(value, "pk"):
            value = value.pk
        data[name] = value
    return data


def test_page_stale_save_shows_the_other_change_and_keeps_the_input(draft, manager, colleague):
    url = f"/contracts/{draft.pk}/edit/"
    ours, theirs = session_client(manager), session_client(colleague)
    our_form = _form_data(ours, url)
    their_form = _form_data(theirs, url)
    assert our_form["version"] == 1
    their_form["title"] = "Their title"
    assert theirs.post(url, their_form).status_code == 302
    our_form["description"] = "Our careful description"
    response = ours.post(url, our_form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "changed by Dana Reyes" in page
    assert "Their title" in page
    assert "Our careful description" in page  # the person's input is kept
    assert response.context["form"]["version"].value() == "2"
    draft.refresh_from_db()
    assert draft.title == "Their title"
    assert draft.description != "Our careful description"
    # saving again, after seeing the other change, succeeds
    our_form["version"] = 2
    our_form["title"] = "Their title"
    assert ours.post(url, our_form).status_code == 302
    draft.refresh_from_db()
    assert draft.description == "Our careful description"


def _stale_patch(url, body_first, body_second, manager, colleague):
    ours, theirs = session_client(manager), session_client(colleague)
    read = ours.get(url)
    assert read.status_code == 200, read.content
    etag = read["ETag"]
    first = theirs.patch(
        url, body_first, content_type="application/json", headers={"If-Match": etag}
    )
    assert first.status_code == 200, first.content
    assert first["ETag"] != etag
    return ours.patch(url, body_second, content_type="application/json", headers={"If-Match": etag})


def test_api_provider_stale_edit_is_412(manager, colleague):
    from steward.parties.services import provider_create

    # added by the managers' own agency, which therefore keeps its identity (issue 19 point 2)
    provider = provider_create(actor=manager, data={"legal_name": "Harbor Youth Alliance"})
    url = f"/api/v1/providers/{provider.slug}"
    response = _stale_patch(url, {"city": "Hartford"}, {"city": "Boston"}, manager, colleague)
    assert response.status_code == 412
    provider.refresh_from_db()
    assert provider.city == "Hartford"


def test_api_concern_stale_edit_is_412(contract, manager, colleague):
    from steward.risk import services
    from steward.risk.tests.test_risk_signals_and_services import _data

    concern = services.concern_log(
        actor=manager,
        agency=contract.agency,
        provider=contract.provider,
        data=_data(contract.agency, contract=contract),
    )
    url = f"/api/v1/concerns/{concern.pk}"
    response = _stale_patch(url, {"severity": "high"}, {"severity": "low"}, manager, colleague)
    assert response.status_code == 412, response.content
