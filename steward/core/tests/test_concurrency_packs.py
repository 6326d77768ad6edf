"""Optimistic concurrency on the policy-pack edit page (issue 19 point 6; docs/security.md §6).
A pack's `version` (the one the API already sends as ETag) is carried by the edit page's hidden
field and checked under the row lock: a stale save shows who changed the pack and keeps the
input; the API's stale If-Match is 412."""

from __future__ import annotations

import copy

import pytest

from steward.core.models import PolicyPack
from steward.core.services import policy_pack_copy, policy_pack_update
from steward.core.tests.api_support import session_client
from steward.parties.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def officers(make_user):
    ours = make_user(Role.OVERSIGHT_OFFICER, username="oversight")
    theirs = make_user(
        Role.OVERSIGHT_OFFICER, username="colleague", first_name="Dana", last_name="Reyes"
    )
    return ours, theirs


@pytest.fixture
def local_pack(officers, packs):
    return policy_pack_copy(
        actor=officers[0], source=packs["connecticut-opm"], slug="ct-local", name="CT (local)"
    )


def test_api_stale_put_of_a_pack_is_412(officers, local_pack):
    url = "/api/v1/packs/ct-local"
    ours, theirs = (session_client(o) for o in officers)
    etag = ours.get(url)["ETag"]
    assert etag == '"1"'
    rules = copy.deepcopy(local_pack.rules)
    rules["expiring_window_days"] = 45
    first = theirs.put(
        url,
        {"rules": rules, "reason": "Theirs"},
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert first.status_code == 200, first.content
    second = ours.put(
        url,
        {"rules": local_pack.rules, "reason": "Ours"},
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert second.status_code == 412, second.content
    assert "Dana Reyes" in second.json()["detail"]
    assert PolicyPack.objects.get(slug="ct-local").rules["expiring_window_days"] == 45


def test_service_refuses_a_stale_declared_version(officers, local_pack):
    """The check runs under the row lock, whatever the caller checked before."""
    from steward.core.concurrency import StaleEdit, expecting

    policy_pack_update(actor=officers[1], pack=local_pack, rules=local_pack.rules, reason="Theirs")
    with pytest.raises(StaleEdit), expecting(local_pack, 1):
        policy_pack_update(
            actor=officers[0], pack=local_pack, rules=local_pack.rules, reason="Ours"
        )
    assert PolicyPack.objects.get(slug="ct-local").version == 2


def _form_data(client, url):
    form = client.get(url).context["form"]
    return {n: "" if form[n].value() is None else form[n].value() for n in form.fields}


def test_page_stale_save_of_a_pack_shows_the_other_change(officers, local_pack):
    url = "/packs/ct-local/edit/"
    ours, theirs = (session_client(o) for o in officers)
    our_form, their_form = _form_data(ours, url), _form_data(theirs, url)
    assert our_form["version"] == 1
    their_form["expiring_window_days"] = 45
    their_form["reason"] = "Their reason"
    assert theirs.post(url, their_form).status_code == 302
    our_form["expiring_window_days"] = 75
    our_form["reason"] = "Our careful reason"
    response = ours.post(url, our_form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "changed by Dana Reyes" in page
    assert "Our careful reason" in page
    assert PolicyPack.objects.get(slug="ct-local").parsed.expiring_window_days == 45
    assert response.context["form"]["version"].value() == "2"
    our_form["version"] = 2
    assert ours.post(url, our_form).status_code == 302
    assert PolicyPack.objects.get(slug="ct-local").parsed.expiring_window_days == 75
