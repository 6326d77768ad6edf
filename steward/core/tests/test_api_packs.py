"""API: policy packs — list, detail with rules, copy, edit (PUT) and history."""

from __future__ import annotations

import copy

import pytest

from steward.core.models import PolicyPack
from steward.core.tests.api_support import call, session_client
from steward.parties.models import Role


@pytest.fixture
def oversight(make_user):
    return make_user(Role.OVERSIGHT_OFFICER)


@pytest.fixture
def local_pack(oversight, packs):
    response = call(
        session_client(oversight),
        "post",
        "/packs/connecticut-opm/copy",
        {"slug": "ct-local", "name": "Connecticut (local)"},
    )
    assert response.status_code == 201, response.content
    return PolicyPack.objects.get(slug="ct-local")


def test_pack_list_names_every_pack_without_rules(manager, packs, django_assert_max_num_queries):
    client = session_client(manager)
    with django_assert_max_num_queries(6):
        body = call(client, "get", "/packs").json()
    assert {p["slug"] for p in body} == set(packs)
    assert all("rules" not in p for p in body)
    assert all(p["shipped"] for p in body)


def test_pack_detail_gives_the_full_rules(manager, packs):
    body = call(session_client(manager), "get", "/packs/connecticut-opm").json()
    assert body["rules"] == packs["connecticut-opm"].rules
    assert body["seed"] == "000"


def test_unknown_pack_is_404(manager, packs):
    response = call(session_client(manager), "get", "/packs/atlantis")
    assert response.status_code == 404
    assert response.json()["detail"] == "No policy pack 'atlantis'."


def test_copy_makes_an_editable_pack(local_pack, packs):
    assert local_pack.shipped is False
    assert local_pack.copied_from == packs["connecticut-opm"]
    assert local_pack.rules["slug"] == "ct-local"


def test_copy_to_a_taken_slug_is_422_on_slug(oversight, local_pack):
    response = call(
        session_client(oversight),
        "post",
        "/packs/connecticut-opm/copy",
        {"slug": "ct-local", "name": "Again"},
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["slug"]
    assert PolicyPack.objects.filter(name="Again").count() == 0


def test_copy_with_a_malformed_slug_is_422_naming_slug(oversight, packs):
    response = call(
        session_client(oversight),
        "post",
        "/packs/connecticut-opm/copy",
        {"slug": "Not A Slug", "name": "X"},
    )
    assert response.status_code == 422
    assert "slug" in response.json()["errors"]
    assert not PolicyPack.objects.filter(name="X").exists()


def test_put_replaces_rules_and_bumps_version(oversight, local_pack):
    rules = copy.deepcopy(local_pack.rules)
    rules["deadlines"]["closeout_evaluation"]["days"] = 45
    response = call(
        session_client(oversight),
        "put",
        "/packs/ct-local",
        {"rules": rules, "reason": "Local policy: 45 days"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == 2
    assert body["rules"]["deadlines"]["closeout_evaluation"]["days"] == 45


def test_put_with_bad_rules_is_422_naming_the_rule_and_writes_nothing(oversight, local_pack):
    rules = copy.deepcopy(local_pack.rules)
    rules["deadlines"]["closeout_evaluation"]["days"] = "sixty"
    response = call(
        session_client(oversight), "put", "/packs/ct-local", {"rules": rules, "reason": "Oops"}
    )
    assert response.status_code == 422
    assert "deadlines.closeout_evaluation.days" in response.json()["detail"]
    local_pack.refresh_from_db()
    assert local_pack.version == 1


def test_put_without_reason_is_422_on_reason(oversight, local_pack):
    response = call(
        session_client(oversight),
        "put",
        "/packs/ct-local",
        {"rules": local_pack.rules, "reason": " "},
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["reason"]


def test_shipped_pack_cannot_be_edited(oversight, packs):
    pack = packs["connecticut-opm"]
    response = call(
        session_client(oversight),
        "put",
        "/packs/connecticut-opm",
        {"rules": pack.rules, "reason": "Try"},
    )
    assert response.status_code == 403


def test_pack_history_shows_the_edit_with_reason_and_author(oversight, local_pack):
    rules = copy.deepcopy(local_pack.rules)
    rules["deadlines"]["closeout_evaluation"]["days"] = 45
    client = session_client(oversight)
    call(client, "put", "/packs/ct-local", {"rules": rules, "reason": "Local policy: 45 days"})
    entries = call(client, "get", "/packs/ct-local/history").json()
    assert [e["action"] for e in entries] == ["changed", "created"]
    assert entries[0]["reason"] == "Local policy: 45 days"
    assert entries[0]["who"] == oversight.get_full_name()
    assert "version" in {c["field"] for c in entries[0]["changes"]}


def test_put_with_a_stale_if_match_is_412_and_writes_nothing(oversight, local_pack):
    """issue 19 point 6: the pack's version is its ETag; a stale If-Match is refused."""
    client = session_client(oversight)
    read = call(client, "get", "/packs/ct-local")
    assert read["ETag"] == '"1"'
    rules = copy.deepcopy(local_pack.rules)
    rules["deadlines"]["closeout_evaluation"]["days"] = 45
    body = {"rules": rules, "reason": "First"}
    first = client.put(
        "/api/v1/packs/ct-local", body, content_type="application/json", headers={"If-Match": '"1"'}
    )
    assert first.status_code == 200 and first["ETag"] == '"2"'
    rules["deadlines"]["closeout_evaluation"]["days"] = 50
    second = client.put(
        "/api/v1/packs/ct-local",
        {"rules": rules, "reason": "Second"},
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert second.status_code == 412
    assert (
        PolicyPack.objects.get(slug="ct-local").rules["deadlines"]["closeout_evaluation"]["days"]
        == 45
    )
